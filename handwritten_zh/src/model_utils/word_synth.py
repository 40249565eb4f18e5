"""Deterministic synthesizer of word images in the MJSynth / clovaai LMDB layout.

Each split is one LMDB holding ``num-samples`` and, for i = 1..N, ``image-%09d`` (JPEG bytes) and
``label-%09d`` (utf-8: the letters and digits of the rendered text, case kept; ``word_text``).  Splits:

- ``train`` and ``val``: the training renderer (``word_render``: SynthText / MJSynth-style scene crops, or
  the ``clean`` style); train and val never share a word (hash of the lower-cased word) nor a font design
  (``design``; one design in five goes to val, by ``--split_seed``).
- ``ood``: a second, independent renderer (``word_ood``: PIL only) with the font designs of ``OOD_DESIGNS``,
  which no other split ever draws, and validation words: the out-of-distribution validation set.  Its images
  are also written as OUT/ood_images with a gt.txt.

Every sample is drawn from its own random generator seeded by (seed, split, index): the output is identical
whatever the number of worker processes (``work_pool``).  The font split depends on the installed fonts
(``scripts/setup_env.sh`` of the repository installs the set used for the released checkpoints).  The word
models' ``synth_words.py`` runs ``main``:

    python synth_words.py --out data/synth --train 100000 --val 2000
    python synth_words.py --out data/synth_ood --train 0 --val 0 --ood 2000
    python synth_words.py --out /tmp/x --preview words.png      # a sample sheet, nothing else
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import string
from typing import Iterator, Sequence

import cv2
import lmdb
import numpy as np

from .word_ood import OodWordRenderer
from .word_render import STYLES, Font, WordRenderer
from .word_text import label_of, word_split
from .work_pool import Progress, WorkerPool

FONT_DIRS = ("/usr/share/fonts",)
WORD_LIST = "/usr/share/dict/words"
REQUIRED_GLYPHS = string.ascii_letters + string.digits
SPLITS = ("train", "val", "ood")
VAL_FONT_EVERY = 5      # one font design in five goes to validation
# Faces whose a-z code points draw something else (Greek symbols, dingbats, keycaps): a label would lie.
NON_TEXT_FAMILIES = re.compile(r"symbol|dingbat|d050000l|keyboard|wingding|webding|math", re.IGNORECASE)
# Second words of a family name that name a style of one design, not a design: "Go Mono" is "Go".
STYLE_WORDS = {"Mono", "Medium", "Light", "Thin", "Display", "Condensed", "Narrow", "Smallcaps", "Code", "Caption",
               "Text", "Std", "Pro", "Alta", "Minus", "Sharp", "Demi", "No2", "No3", "Extra", "Bold", "Italic"}
# Designs held out for the out-of-distribution renderer: never drawn by train or val.
OOD_DESIGNS = ("Vollkorn", "Cabin", "Comfortaa", "Courier Prime", "Fanwood", "Humor Sans", "Kaushan Script",
               "Linden Hill", "National Park", "OCR B", "Quattrocento", "Sora", "Tuffy", "Yanone Kaffeesatz",
               "Oldania ADF", "PT Serif")
PREVIEW_COUNTS = {"train": 60, "val": 20, "ood": 20}


def design(family: str) -> str:
    """The design a family name belongs to: the head of a camel-cased first word ("BetecknaGSCondensed" and
    "DejaVu Serif" are "Beteckna" and "Deja"), else the first two words, or one when the second names a style."""
    words = family.replace("-", " ").split()
    camel = re.match(r"[A-Z]?[a-z]+(?=[A-Z])", words[0])
    if camel:
        return camel.group(0)
    return " ".join(words[:1] if len(words) < 2 or words[1] in STYLE_WORDS else words[:2])


def discover_fonts(dirs: Sequence[str] = FONT_DIRS) -> list[Font]:
    """Return every installed face that has glyphs for a-z, A-Z and 0-9."""
    from fontTools.ttLib import TTCollection, TTFont  # only needed here

    fonts = []
    for path in sorted(p for d in dirs for p in glob.glob(os.path.join(d, "**", "*"), recursive=True)):
        ext = os.path.splitext(path)[1].lower()
        if ext not in (".ttf", ".otf", ".ttc"):
            continue
        try:
            faces = TTCollection(path).fonts if ext == ".ttc" else [TTFont(path, lazy=True)]
        except Exception:  # unreadable font file: not usable, not an error of ours
            continue
        for index, face in enumerate(faces):
            cmap = face.getBestCmap() or {}
            if all(ord(c) in cmap for c in REQUIRED_GLYPHS):
                names = face["name"]
                family = names.getDebugName(16) or names.getDebugName(1) or os.path.basename(path)
                fonts.append(Font(path, index, family))
    return fonts


def split_fonts(fonts: Sequence[Font], seed: int) -> dict[str, list[Font]]:
    """Assign whole designs to train, val (one in ``VAL_FONT_EVERY``, by ``seed``) or ood (``OOD_DESIGNS``);
    leave out non-text faces.  Non-text families are dropped after the split so that the others keep their side.
    """
    designs = sorted({design(f.family) for f in fonts} - set(OOD_DESIGNS))
    order = np.random.default_rng(seed).permutation(len(designs))
    val_designs = {designs[i] for k, i in enumerate(order) if k % VAL_FONT_EVERY == 0}
    text_fonts = [f for f in fonts if not NON_TEXT_FAMILIES.search(f.family)]
    side = {f: "ood" if design(f.family) in OOD_DESIGNS else "val" if design(f.family) in val_designs else "train"
            for f in text_fonts}
    return {s: [f for f in text_fonts if side[f] == s] for s in SPLITS}


def load_words(path: str, max_len: int) -> dict[str, list[str]]:
    """Read a dictionary (one word a line), keep alphanumeric words, split them (ood uses the val words)."""
    if not os.path.isfile(path):
        raise SystemExit(f"word list {path} not found (Debian package 'wamerican')")
    with open(path, encoding="utf-8", errors="ignore") as f:
        words = sorted({w.strip().lower() for w in f if re.fullmatch(r"[A-Za-z0-9]+", w.strip())})
    words = [w for w in words if 1 <= len(w) <= max_len]
    split = {s: [w for w in words if word_split(w) == s] for s in ("train", "val")}
    return {**split, "ood": split["val"]}


_RENDERERS: dict = {}


def _init_worker(renderers: dict) -> None:
    _RENDERERS.update(renderers)


def render_sample(split: str, seed: int, index: int) -> tuple[bytes, str]:
    """(JPEG bytes, label) of sample ``index`` of ``split`` (renderers set by ``_init_worker``)."""
    rng = np.random.default_rng([seed, SPLITS.index(split), index])
    data, text = _RENDERERS[split].render(rng, "train" if split == "train" else "val")
    return data, label_of(text)


def _render_chunk(task: tuple[str, int, int, int]) -> list[tuple[bytes, str]]:
    split, seed, start, stop = task
    return [render_sample(split, seed, i) for i in range(start, stop)]


def write_lmdb(path: str, samples: Iterator[list[tuple[bytes, str]]]) -> int:
    """Write chunks of (JPEG bytes, label) to a fresh LMDB at ``path``; return the number of samples."""
    os.makedirs(path, exist_ok=True)
    for stale in ("data.mdb", "lock.mdb"):
        if os.path.exists(os.path.join(path, stale)):
            os.remove(os.path.join(path, stale))
    env = lmdb.open(path, map_size=1 << 36)
    index = 0
    for chunk in samples:
        with env.begin(write=True) as txn:
            for jpeg, label in chunk:
                index += 1
                txn.put(b"image-%09d" % index, jpeg)
                txn.put(b"label-%09d" % index, label.encode("utf-8"))
    with env.begin(write=True) as txn:
        txn.put(b"num-samples", str(index).encode())
    env.close()
    return index


def export_images(lmdb_path: str, out_dir: str, count: int) -> str:
    """Copy the first ``count`` samples of an LMDB to image files plus a gt.txt."""
    os.makedirs(out_dir, exist_ok=True)
    env = lmdb.open(lmdb_path, readonly=True, lock=False)
    lines = []
    with env.begin() as txn:
        count = min(count, int(txn.get(b"num-samples")))
        for i in range(1, count + 1):
            name = f"word_{i}.jpg"
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(txn.get(b"image-%09d" % i))
            lines.append(f"{name}\t{txn.get(b'label-%09d' % i).decode('utf-8')}\n")
    env.close()
    gt_path = os.path.join(out_dir, "gt.txt")
    with open(gt_path, "w", encoding="utf-8") as f:
        f.writelines(lines)
    return gt_path


def preview(path: str, seed: int, counts: dict[str, int], width: int = 1200) -> str:
    """Write a sample sheet PNG: for each split a title, then its first samples at twice their size, in rows."""
    rows = []
    for split, count in counts.items():
        if not count or split not in _RENDERERS:
            continue
        title = np.full((40, width, 3), 255, np.uint8)
        cv2.putText(title, f"{split} ({type(_RENDERERS[split]).__name__})", (8, 28), cv2.FONT_HERSHEY_SIMPLEX,
                    0.8, (0, 0, 0), 2)
        rows.append(title)
        line, used = [], 0
        for i in range(count):
            tile = cv2.imdecode(np.frombuffer(render_sample(split, seed, i)[0], np.uint8), cv2.IMREAD_COLOR)
            tile = cv2.resize(tile, (min(tile.shape[1] * 2, width - 8), 64), interpolation=cv2.INTER_NEAREST)
            if used + tile.shape[1] + 8 > width:
                rows.append(np.hstack(line + [np.full((64, width - used, 3), 255, np.uint8)]))
                line, used = [], 0
            line += [tile, np.full((64, 8, 3), 255, np.uint8)]
            used += tile.shape[1] + 8
        if line:
            rows.append(np.hstack(line + [np.full((64, width - used, 3), 255, np.uint8)]))
        rows.append(np.full((6, width, 3), 255, np.uint8))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    cv2.imwrite(path, np.vstack([np.vstack([r, np.full((4, width, 3), 255, np.uint8)]) for r in rows]))
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output folder; gets train/, val/, ood/ and split.json")
    parser.add_argument("--train", type=int, default=100000, help="number of training images")
    parser.add_argument("--val", type=int, default=2000, help="number of validation images (training renderer)")
    parser.add_argument("--ood", type=int, default=0,
                        help="number of out-of-distribution validation images (second renderer, held-out fonts)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the samples")
    parser.add_argument("--split_seed", type=int, default=0,
                        help="seed of the font split: keep it to draw new samples over the same train/val fonts")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--max_len", type=int, default=13, help="longest label rendered")
    parser.add_argument("--style", choices=sorted(STYLES), default="full",
                        help="training renderer: full: scene variety; clean: dark text on a flat light background")
    parser.add_argument("--words", default=WORD_LIST, help="word list, one word a line")
    parser.add_argument("--export_val_images", type=int, default=16,
                        help="also write this many validation images to OUT/val_images with a gt.txt")
    parser.add_argument("--preview", metavar="PNG",
                        help="only write a sample sheet of the three renderers to PNG (nothing else is written)")
    args = parser.parse_args(argv)

    fonts = split_fonts(discover_fonts(), args.split_seed)
    words = load_words(args.words, args.max_len)
    counts = PREVIEW_COUNTS if args.preview else {"train": args.train, "val": args.val, "ood": args.ood}
    for split in SPLITS:
        if counts[split] and not (fonts[split] and words[split]):
            raise SystemExit(f"no usable {split} fonts or words: install the Debian font packages "
                             f"(see scripts/setup_env.sh)")
    renderers = {s: WordRenderer(fonts[s], words[s], args.max_len, STYLES[args.style]) for s in ("train", "val")}
    renderers["ood"] = OodWordRenderer(fonts["ood"], words["ood"], args.max_len)
    if args.preview:
        _init_worker(renderers)
        print(f"wrote {preview(args.preview, args.seed, counts)}")
        return
    os.makedirs(args.out, exist_ok=True)
    rates = {}
    chunk = 256
    with WorkerPool(args.workers, _init_worker, (renderers,)) as pool:
        for split in SPLITS:
            if counts[split] <= 0:
                continue
            tasks = [(split, args.seed, i, min(i + chunk, counts[split])) for i in range(0, counts[split], chunk)]
            progress = Progress(counts[split], "images", split, "img")
            write_lmdb(os.path.join(args.out, split), pool.run(_render_chunk, tasks, progress))
            rates[split] = progress.rate
    summary = {
        "seed": args.seed,
        "style": args.style,
        "split_seed": args.split_seed,
        "counts": counts,
        "images_per_second": {k: round(v, 1) for k, v in rates.items()},
        "fonts": {s: sorted({f"{f.family} ({os.path.basename(f.path)})" for f in fonts[s]}) for s in SPLITS},
        "designs": {s: sorted({design(f.family) for f in fonts[s]}) for s in SPLITS},
        "words": {s: len(words[s]) for s in SPLITS},
    }
    with open(os.path.join(args.out, "split.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    exports = {"val": args.export_val_images, "ood": args.ood}
    for split, count in exports.items():
        if counts[split] > 0 and count > 0:
            gt = export_images(os.path.join(args.out, split), os.path.join(args.out, f"{split}_images"), count)
            print(f"wrote {gt}")
    print(f"font designs train/val/ood: {'/'.join(str(len(summary['designs'][s])) for s in SPLITS)}, "
          f"words train/val: {len(words['train'])}/{len(words['val'])}, rates {summary['images_per_second']}")


if __name__ == "__main__":
    main()
