"""Handwriting-like rendering of Chinese text lines from fonts, as scanned exam-paper lines (SCUT-EPT style).

Fonts: the Debian Chinese font families of ``FAMILIES`` (kai styles weighted higher), found by walking the
font folders and matching each face's English family name; a family groups every face of one design
(weights, the Mono variant).  ``coverage`` gives the charset characters a face maps (fontTools cmap, read
once per face and process); a ``FontSet`` draws a face for a text among those that have all its characters,
so a face only ever draws characters it has.

A line: every character is either drawn with a pen along the skeleton of its glyph (``pen.py``: one random
pen per line, stroke-level jitter, pressure, joined strokes) or typeset from the glyph mask itself (then it
gets its own stroke width, dilate / erode); masks and skeletons are made once per font file, face, character
and size bucket and kept in the worker's ``GlyphCache`` (one bucket, ``GLYPH_SIZE``, serves every line
size).  Each character then gets its own scale, rotation, slant, baseline offset and spacing; the line then
gets a smooth random displacement field (``cv2.remap``), is cropped with a small margin and resized to height
``HEIGHT`` (the width follows the text: about 65-90 px a character); paper (light level, low-frequency
shading, grain, sometimes a ruled line, underline or squares), ink (darkness, faded strokes, ink noise,
speckles) and a slight blur make the gray image.  Everything random comes from the generator passed in, so a
line depends on that generator's seed alone.
"""
from __future__ import annotations

import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .pen import PenStyle, draw_glyph, skeleton

FONT_DIRS = ("/usr/share/fonts",)
FONT_EXTENSIONS = (".ttf", ".otf", ".ttc")
HEIGHT = 96
GLYPH_SIZE = 64              # em size in px of the cached glyph masks (the one size bucket: a line's own size
                             # comes from scaling them when they are warped, which keeps the cache small)
GLYPH_CACHE_LIMIT = 60000    # masks kept per worker (about 3.5 KB each); the cache starts afresh when full


@dataclass(frozen=True)
class Family:
    """A font design: ``pattern`` fullmatches the English family name (name ID 1 or 16) of its faces."""

    name: str
    pattern: str
    weight: float   # relative chance of the family among the families of its split
    package: str    # the Debian package holding it


FAMILIES = (
    Family("LXGW WenKai", r"LXGW WenKai( Mono)?( Light| Regular| Medium| Bold)?", 3.0, "fonts-lxgw-wenkai"),
    Family("AR PL UKai", r"AR PL UKai CN", 3.0, "fonts-arphic-ukai"),
    Family("AR PL KaitiM GB", r"AR PL KaitiM GB", 3.0, "fonts-arphic-gkai00mp"),
    Family("WenQuanYi Micro Hei", r"WenQuanYi Micro Hei( Mono)?", 1.0, "fonts-wqy-microhei"),
    Family("WenQuanYi Zen Hei", r"WenQuanYi Zen Hei( Mono)?", 1.0, "fonts-wqy-zenhei"),
    Family("Noto Sans CJK SC", r"Noto Sans (Mono )?CJK SC( \w+)?", 1.0, "fonts-noto-cjk"),
    Family("Noto Serif CJK SC", r"Noto Serif CJK SC( \w+)?", 1.0, "fonts-noto-cjk"),
)


@dataclass(frozen=True)
class Face:
    """One face of a font file (``index`` in a .ttc collection) and the family it belongs to."""

    path: str
    index: int
    family: str
    style: str


def discover_faces(dirs: Sequence[str] = FONT_DIRS, families: Sequence[Family] = FAMILIES) -> list[Face]:
    """Every face of ``families`` under ``dirs``, sorted by family, file and index."""
    from fontTools.ttLib import TTCollection, TTFont  # only needed here

    paths = sorted({os.path.join(root, name) for top in dirs for root, _, names in os.walk(top) for name in names
                    if name.lower().endswith(FONT_EXTENSIONS)})
    faces = []
    for path in paths:
        try:
            fonts = TTCollection(path, lazy=True).fonts if path.lower().endswith(".ttc") else [TTFont(path, lazy=True)]
        except Exception:  # noqa: BLE001 - an unreadable font file is not ours to fix: skip it
            continue
        for index, font in enumerate(fonts):
            names = {font["name"].getDebugName(i) for i in (1, 16)} - {None}
            family = next((f.name for f in families if any(re.fullmatch(f.pattern, n) for n in names)), None)
            if family:
                faces.append(Face(path, index, family, font["name"].getDebugName(4) or ""))
    order = [f.name for f in families]
    return sorted(faces, key=lambda f: (order.index(f.family), f.path, f.index))


