"""A sample sheet of the training augmentation (``src/model_utils/augment.py``) of one image, as a PNG grid.

    python scripts/augment_preview.py --image word.png --out augment_preview.png
    python scripts/augment_preview.py --lmdb /tmp/ctc_zoo_bench_words/train --index 7 --out sheet.png --strength 1.5

The first row holds the image and draws of the whole augmentation (epochs 0, 1, ... of one sample, as training
sees them); each further row one augmentation alone, named on the left, at the given strength.  Every cell
is scaled to ``--height`` keeping the image's ratio, as the models' resize would.
"""
from __future__ import annotations

import argparse
import os
import sys

import cv2
import lmdb
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from cnnctc.src.model_utils.augment import OPS, Augmenter  # noqa: E402  (model_utils is the same in every model)

LABEL_WIDTH = 130
GAP = 4


def read_lmdb_image(path: str, index: int) -> np.ndarray:
    """Image ``index`` (1-based, the LMDB's numbering) of a word LMDB as RGB uint8."""
    env = lmdb.open(path, readonly=True, lock=False)
    with env.begin() as txn:
        data = txn.get(b"image-%09d" % index)
    env.close()
    if data is None:
        raise SystemExit(f"{path} has no image-{index:09d}")
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _row(label: str, images: list[np.ndarray], height: int, cell_width: int) -> np.ndarray:
    """One row of the sheet: a label, then the images scaled to ``height``, each in a cell ``cell_width`` wide."""
    row = np.full((height, LABEL_WIDTH + len(images) * (cell_width + GAP), 3), 255, np.uint8)
    cv2.putText(row, label, (4, height // 2 + 5), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    for number, image in enumerate(images):
        rgb = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
        width = min(cell_width, max(1, round(rgb.shape[1] * height / rgb.shape[0])))
        left = LABEL_WIDTH + number * (cell_width + GAP)
        row[:, left:left + width] = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    return row


def sample_sheet(image: np.ndarray, seed: int = 1, columns: int = 6, height: int = 48, prob: float = 1.0,
                 strength: float = 1.0) -> np.ndarray:
    """The sheet (RGB uint8) of ``image``: whole-augmentation draws, then each op alone (see the module's text)."""
    cell_width = round(1.4 * image.shape[1] * height / image.shape[0])  # room for grown canvases
    augmenter = Augmenter(seed, prob, strength)
    rows = [_row("augmented", [image] + [augmenter(image, epoch, 0) for epoch in range(columns - 1)], height,
                 cell_width)]
    for number, op in enumerate(OPS):
        draws = [op.apply(image, np.random.default_rng([seed, number, k]), strength) for k in range(columns)]
        rows.append(_row(op.name, draws, height, cell_width))
    gap = np.full((GAP, rows[0].shape[1], 3), 255, np.uint8)
    return np.concatenate([part for row in rows for part in (row, gap)][:-1])


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--image", help="an image file")
    source.add_argument("--lmdb", help="a word LMDB folder (with --index)")
    parser.add_argument("--index", type=int, default=1, help="image number in --lmdb (from 1)")
    parser.add_argument("--out", default="augment_preview.png", help="PNG file to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--columns", type=int, default=6, help="draws per row")
    parser.add_argument("--height", type=int, default=48, help="height of each cell in pixels")
    parser.add_argument("--prob", type=float, default=1.0, help="as the config's augment_prob")
    parser.add_argument("--strength", type=float, default=1.0, help="as the config's augment_strength")
    args = parser.parse_args(argv)
    if args.image:
        image = cv2.imread(args.image, cv2.IMREAD_COLOR)
        if image is None:
            raise SystemExit(f"{args.image} is not a readable image")
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    else:
        image = read_lmdb_image(args.lmdb, args.index)
    sheet = sample_sheet(image, args.seed, args.columns, args.height, args.prob, args.strength)
    cv2.imwrite(args.out, cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print(f"wrote {args.out} ({sheet.shape[1]} x {sheet.shape[0]})")
    return args.out


if __name__ == "__main__":
    main()
