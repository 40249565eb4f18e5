"""The out-of-distribution renderer of handwriting lines: a second generator that training never uses.

Its own fonts (``OOD_FAMILIES``: two Ming / Song designs and two Japanese handwriting designs, found only by
this module, never by the training discovery of ``handwriting.FAMILIES``) and its own drawing: every glyph's
skeleton is traced into polylines, smoothed (Chaikin) with jittered vertices and drawn with a flat,
angled nib (``cv2.line``: width follows the stroke direction, as a fountain or calligraphy pen), characters
of their own sizes and spacing laid on a wavy, slanted baseline, on lined notebook paper with a vignette.
The gap between the in-distribution validation set and this one measures how much a model learned the
training renderer.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from .handwriting import GLYPH_SIZE, HEIGHT, Face, Family, GlyphCache

OOD_FAMILIES = (
    Family("AR PL UMing", r"AR PL UMing CN", 1.0, "fonts-arphic-uming"),
    Family("AR PL SungtiL GB", r"AR PL SungtiL GB", 1.0, "fonts-arphic-gbsn00lp"),
    Family("Klee One", r"Klee One( \w+)?", 2.0, "fonts-klee"),
    Family("Yusei Magic", r"Yusei Magic", 1.0, "fonts-yusei-magic"),
)
_STEPS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def trace(centre_lines: np.ndarray) -> list[np.ndarray]:
    """The skeleton as polylines (float32 N x 2 arrays of x, y): walks between ends and junctions, then loops;
    an isolated pixel (a dot of ``：``, ``。``, ``i``) is a polyline of one point."""
    pixels = set(zip(*(v.tolist() for v in np.nonzero(centre_lines))))

    def neighbours(p: tuple[int, int]) -> list[tuple[int, int]]:
        return [(p[0] + dy, p[1] + dx) for dy, dx in _STEPS if (p[0] + dy, p[1] + dx) in pixels]

    degree = {p: len(neighbours(p)) for p in pixels}
    walked: set[tuple] = set()
    lines = []
    for start in sorted(pixels, key=lambda p: (degree[p] == 2, p)):
        for first in neighbours(start):
            if (start, first) in walked:
                continue
            line, previous, current = [start], start, first
            walked.update({(start, first), (first, start)})
            while True:
                line.append(current)
                following = [q for q in neighbours(current) if q != previous and (current, q) not in walked]
                if degree[current] != 2 or not following:
                    break
                walked.update({(current, following[0]), (following[0], current)})
                previous, current = current, following[0]
            lines.append(np.array([(x, y) for y, x in line], np.float32))
    lines += [np.array([(x, y)], np.float32) for y, x in sorted(p for p in pixels if degree[p] == 0)]
    return lines


def _smooth(rng: np.random.Generator, line: np.ndarray, jitter: float) -> np.ndarray:
    """Keep every 4th vertex, jitter it, and round the corners twice (Chaikin)."""
    points = np.concatenate([line[::4], line[-1:]]) + rng.normal(0, jitter, (len(line[::4]) + 1, 2))
    for _ in range(2):
        if len(points) < 3:
            break
        q, r = 0.75 * points[:-1] + 0.25 * points[1:], 0.25 * points[:-1] + 0.75 * points[1:]
        points = np.concatenate([points[:1], np.stack([q, r], 1).reshape(-1, 2), points[-1:]])
    return points


def _nib(canvas: np.ndarray, points: np.ndarray, nib: float, thin: float, thick: float, ink: float) -> None:
    """Draw a polyline with a flat nib at angle ``nib``: width from ``thin`` to ``thick`` by direction."""
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
        width = thin + (thick - thin) * abs(math.sin(math.atan2(y1 - y0, x1 - x0) - nib))
        cv2.line(canvas, (int(x0 * 4), int(y0 * 4)), (int(x1 * 4), int(y1 * 4)), ink,
                 max(1, int(round(width))), cv2.LINE_AA, shift=2)


def render_ood_line(rng: np.random.Generator, cache: GlyphCache, face: Face, text: str) -> np.ndarray:
    """A gray uint8 ``HEIGHT`` x W image of ``text`` drawn from ``face``'s skeletons with a flat nib."""
    em = GLYPH_SIZE
    scales = rng.uniform(0.8, 1.15, len(text))
    slant = rng.normal(0, 0.15)                                     # the hand's lean: x shift per px up
    width, height = int(em * 1.6 * (len(text) + 1)), int(em * 1.8)
    canvas = np.zeros((height, width), np.float32)
    nib, thin, thick = rng.uniform(0, math.pi), rng.uniform(1.0, 2.0), rng.uniform(2.5, 5.0)
    wave = rng.uniform(0, 0.1) * em, rng.uniform(3, 9) * em, rng.uniform(0, 2 * math.pi)
    x0, baseline = 0.3 * em, 1.3 * em
    for k, char in enumerate(text):
        glyph = cache.glyph(face, char, em)
        y0 = baseline + glyph.top * scales[k] + wave[0] * math.sin(2 * math.pi * x0 / wave[1] + wave[2])
        for line in trace(cache.centre_lines(face, char, em)):  # a one-point line (a dot) is smoothed into two
            points = _smooth(rng, line, 1.0) * scales[k] + (x0, y0)
            points[:, 0] -= slant * (points[:, 1] - baseline)
            _nib(canvas, points, nib, thin, thick, float(rng.uniform(0.75, 1.0)))
        x0 += glyph.mask.shape[1] * scales[k] + em * rng.uniform(0.05, 0.35)
    rows, cols = np.flatnonzero(canvas.max(1) > 0.1), np.flatnonzero(canvas.max(0) > 0.1)
    pad = int(0.2 * em)
    canvas = canvas[max(0, rows[0] - pad):rows[-1] + pad, max(0, cols[0] - pad):cols[-1] + pad]
    scale = HEIGHT / canvas.shape[0]
    canvas = cv2.resize(canvas, (max(1, int(canvas.shape[1] * scale)), HEIGHT), interpolation=cv2.INTER_AREA)
    return _notebook(rng, canvas)


def _notebook(rng: np.random.Generator, ink: np.ndarray) -> np.ndarray:
    """Lay ink (0..1 coverage) on lined notebook paper with a vignette; uint8 gray."""
    h, w = ink.shape
    x = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    y = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    paper = rng.uniform(205, 250) - rng.uniform(0, 25) * (x * x + y * y) / 2
    paper = np.broadcast_to(paper, (h, w)).copy()
    for row in (int(h * rng.uniform(0.85, 0.97)), int(h * rng.uniform(0.02, 0.12))):
        cv2.line(paper, (0, row), (w - 1, row), float(paper.mean() - rng.uniform(20, 60)), 1)
    level = rng.uniform(20, 110)
    image = paper + (level - paper) * np.clip(ink, 0, 1)
    image += rng.normal(0, rng.uniform(1, 6), (h, w))
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)
