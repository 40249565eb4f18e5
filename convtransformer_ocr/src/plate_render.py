"""A clean, flat plate image: background, frame, rivets, the separator dot and the characters.

Geometry follows GA 36 in millimetres, drawn at ``scale`` px/mm: a 440 x 140 plate of 7 characters
45 x 90 mm (12 mm apart, 34 mm between the second and the third, where the dot is), a 480 x 140
new-energy plate of 8 characters 43 x 90 mm.  Glyphs come from Debian font packages: a condensed sans
for letters and digits and a CJK sans for Chinese, each rendered once per process and stretched to the
character box (plate characters are narrow and tall).  A ``FontPair`` names the two fonts.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .model_utils.errors import UsageError


@dataclass(frozen=True)
class FontPair:
    """The font files (and collection indices) of Latin/digits and of Chinese, and their Debian packages."""

    latin: str
    chinese: str
    chinese_index: int
    packages: str


# (background RGB, character RGB, suffix/prefix RGB); green is a vertical gradient (top, bottom)
COLOURS = {
    "blue": ((10, 60, 170), (245, 245, 245)),
    "yellow": ((250, 195, 20), (15, 15, 15)),
    "coach": ((250, 195, 20), (15, 15, 15)),
    "trailer": ((250, 195, 20), (15, 15, 15)),
    "green": (((235, 245, 235), (60, 190, 90)), (15, 15, 15)),
    "police": ((245, 245, 245), (15, 15, 15)),
    "hongkong": ((15, 15, 15), (245, 245, 245)),
    "macau": ((15, 15, 15), (245, 245, 245)),
    "consulate": ((15, 15, 15), (245, 245, 245)),
    "embassy": ((15, 15, 15), (245, 245, 245)),
}
RED = (210, 25, 25)
RED_CHARS = {"police": "警", "consulate": "领", "embassy": "使"}
HEIGHT_MM, CHAR_HEIGHT_MM, MARGIN_MM = 140.0, 90.0, 15.5
GLYPH_SIZE = 96  # px of the font when a glyph is first rendered


@lru_cache(maxsize=None)
def _font(path: str, index: int) -> ImageFont.FreeTypeFont:
    if not os.path.isfile(path):
        raise UsageError(f"font {path} is missing: install the Debian font packages (see src/plate_synth.py)")
    return ImageFont.truetype(path, GLYPH_SIZE, index=index)


@lru_cache(maxsize=None)
def _glyph(char: str, fonts: FontPair) -> np.ndarray:
    """The ink of ``char`` as float32 in [0, 1], cropped to its bounding box."""
    latin = char.isascii()
    font = _font(fonts.latin if latin else fonts.chinese, 0 if latin else fonts.chinese_index)
    left, top, right, bottom = font.getbbox(char)
    canvas = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(canvas).text((2 - left, 2 - top), char, font=font, fill=255)
    ink = np.asarray(canvas, np.float32) / 255.0
    rows, cols = np.flatnonzero(ink.max(1) > 0.1), np.flatnonzero(ink.max(0) > 0.1)
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


@lru_cache(maxsize=4096)
def _glyph_box(char: str, fonts: FontPair, width: int, height: int) -> np.ndarray:
    """The ink of ``char`` stretched to ``width`` x ``height`` px (a digit 1 keeps its narrow width)."""
    ink = _glyph(char, fonts)
    natural = ink.shape[1] * height / ink.shape[0]
    fit = width if natural > 0.45 * width else max(1, int(round(natural * 1.2)))
    stretched = cv2.resize(ink, (fit, height), interpolation=cv2.INTER_AREA)
    box = np.zeros((height, width), np.float32)
    box[:, (width - fit) // 2:(width - fit) // 2 + fit] = stretched
    return box


def layout(count: int) -> tuple[float, float, float, float]:
    """(plate width, character width, spacing, gap at the dot) in mm for 7 or 8 characters."""
    if count == 8:
        return 480.0, 43.0, 9.0, 480.0 - 2 * MARGIN_MM - 8 * 43.0 - 6 * 9.0
    return 440.0, 45.0, 12.0, 34.0


def render_plate(text: str, style: str, fonts: FontPair, scale: float, rng: np.random.Generator) -> np.ndarray:
    """RGB uint8 image of a flat plate of ``style`` carrying ``text`` (7 or 8 characters)."""
    width_mm, char_mm, space_mm, gap_mm = layout(len(text))
    w, h = int(round(width_mm * scale)), int(round(HEIGHT_MM * scale))
    background, ink = COLOURS[style]
    if style == "green":
        top, bottom = (np.asarray(c, np.float32) for c in background)
        ramp = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
        plate = np.broadcast_to(top + (bottom - top) * ramp, (h, w, 3)).copy()
    else:
        plate = np.empty((h, w, 3), np.float32)
        plate[:] = background
    plate += rng.normal(0.0, 6.0, 3).astype(np.float32)  # paint differs from plate to plate
    frame = max(1, int(round(1.5 * scale)))
    inset = int(round(4 * scale))
    cv2.rectangle(plate, (inset, inset), (w - 1 - inset, h - 1 - inset), ink, frame, cv2.LINE_AA)
    if rng.random() < 0.7:  # rivets
        for x in (w * 0.25, w * 0.75):
            centre = (int(x), int(round(12 * scale)))
            cv2.circle(plate, centre, max(2, int(round(5 * scale))), (170, 170, 175), -1, cv2.LINE_AA)
            cv2.circle(plate, centre, max(1, int(round(2 * scale))), (90, 90, 95), -1, cv2.LINE_AA)
    top_px = int(round((HEIGHT_MM - CHAR_HEIGHT_MM) / 2 * scale))
    char_w, char_h = max(4, int(round(char_mm * scale))), int(round(CHAR_HEIGHT_MM * scale))
    x = MARGIN_MM
    for number, char in enumerate(text):
        colour = np.asarray(RED if RED_CHARS.get(style) == char else ink, np.float32)
        alpha = _glyph_box(char, fonts, char_w, char_h)[..., None]
        left = int(round(x * scale))
        region = plate[top_px:top_px + char_h, left:left + char_w]
        region[:] = region * (1.0 - alpha[:, :region.shape[1]]) + colour * alpha[:, :region.shape[1]]
        if number == 1:
            centre = (int(round((x + char_mm + gap_mm / 2) * scale)), h // 2)
            cv2.circle(plate, centre, max(1, int(round(5 * scale))), ink, -1, cv2.LINE_AA)
            x += char_mm + gap_mm
        else:
            x += char_mm + space_mm
    return np.clip(plate, 0, 255).astype(np.uint8)
