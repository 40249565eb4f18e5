"""Procedural scene backgrounds and colour schemes for synthetic word crops (SynthText / MJSynth style).

``scheme`` draws harmonious colours: a background, a text fill far from it in luminance, an outline or
shadow colour; either a common sign / print pairing (white on blue, black on yellow...) or a hue relation
(monochrome, analogous, complementary, triadic) in HSV.  ``background`` fills an H x W x 3 float32 canvas with
one of: flat, linear or radial gradient, stone / concrete (octaves of value noise), wood (warped rings),
paper (fibres and grain), bricks / tiles, a photo-like blur of coloured blobs, and clutter (lines, boxes,
circles) over any of them.  Everything random comes from the generator passed in.
"""
from __future__ import annotations

import colorsys

import cv2
import numpy as np

LUMA = np.array([0.299, 0.587, 0.114], np.float32)
MIN_CONTRAST = 55.0   # least luminance difference between text and background
SIGN_PAIRS = (        # (background, text) of common signs and print
    ((250, 250, 245), (20, 20, 20)), ((20, 20, 20), (245, 245, 245)), ((30, 70, 160), (250, 250, 250)),
    ((20, 110, 60), (250, 250, 250)), ((200, 30, 30), (250, 250, 250)), ((250, 210, 40), (20, 20, 20)),
    ((240, 230, 200), (90, 40, 20)), ((60, 40, 30), (230, 200, 120)), ((180, 180, 185), (30, 30, 60)),
    ((250, 250, 250), (200, 20, 30)), ((250, 250, 250), (20, 60, 150)), ((0, 0, 0), (250, 200, 0)),
)
RELATIONS = (0.0, 1 / 12, -1 / 12, 0.5, 1 / 3, -1 / 3)  # hue turns: same, analogous, complementary, triadic
KINDS = ("flat", "gradient", "radial", "stone", "wood", "paper", "tiles", "photo")
KIND_CHANCES = np.array([0.1, 0.15, 0.08, 0.17, 0.1, 0.12, 0.08, 0.2])


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, float(np.clip(s, 0, 1)), float(np.clip(v, 0, 1))),
                    np.float32) * 255


def luma(colour: np.ndarray) -> float:
    """Luminance (0-255) of an RGB colour."""
    return float(colour @ LUMA)


def scheme(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(background, text, accent) RGB float32 colours; text and background differ in luminance."""
    while True:
        if rng.random() < 0.45:
            bg, fg = (np.array(c, np.float32) + rng.normal(0, 12, 3) for c in SIGN_PAIRS[rng.integers(len(SIGN_PAIRS))])
        else:
            hue = rng.random()
            relation = RELATIONS[int(rng.integers(len(RELATIONS)))]
            dark_text = rng.random() < 0.6
            light, dark = rng.uniform(0.7, 1.0), rng.uniform(0.05, 0.4)
            bg = _hsv(hue, rng.beta(1.2, 3.0), light if dark_text else dark)  # natural scenes: mostly muted
            fg = _hsv(hue + relation, rng.beta(1.5, 2.0), dark if dark_text else light)
        bg, fg = np.clip(bg, 0, 255), np.clip(fg, 0, 255)
        if abs(luma(bg) - luma(fg)) > MIN_CONTRAST:
            accent = _hsv(rng.random(), rng.uniform(0.3, 1), rng.uniform(0, 1))
            if rng.random() < 0.5 or abs(luma(accent) - luma(fg)) < MIN_CONTRAST:  # an outline must show the fill
                accent = np.clip(fg * 0.25 if luma(fg) > luma(bg) else 255 - (255 - fg) * 0.25, 0, 255)
            return bg.astype(np.float32), fg.astype(np.float32), accent.astype(np.float32)


def value_noise(rng: np.random.Generator, h: int, w: int, cell: float, octaves: int) -> np.ndarray:
    """Fractal value noise in about [-1, 1] (float32 H x W): ``octaves`` grids from ``cell`` px, halving."""
    total = np.zeros((h, w), np.float32)
    amplitude = 1.0
    for _ in range(octaves):
        grid = rng.uniform(-1, 1, (int(h / cell) + 2, int(w / cell) + 2)).astype(np.float32)
        total += amplitude * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        amplitude, cell = amplitude * 0.5, max(cell / 2, 1.0)
    return total / 1.9


def _blend(field: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel a + field (0..1) * (b - a)."""
    return a + np.clip(field, 0, 1)[..., None] * (b - a)


def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))


