"""Deterministic synthesizer of word images in the MJSynth / clovaai LMDB layout.

Each split is one LMDB holding ``num-samples`` and, for i = 1..N, ``image-%09d``
(JPEG bytes) and ``label-%09d`` (utf-8 word as rendered, case kept).  Train and
validation never share a word (split by a hash of the lower-cased word) nor a
font family (split by family name), so validation accuracy measures
generalisation to unseen words and unseen fonts.

Every sample is drawn from its own random generator seeded by (seed, split,
index): the output is identical whatever the number of worker processes.  The
font split depends on ``--split_seed`` and on the installed fonts
(``scripts/setup_env.sh`` installs the set used for the released checkpoint).

    python scripts/synth_text.py --out data/synth --train 100000 --val 2000
"""
from __future__ import annotations

import argparse
import glob
import json
import multiprocessing as mp
import os
import re
import string
import sys
import time
import zlib
from dataclasses import dataclass
from typing import Iterator, Sequence

import cv2
import lmdb
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = ("/usr/share/fonts",)
WORD_LIST = "/usr/share/dict/words"
REQUIRED_GLYPHS = string.ascii_letters + string.digits
SPLITS = ("train", "val")
VAL_FONT_EVERY = 5      # one font family in five goes to validation
VAL_WORD_MODULO = 10    # one word in ten goes to validation
FONT_SIZES = (24, 28, 32, 36, 40, 48)
# Faces whose a-z code points draw something else (Greek symbols, dingbats, keycaps): a label would lie.
NON_TEXT_FAMILIES = re.compile(r"symbol|dingbat|d050000l|keyboard|wingding|webding", re.IGNORECASE)
OUT_HEIGHT = 32
MIN_CONTRAST = 90       # least luminance difference between text and background


@dataclass(frozen=True)
class Style:
    """How much a rendering varies; ``plain`` means dark text on a light, flat background."""

    rotation_deg: float
    shear: float
    perspective: float
    blur_sigma: float
    noise_sigma: float
    jpeg_quality_min: int
    plain: bool


STYLES = {
    # photographic variety: colours, textured backgrounds, rotation, perspective, blur, noise, JPEG
    "full": Style(2.5, 0.12, 0.03, 1.2, 10.0, 60, plain=False),
    # clean renderings (fonts and words vary, nothing else): an easy curriculum for the first steps
    "clean": Style(0.0, 0.0, 0.0, 0.0, 0.0, 95, plain=True),
}


@dataclass(frozen=True)
class Font:
    """A TrueType/OpenType face usable for Latin words."""

    path: str
    index: int
    family: str


def word_split(word: str) -> str:
    """Split a word into train or val by a stable hash of its lower-cased form."""
    return "val" if zlib.crc32(word.lower().encode()) % VAL_WORD_MODULO == 0 else "train"


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
    """Assign whole font families to train or val, deterministically; leave out non-text faces.

    Non-text families are dropped after the split so that the others keep their side.
    """
    families = sorted({f.family for f in fonts})
    order = np.random.default_rng(seed).permutation(len(families))
    val_families = {families[i] for k, i in enumerate(order) if k % VAL_FONT_EVERY == 0}
    text_fonts = [f for f in fonts if not NON_TEXT_FAMILIES.search(f.family)]
    return {
        "train": [f for f in text_fonts if f.family not in val_families],
        "val": [f for f in text_fonts if f.family in val_families],
    }


def load_words(path: str, max_len: int) -> dict[str, list[str]]:
    """Read a dictionary (one word a line), keep alphanumeric words, split them."""
    if not os.path.isfile(path):
        raise SystemExit(f"word list {path} not found (Debian package 'wamerican')")
    with open(path, encoding="utf-8", errors="ignore") as f:
        words = sorted({w.strip().lower() for w in f if re.fullmatch(r"[A-Za-z0-9]+", w.strip())})
    words = [w for w in words if 1 <= len(w) <= max_len]
    return {s: [w for w in words if word_split(w) == s] for s in SPLITS}


