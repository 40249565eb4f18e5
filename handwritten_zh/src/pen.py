"""Characters drawn with a pen rather than typeset: a glyph's skeleton re-drawn with stroke-level variation.

``skeleton`` thins a glyph mask to one-pixel centre lines (Zhang-Suen, numpy).  ``PenStyle`` is one writer's
hand for a line: pen width, pressure variation, wobble, how much strokes move apart and how often the pen is
not lifted between strokes.  ``draw_glyph`` moves each connected part of the skeleton (a stroke or a radical)
by its own small affine transform, bends the whole character by a smooth displacement field, joins nearby
parts with thin pen-drag lines (connected, cursive writing) and re-draws every centre-line point with the
pen's tip, whose size follows a smooth pressure field: a disc (ballpoint, pencil) or, for some writers, a
flat nib held at an angle (fountain pen: a stroke is broad across the nib and thin along it).  The strokes
keep the font's structure but not its outline.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_NEIGHBOURS = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))  # P2..P9, clockwise
RADIUS_LEVELS = 6   # pen radii are drawn with this many tip sizes
NIB_SHARE = 1 / 3   # writers holding a flat nib


def _removable(step: int) -> np.ndarray:
    """Zhang-Suen's deletion rule of one sub-iteration for each of the 256 neighbourhoods (bit i: P(i+2))."""
    table = np.zeros(256, np.uint8)
    for code in range(256):
        p = [(code >> i) & 1 for i in range(8)]
        transitions = sum(p[i] == 0 and p[(i + 1) % 8] == 1 for i in range(8))
        if step == 0:
            cond = p[0] * p[2] * p[4] == 0 and p[2] * p[4] * p[6] == 0
        else:
            cond = p[0] * p[2] * p[6] == 0 and p[0] * p[4] * p[6] == 0
        table[code] = 2 <= sum(p) <= 6 and transitions == 1 and cond
    return table


_RULES = (_removable(0), _removable(1))
_CODE_KERNEL = np.zeros((3, 3), np.float32)
for _bit, (_dy, _dx) in enumerate(_NEIGHBOURS):
    _CODE_KERNEL[1 + _dy, 1 + _dx] = 1 << _bit