def _pattern(rng: np.random.Generator, kind: str, h: int, w: int, bg: np.ndarray) -> np.ndarray:
    other = np.clip(bg + rng.normal(0, 40, 3), 0, 255).astype(np.float32)
    if kind == "flat":
        return np.broadcast_to(bg, (h, w, 3)).astype(np.float32)
    if kind == "gradient":
        x, y = _grid(h, w)
        angle = rng.uniform(0, np.pi)
        ramp = x * np.cos(angle) + y * np.sin(angle)
        return _blend((ramp - ramp.min()) / max(float(np.ptp(ramp)), 1.0), bg, other)
    if kind == "radial":
        x, y = _grid(h, w)
        r = np.hypot(x - rng.uniform(0, w), y - rng.uniform(0, h))
        return _blend(r / max(float(r.max()), 1.0), bg, other)
    if kind == "stone":
        return _blend(0.5 + 0.6 * value_noise(rng, h, w, rng.uniform(4, 30), 4), bg, other)
    if kind == "wood":
        x, y = _grid(h, w)
        along = x if rng.random() < 0.7 else y
        rings = np.sin((along * rng.uniform(0.05, 0.3) + 6 * value_noise(rng, h, w, rng.uniform(8, 40), 2)))
        return _blend(0.5 + 0.4 * rings, bg, other * np.float32(0.8))
    if kind == "paper":
        fibres = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 0.6, 3.0)
        return np.broadcast_to(bg, (h, w, 3)) + (fibres * rng.uniform(4, 14))[..., None] \
            + (value_noise(rng, h, w, 20, 2) * rng.uniform(3, 12))[..., None]
    if kind == "tiles":
        canvas = np.broadcast_to(bg, (h, w, 3)).astype(np.float32).copy()
        step_y, step_x = rng.uniform(8, 40), rng.uniform(12, 80)
        line = tuple(float(v) for v in other * 0.7)
        for row, y in enumerate(np.arange(rng.uniform(0, step_y), h, step_y)):
            cv2.line(canvas, (0, int(y)), (w, int(y)), line, 1 + int(rng.integers(2)))
            shift = step_x / 2 * (row % 2)
            for x in np.arange(shift, w, step_x):
                cv2.line(canvas, (int(x), int(y)), (int(x), int(y + step_y)), line, 1)
        return canvas
    # photo: a defocused scene, coloured blobs blurred away
    canvas = np.broadcast_to(bg, (h, w, 3)).astype(np.float32).copy()
    for _ in range(int(rng.integers(3, 12))):
        colour = tuple(float(v) for v in np.clip(bg + rng.normal(0, 60, 3), 0, 255))
        centre = (int(rng.integers(w)), int(rng.integers(h)))
        cv2.circle(canvas, centre, int(rng.integers(3, max(4, h))), colour, -1)
    return cv2.GaussianBlur(canvas, (0, 0), rng.uniform(2, 8))


def clutter(rng: np.random.Generator, canvas: np.ndarray, colours: tuple[np.ndarray, ...]) -> None:
    """Draw a few lines, box edges and circles in the scheme's colours (in place): edges of nearby objects."""
    h, w = canvas.shape[:2]
    for _ in range(int(rng.integers(1, 5))):
        colour = tuple(float(v) for v in colours[rng.integers(len(colours))])
        p1 = (int(rng.integers(w)), int(rng.integers(h)))
        p2 = (int(rng.integers(w)), int(rng.integers(h)))
        shape = rng.integers(3)
        if shape == 0:
            cv2.line(canvas, p1, p2, colour, int(rng.integers(1, 4)), cv2.LINE_AA)
        elif shape == 1:
            cv2.rectangle(canvas, p1, p2, colour, int(rng.integers(1, 3)))
        else:
            cv2.circle(canvas, p1, int(rng.integers(2, max(3, h // 2))), colour, int(rng.integers(1, 3)), cv2.LINE_AA)


def background(rng: np.random.Generator, h: int, w: int, bg: np.ndarray, accents: tuple[np.ndarray, ...]
               ) -> np.ndarray:
    """An H x W x 3 float32 scene background around the colour ``bg``, sometimes with clutter in ``accents``."""
    kind = KINDS[min(int(np.searchsorted(np.cumsum(KIND_CHANCES), rng.random() * KIND_CHANCES.sum())), len(KINDS) - 1)]
    canvas = np.ascontiguousarray(_pattern(rng, kind, h, w, bg), dtype=np.float32)
    if rng.random() < 0.15:
        clutter(rng, canvas, accents)
    if rng.random() < 0.3:  # uneven light
        canvas *= (1 + 0.25 * value_noise(rng, h, w, max(h, w) / 2, 1))[..., None]
    return canvas