class WordRenderer:
    """Renders one word image from a per-sample random generator."""

    def __init__(self, fonts: Sequence[Font], words: Sequence[str], max_len: int, style: Style):
        self.style = style
        self.fonts = list(fonts)
        self.words = list(words)
        self.max_len = max_len
        self._font_cache: dict[tuple[int, int], ImageFont.FreeTypeFont] = {}

    def _font(self, which: int, size: int) -> ImageFont.FreeTypeFont:
        key = (which, size)
        if key not in self._font_cache:
            font = self.fonts[which]
            self._font_cache[key] = ImageFont.truetype(font.path, size, index=font.index)
        return self._font_cache[key]

    def _text(self, rng: np.random.Generator, split: str) -> str:
        kind = rng.random()
        if kind < 0.85:
            word = self.words[rng.integers(len(self.words))]
        else:  # numbers and codes, kept only if they fall in this split
            alphabet = string.digits if kind < 0.93 else string.ascii_lowercase + string.digits
            while True:
                word = "".join(rng.choice(list(alphabet), rng.integers(1, min(8, self.max_len) + 1)))
                if word_split(word) == split:
                    break
        case = rng.random()
        if case < 0.2:
            return word.upper()
        if case < 0.5:
            return word.capitalize()
        return word

    def _colours(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        if self.style.plain:
            return np.full(3, rng.uniform(200, 255), np.float32), np.full(3, rng.uniform(0, 50), np.float32)
        luma = np.array([0.299, 0.587, 0.114])
        while True:
            bg = rng.integers(0, 256, 3).astype(np.float32)
            fg = rng.integers(0, 256, 3).astype(np.float32)
            if abs(float((bg - fg) @ luma)) > MIN_CONTRAST:
                return bg, fg

    def _background(self, rng: np.random.Generator, h: int, w: int, bg: np.ndarray) -> np.ndarray:
        canvas = np.empty((h, w, 3), np.float32)
        canvas[:] = bg
        if self.style.plain:
            return canvas
        style = rng.random()
        if style < 0.3:  # linear gradient
            ramp = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :, None]
            canvas += ramp * rng.uniform(-25, 25, 3).astype(np.float32)
        elif style < 0.5:  # smooth blotches
            small = rng.normal(0, 15, (max(2, h // 8), max(2, w // 8), 3)).astype(np.float32)
            canvas += cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        return canvas

    def _glyph_mask(self, rng: np.random.Generator, text: str, font: ImageFont.FreeTypeFont) -> np.ndarray:
        left, top, right, bottom = font.getbbox(text)
        pad = font.size // 2
        mask = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
        ImageDraw.Draw(mask).text((pad - left, pad - top), text, fill=255, font=font)
        arr = np.asarray(mask, dtype=np.uint8)
        h, w = arr.shape
        # small rotation + perspective in one homography
        angle = np.deg2rad(rng.normal(0, self.style.rotation_deg))
        shear = rng.normal(0, self.style.shear)
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        jitter = rng.normal(0, self.style.perspective, (4, 2)) * np.array([w, h]) * (rng.random() < 0.5)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        centred = src - [w / 2, h / 2]
        dst = centred @ rot.T + [[shear * (c[1]), 0] for c in centred] + [w / 2, h / 2] + jitter
        xmin, ymin = dst.min(0)
        dst = (dst - [xmin, ymin]).astype(np.float32)
        out_w, out_h = int(np.ceil(dst[:, 0].max())) + 1, int(np.ceil(dst[:, 1].max())) + 1
        warp = cv2.getPerspectiveTransform(src, dst)
        return cv2.warpPerspective(arr, warp, (out_w, out_h), flags=cv2.INTER_LINEAR)

    def render(self, rng: np.random.Generator, split: str) -> tuple[bytes, str]:
        """Return (JPEG bytes, label) for one sample."""
        text = self._text(rng, split)
        font = self._font(int(rng.integers(len(self.fonts))), int(rng.choice(FONT_SIZES)))
        mask = self._glyph_mask(rng, text, font)
        ys, xs = np.nonzero(mask > 20)
        margin_x = int(rng.integers(0, font.size // 3 + 1))
        margin_y = int(rng.integers(0, font.size // 6 + 1))
        y0, y1 = max(0, ys.min() - margin_y), min(mask.shape[0], ys.max() + 1 + margin_y)
        x0, x1 = max(0, xs.min() - margin_x), min(mask.shape[1], xs.max() + 1 + margin_x)
        mask = mask[y0:y1, x0:x1].astype(np.float32)[..., None] / 255.0
        h, w = mask.shape[:2]
        bg, fg = self._colours(rng)
        image = self._background(rng, h, w, bg) * (1.0 - mask) + fg * mask
        scale = OUT_HEIGHT / h
        image = cv2.resize(image, (max(1, round(w * scale)), OUT_HEIGHT), interpolation=cv2.INTER_AREA)
        sigma = rng.uniform(0, self.style.blur_sigma)
        if sigma > 0.4:
            image = cv2.GaussianBlur(image, (0, 0), sigma)
        image += rng.normal(0, rng.uniform(0, self.style.noise_sigma), image.shape).astype(np.float32)
        image = np.clip(image, 0, 255).astype(np.uint8)
        quality = int(rng.integers(self.style.jpeg_quality_min, 96))
        ok, jpeg = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError(f"JPEG encoding failed for {text!r}")
        return jpeg.tobytes(), text


_RENDERERS: dict[str, WordRenderer] = {}


def _init_worker(renderers: dict[str, WordRenderer]) -> None:
    _RENDERERS.update(renderers)


def _render_chunk(task: tuple[str, int, int, int]) -> list[tuple[bytes, str]]:
    split, seed, start, stop = task
    split_id = SPLITS.index(split)
    renderer = _RENDERERS[split]
    return [renderer.render(np.random.default_rng([seed, split_id, i]), split) for i in range(start, stop)]


class Progress:
    """A one-line progress bar on stderr with rate and ETA."""

    def __init__(self, total: int, name: str):
        self.total, self.name, self.start = total, name, time.time()

    def update(self, done: int) -> None:
        elapsed = max(time.time() - self.start, 1e-6)
        rate = done / elapsed
        eta = (self.total - done) / rate if rate else 0.0
        bar = "#" * int(30 * done / self.total)
        sys.stderr.write(f"\r{self.name:5s} [{bar:<30s}] {done}/{self.total} {rate:7.0f} img/s ETA {eta:5.0f}s")
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def write_lmdb(path: str, samples: Iterator[list[tuple[bytes, str]]], total: int, name: str) -> float:
    """Write samples to a fresh LMDB at ``path``; return images/s."""
    os.makedirs(path, exist_ok=True)
    for stale in ("data.mdb", "lock.mdb"):
        if os.path.exists(os.path.join(path, stale)):
            os.remove(os.path.join(path, stale))
    env = lmdb.open(path, map_size=1 << 36)
    progress = Progress(total, name)
    index = 0
    for chunk in samples:
        with env.begin(write=True) as txn:
            for jpeg, label in chunk:
                index += 1
                txn.put(b"image-%09d" % index, jpeg)
                txn.put(b"label-%09d" % index, label.encode("utf-8"))
        progress.update(index)
    with env.begin(write=True) as txn:
        txn.put(b"num-samples", str(index).encode())
    env.close()
    return index / max(time.time() - progress.start, 1e-6)


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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output folder; gets train/, val/ and split.json")
    parser.add_argument("--train", type=int, default=100000, help="number of training images")
    parser.add_argument("--val", type=int, default=2000, help="number of validation images")
    parser.add_argument("--seed", type=int, default=0, help="seed of the samples")
    parser.add_argument("--split_seed", type=int, default=0,
                        help="seed of the font split: keep it to draw new samples over the same train/val fonts")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--max_len", type=int, default=13, help="longest word rendered")
    parser.add_argument("--style", choices=sorted(STYLES), default="full",
                        help="full: photographic variety; clean: dark text on a flat light background")
    parser.add_argument("--words", default=WORD_LIST, help="word list, one word a line")
    parser.add_argument("--export_val_images", type=int, default=16,
                        help="also write this many validation images to OUT/val_images with a gt.txt")
    args = parser.parse_args(argv)

    fonts = split_fonts(discover_fonts(), args.split_seed)
    words = load_words(args.words, args.max_len)
    for split in SPLITS:
        if not fonts[split] or not words[split]:
            raise SystemExit(f"no usable {split} fonts or words: install the Debian font packages "
                             f"(see scripts/setup_system.sh)")
    renderers = {s: WordRenderer(fonts[s], words[s], args.max_len, STYLES[args.style]) for s in SPLITS}
    os.makedirs(args.out, exist_ok=True)
    rates = {}
    chunk = 256
    with mp.get_context("fork").Pool(args.workers, _init_worker, (renderers,)) as pool:
        for split, total in (("train", args.train), ("val", args.val)):
            if total <= 0:
                continue
            tasks = [(split, args.seed, i, min(i + chunk, total)) for i in range(0, total, chunk)]
            rates[split] = write_lmdb(os.path.join(args.out, split), pool.imap(_render_chunk, tasks),
                                      total, split)
    summary = {
        "seed": args.seed,
        "style": args.style,
        "split_seed": args.split_seed,
        "counts": {"train": args.train, "val": args.val},
        "images_per_second": {k: round(v, 1) for k, v in rates.items()},
        "fonts": {s: sorted({f"{f.family} ({os.path.basename(f.path)})" for f in fonts[s]}) for s in SPLITS},
        "words": {s: len(words[s]) for s in SPLITS},
    }
    with open(os.path.join(args.out, "split.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    if args.val > 0 and args.export_val_images > 0:
        gt = export_images(os.path.join(args.out, "val"), os.path.join(args.out, "val_images"),
                           args.export_val_images)
        print(f"wrote {gt}")
    print(f"fonts train/val: {len(fonts['train'])}/{len(fonts['val'])}, "
          f"words train/val: {len(words['train'])}/{len(words['val'])}, rates {summary['images_per_second']}")


if __name__ == "__main__":
    main()