def skeleton(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide centre lines (bool) of a uint8 ink mask, by Zhang-Suen thinning (each pixel's
    neighbourhood coded by one correlation, the rule looked up); every ink part keeps at least one pixel."""
    img = (mask > 127).astype(np.uint8)
    while True:
        changed = False
        for rule in _RULES:
            code = cv2.filter2D(img, cv2.CV_16U, _CODE_KERNEL, borderType=cv2.BORDER_CONSTANT)
            remove = (img == 1) & (rule[np.minimum(code, 255)] == 1)
            if remove.any():
                img[remove] = 0
                changed = True
        if not changed:
            return _keep_specks(mask > 127, img.astype(bool))


def _keep_specks(ink: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Put back one pixel (the centroid's nearest ink) of each ink part that thinning erased (dots, specks)."""
    count, labels = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    for k in set(range(1, count)) - set(np.unique(labels[centre])):
        ys, xs = np.nonzero(labels == k)
        nearest = int(np.argmin((ys - ys.mean()) ** 2 + (xs - xs.mean()) ** 2))
        centre[ys[nearest], xs[nearest]] = True
    return centre


@dataclass(frozen=True)
class PenStyle:
    """One writer's pen for a line (lengths in px of the glyph masks' em)."""

    radius: float       # mean pen radius
    pressure: float     # relative radius variation along the strokes
    wobble: float       # displacement field amplitude
    part_shift: float   # per-part translation spread
    part_angle: float   # per-part rotation spread (radians)
    join: float         # chance that two nearby parts are joined by a pen drag
    nib: float = 1.0    # the tip's long axis over its short one (1: round; a flat nib up to 4)
    nib_angle: float = 0.0  # the long axis' angle to the baseline (degrees)

    @staticmethod
    def draw(rng: np.random.Generator, em: int) -> "PenStyle":
        """A random hand: thin to thick pens, neat to hasty; one writer in three holds a flat nib."""
        haste = rng.uniform(0, 1)
        flat = rng.random() < NIB_SHARE
        return PenStyle(radius=em * rng.uniform(0.012, 0.04), pressure=rng.uniform(0.15, 0.5),
                        wobble=em * (0.015 + 0.045 * haste), part_shift=em * (0.01 + 0.04 * haste),
                        part_angle=0.03 + 0.1 * haste, join=0.8 * haste,
                        nib=float(rng.uniform(2.0, 4.0)) if flat else 1.0, nib_angle=float(rng.uniform(15, 65)))

    def tip(self, radius: float) -> np.ndarray:
        """The pen's tip of mean radius ``radius`` as a structuring element: a disc, or a flat nib (an ellipse
        of the same area, its long axis at ``nib_angle``)."""
        if self.nib == 1.0:
            k = 2 * int(np.ceil(radius)) + 1
            return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        long, short = radius * np.sqrt(self.nib), max(0.5, radius / np.sqrt(self.nib))
        c = int(np.ceil(long))
        tip = np.zeros((2 * c + 1, 2 * c + 1), np.uint8)
        cv2.ellipse(tip, (c, c), (max(1, int(round(long))), int(round(short))), -self.nib_angle, 0, 360, 1, -1)
        return tip


def _field(rng: np.random.Generator, h: int, w: int, cell: float) -> np.ndarray:
    """A smooth random field in about [-1, 1] (float32 H x W)."""
    grid = rng.uniform(-1, 1, (int(h / cell) + 2, int(w / cell) + 2)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _joins(rng: np.random.Generator, parts: list[np.ndarray], reach: float, chance: float) -> list[np.ndarray]:
    """Points of straight pen drags between consecutive parts (in writing order) closer than ``reach``."""
    drags = []
    for a, b in zip(parts, parts[1:]):
        if rng.random() >= chance:
            continue
        sa, sb = a[:: max(1, len(a) // 30)], b[:: max(1, len(b) // 30)]
        dist = np.linalg.norm(sa[:, None] - sb[None], axis=2)
        i, j = np.unravel_index(int(dist.argmin()), dist.shape)
        if 1.5 < dist[i, j] < reach:
            steps = np.linspace(0, 1, int(dist[i, j]) + 2)[:, None]
            drags.append(sa[i] + steps * (sb[j] - sa[i]))
    return drags


def draw_glyph(rng: np.random.Generator, centre_lines: np.ndarray, pen: PenStyle) -> tuple[np.ndarray, int]:
    """(uint8 ink mask, px of margin added on each side) of the skeleton ``centre_lines`` re-drawn by ``pen``."""
    h, w = centre_lines.shape
    margin = int(np.ceil(pen.radius * (1 + pen.pressure) * np.sqrt(pen.nib) + 2 * pen.wobble + 2 * pen.part_shift)) + 2
    count, labels = cv2.connectedComponents(centre_lines.astype(np.uint8), connectivity=8)
    parts = []
    for k in range(1, count):
        ys, xs = np.nonzero(labels == k)
        pts = np.stack([xs, ys], 1).astype(np.float32)
        centre = pts.mean(0)
        angle = rng.normal(0, pen.part_angle)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
        parts.append((pts - centre) @ rot.T * rng.normal(1, 0.04) + centre + rng.normal(0, pen.part_shift, 2))
    if not parts:
        return np.zeros((h + 2 * margin, w + 2 * margin), np.uint8), margin
    parts.sort(key=lambda p: float(p[:, 1].min() * 0.6 + p[:, 0].min()))  # roughly top-left first
    drags = _joins(rng, parts, 0.35 * max(h, w), pen.join)
    points = np.concatenate(parts + drags) + margin
    size = (h + 2 * margin, w + 2 * margin)
    dx, dy = (_field(rng, *size, cell=0.4 * max(h, w)) * pen.wobble for _ in range(2))
    xi = np.clip(points[:, 0].astype(int), 0, size[1] - 1)
    yi = np.clip(points[:, 1].astype(int), 0, size[0] - 1)
    points = points + np.stack([dx[yi, xi], dy[yi, xi]], 1)
    radius = pen.radius * (1 + pen.pressure * _field(rng, *size, cell=0.3 * max(h, w))[yi, xi])
    is_drag = np.zeros(len(points), bool)
    is_drag[len(points) - sum(map(len, drags)):] = True
    radius[is_drag] = np.maximum(0.6, 0.45 * radius[is_drag])  # drags are thin, quick strokes
    levels = np.clip(np.rint(radius / pen.radius / (1 + pen.pressure) * (RADIUS_LEVELS - 1)), 0, RADIUS_LEVELS - 1)
    out = np.zeros(size, np.uint8)
    top = pen.radius * (1 + pen.pressure)
    for level in np.unique(levels):
        pick = levels == level
        r = max(0.6, top * level / (RADIUS_LEVELS - 1))
        dots = np.zeros(size, np.uint8)
        px = np.clip(np.rint(points[pick, 0]).astype(int), 0, size[1] - 1)
        py = np.clip(np.rint(points[pick, 1]).astype(int), 0, size[0] - 1)
        dots[py, px] = 255
        np.maximum(out, cv2.dilate(dots, pen.tip(r)), out=out)
    return cv2.GaussianBlur(out, (3, 3), 0.7), margin