@lru_cache(maxsize=None)
def _code_points(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    font = TTCollection(path, lazy=True).fonts[index] if path.lower().endswith(".ttc") else TTFont(path, lazy=True)
    return frozenset(font.getBestCmap() or ())


def coverage(face: Face, charset: Iterable[str]) -> list[str]:
    """The characters of ``charset`` (in its order) that ``face`` has a glyph for."""
    points = _code_points(face.path, face.index)
    return [c for c in charset if ord(c) in points]


class FontSet:
    """The faces of one split, the charset characters each has, and the chance of each: its family's
    ``weight`` shared by the family's faces."""

    def __init__(self, faces: Sequence[Face], charset: Sequence[str], families: Sequence[Family] = FAMILIES):
        self.faces = list(faces)
        self.characters = [np.array(coverage(f, charset)) for f in self.faces]
        self._covered = [frozenset(c) for c in self.characters]
        weights = {f.name: f.weight for f in families}
        per_family = Counter(f.family for f in self.faces)
        self._weights = np.array([weights[f.family] / per_family[f.family] for f in self.faces])

    def drawable(self) -> frozenset[str]:
        """The characters some face of the set has."""
        return frozenset().union(*self._covered)

    def pick(self, rng: np.random.Generator, text: str = "") -> Optional[int]:
        """The index of a face drawn by chance among those having every character of ``text``; None if none has."""
        weights = self._weights * np.array([covered.issuperset(text) for covered in self._covered])
        total = weights.sum()
        return None if total == 0 else int(rng.choice(len(weights), p=weights / total))


@dataclass(frozen=True)
class Glyph:
    """A character's ink mask (uint8, tight box) at one em size, and the row of its top above the baseline."""

    mask: np.ndarray
    top: int   # y of the mask's first row relative to the baseline (negative: above it)


class GlyphCache:
    """Rasterised glyphs and their skeletons per (font file, face index, character, size bucket), and the
    PIL fonts."""

    def __init__(self, limit: int = GLYPH_CACHE_LIMIT):
        self.limit = limit
        self._glyphs: dict[tuple[str, int, str, int], Glyph] = {}
        self._skeletons: dict[tuple[str, int, str, int], np.ndarray] = {}
        self._fonts: dict[tuple[str, int, int], ImageFont.FreeTypeFont] = {}

    def centre_lines(self, face: Face, char: str, size: int) -> np.ndarray:
        """The skeleton (bool, the glyph mask's frame) of ``char`` in ``face`` at em ``size`` px."""
        key = (face.path, face.index, char, size)
        found = self._skeletons.get(key)
        if found is None:
            if len(self._skeletons) >= self.limit:
                self._skeletons.clear()
            found = self._skeletons[key] = skeleton(self.glyph(face, char, size).mask)
        return found

    def glyph(self, face: Face, char: str, size: int) -> Glyph:
        """The glyph of ``char`` in ``face`` at em ``size`` px."""
        key = (face.path, face.index, char, size)
        found = self._glyphs.get(key)
        if found is None:
            font = self._fonts.get(key[:2] + (size,))
            if font is None:
                font = self._fonts[key[:2] + (size,)] = ImageFont.truetype(face.path, size, index=face.index)
            left, top, right, bottom = font.getbbox(char, anchor="ls")
            if right <= left or bottom <= top:
                raise ValueError(f"{face.path} (face {face.index}) draws nothing for {char!r}")
            image = Image.new("L", (right - left, bottom - top), 0)
            ImageDraw.Draw(image).text((-left, -top), char, fill=255, font=font, anchor="ls")
            if len(self._glyphs) >= self.limit:
                self._glyphs.clear()
            found = self._glyphs[key] = Glyph(np.asarray(image), top)
        return found


def _stroke(mask: np.ndarray, change: int) -> np.ndarray:
    """Thicken (``change`` > 0 px) or thin (< 0) the strokes of a glyph mask."""
    if change == 0:
        return mask
    kernel = np.ones((abs(change) + 1,) * 2, np.uint8)
    if change > 0:
        return cv2.dilate(np.pad(mask, abs(change)), kernel)
    return cv2.erode(mask, kernel)


def _compose(rng: np.random.Generator, glyphs: Sequence[Glyph], em: float, restroke: bool
             ) -> tuple[np.ndarray, float]:
    """Place the jittered glyphs (of em ``GLYPH_SIZE``) on one mask at em ``em``, thickening or thinning them
    when ``restroke``; return the mask (tight ink box) and the row of the mean baseline in it."""
    n = len(glyphs)
    slant = rng.normal(0.0, 0.12)                                   # line shear (x shift per px up)
    scales = np.clip(rng.normal(1.0, 0.07, n), 0.8, 1.2) * (em / GLYPH_SIZE)
    angles = np.deg2rad(rng.normal(0.0, 2.5, n))
    shears = slant + rng.normal(0.0, 0.04, n)
    strokes = np.rint(rng.normal(0.3, 0.8)) + (rng.random(n) < 0.15) * rng.choice([-1, 1], n)  # a pen per line,
    strokes = np.clip(strokes, -1, 3).astype(int) * restroke                                  # pressure per char
    gaps = em * (rng.uniform(0.0, 0.45) + rng.normal(0.0, 0.04, n))  # tight writing to a grid's spacing
    wave = (rng.uniform(0.0, 0.06) * em, rng.uniform(4.0, 12.0) * em, rng.uniform(0, 2 * np.pi))
    tilt = rng.normal(0.0, 0.012)
    offsets = rng.normal(0.0, 0.03 * em, n)
    tiles, cursor = [], 0.0
    for glyph, scale, angle, shear, stroke, gap, offset in zip(glyphs, scales, angles, shears, strokes, gaps, offsets):
        mask = _stroke(glyph.mask, int(stroke))
        pad = max(int(stroke), 0)
        h, w = mask.shape
        cos, sin = math.cos(angle) * scale, math.sin(angle) * scale
        a, b, c, d = cos, sin - cos * shear, sin, cos - sin * shear   # rotation @ scale @ shear
        half_w = (abs(a) * w + abs(b) * h) / 2                       # half extents of the warped box
        half_h = (abs(c) * w + abs(d) * h) / 2
        size = (int(math.ceil(2 * half_w)) + 1, int(math.ceil(2 * half_h)) + 1)
        shift_x = size[0] / 2 - (a * w + b * h) / 2
        shift_y = size[1] / 2 - (c * w + d * h) / 2
        tile = cv2.warpAffine(mask, np.array([[a, b, shift_x], [c, d, shift_y]]), size, flags=cv2.INTER_LINEAR)
        width = (w - 2 * pad) * scale
        centre_x = cursor + width / 2
        centre_y = (offset + wave[0] * math.sin(2 * math.pi * centre_x / wave[1] + wave[2]) + tilt * centre_x
                    + (glyph.top - pad + h / 2) * scale)
        tiles.append((tile, int(round(centre_x - size[0] / 2)), int(round(centre_y - size[1] / 2))))
        cursor += width + gap
    x0, y0 = min(t[1] for t in tiles), min(t[2] for t in tiles)
    x1 = max(t[1] + t[0].shape[1] for t in tiles)
    y1 = max(t[2] + t[0].shape[0] for t in tiles)
    canvas = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for tile, x, y in tiles:
        view = canvas[y - y0:y - y0 + tile.shape[0], x - x0:x - x0 + tile.shape[1]]
        np.maximum(view, tile, out=view)
    rows, cols = np.flatnonzero(canvas.any(1)), np.flatnonzero(canvas.any(0))
    baseline = -y0 + tilt * cursor / 2 - rows[0]
    return canvas[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1], float(baseline)


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cell: float, sigma: float) -> np.ndarray:
    """A smooth random field (float32, ``h`` x ``w``): normal values on a grid of ``cell`` px, cubic-upsampled."""
    grid = rng.normal(0.0, sigma, (int(h / cell) + 2, int(w / cell) + 2)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _elastic(rng: np.random.Generator, mask: np.ndarray, em: float) -> np.ndarray:
    """Displace the mask's pixels by a smooth random field of a few percent of the em size."""
    h, w = mask.shape
    cell = 0.5 * em
    grid = rng.normal(0.0, em * rng.uniform(0.015, 0.04), (int(h / cell) + 2, int(w / cell) + 2, 2))
    field = cv2.resize(grid.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    field += np.stack(np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)), axis=-1)
    return cv2.remap(mask, field, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _grid(rng: np.random.Generator, paper: np.ndarray, em: float) -> None:
    """Draw squared-paper lines (about one em apart) in place, faint."""
    h, w = paper.shape
    step = em * rng.uniform(0.9, 1.3)
    colour = float(np.median(paper[:, :8])) - rng.uniform(25.0, 70.0)
    for x in np.arange(rng.uniform(0, step), w, step):
        cv2.line(paper, (int(x), 0), (int(x), h - 1), colour, 1, cv2.LINE_AA)
    for y in np.arange(rng.uniform(0, step), h, step):
        cv2.line(paper, (0, int(y)), (w - 1, int(y)), colour, 1, cv2.LINE_AA)


def _paper(rng: np.random.Generator, h: int, w: int, baseline: float, em: float) -> np.ndarray:
    """Light paper (float32): level, low-frequency shading, grain and sometimes a ruled line, underline or
    squares."""
    paper = rng.uniform(200.0, 245.0) + _smooth_noise(rng, h, w, max(h / 2, w / 8), rng.uniform(2.0, 7.0))
    paper += (rng.random((h, w), dtype=np.float32) - np.float32(0.5)) * np.float32(rng.uniform(3.0, 17.0))
    if rng.random() < 0.12:
        y = baseline + rng.uniform(0.05, 0.25) * em if rng.random() < 0.7 else rng.uniform(1.0, 0.1 * h)
        tilt = rng.normal(0.0, 0.004) * w
        colour = float(np.median(paper[:, :8])) - rng.uniform(40.0, 110.0)
        cv2.line(paper, (0, int(round(y - tilt))), (w - 1, int(round(y + tilt))), colour,
                 int(rng.integers(1, 3)), cv2.LINE_AA)
    elif rng.random() < 0.08:
        _grid(rng, paper, em)
    return paper


def _ink(rng: np.random.Generator, paper: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Lay dark ink of the mask on the paper: darkness, faded strokes, ink noise, speckles, slight blur."""
    h, w = mask.shape
    alpha = mask.astype(np.float32) * np.float32(1 / 255)
    if rng.random() < 0.5:  # faded stretches
        alpha *= np.clip(1.0 - np.abs(_smooth_noise(rng, h, w, 0.8 * h, rng.uniform(0.1, 0.4))), 0.5, 1.0)
    alpha *= 1.0 - np.float32(rng.uniform(0.0, 0.3)) * rng.random((h, w), dtype=np.float32)
    level = np.float32(rng.uniform(10.0, 90.0))
    image = paper + (level - paper) * alpha
    for _ in range(int(rng.poisson(w / 250))):  # specks of dirt or ink
        centre = (int(rng.integers(w)), int(rng.integers(h)))
        cv2.circle(image, centre, int(rng.integers(0, 3)), float(rng.uniform(60.0, 170.0)), -1, cv2.LINE_AA)
    if rng.random() < 0.6:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 0.9))
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def _drawn(rng: np.random.Generator, cache: GlyphCache, face: Face, text: str) -> list[Glyph]:
    """The characters of ``text`` re-drawn from their skeletons by one random pen (``pen.draw_glyph``)."""
    pen = PenStyle.draw(rng, GLYPH_SIZE)
    glyphs = []
    for char in text:
        mask, margin = draw_glyph(rng, cache.centre_lines(face, char, GLYPH_SIZE), pen)
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        tight = mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]  # a tight ink box, as typeset glyphs have
        glyphs.append(Glyph(tight, cache.glyph(face, char, GLYPH_SIZE).top - margin + int(rows[0])))
    return glyphs


def render_line(rng: np.random.Generator, cache: GlyphCache, face: Face, text: str, drawn: bool = True
                ) -> np.ndarray:
    """A gray uint8 ``HEIGHT`` x W image of ``text`` written with ``face`` (every character covered by it):
    drawn with a pen along the glyphs' skeletons, or typeset from the glyphs themselves (``drawn`` False)."""
    em = GLYPH_SIZE * rng.uniform(0.8, 1.25)
    glyphs = _drawn(rng, cache, face, text) if drawn else [cache.glyph(face, c, GLYPH_SIZE) for c in text]
    mask, baseline = _compose(rng, glyphs, em, restroke=not drawn)
    top, bottom = (int(round(em * rng.uniform(0.12, 0.3))) for _ in range(2))
    left, right = (int(round(em * rng.uniform(0.12, 0.45))) for _ in range(2))
    mask = _elastic(rng, cv2.copyMakeBorder(mask, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0), em)
    scale = HEIGHT / mask.shape[0]
    width = max(1, int(round(mask.shape[1] * scale)))
    mask = cv2.resize(mask, (width, HEIGHT), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return _ink(rng, _paper(rng, HEIGHT, width, (baseline + top) * scale, em * scale), mask)
