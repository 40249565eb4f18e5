"""Plate texts as GA 36 writes them, one per plate style, drawn from a ``numpy`` generator.

Every plate but the embassy one starts with a province (the 31 of ``charsets/license_plate.txt``) and the
letter of the issuing office (A-Z without I and O), then:

* ``blue``, ``yellow``: 5 serial characters, digits or letters without I and O, at most 2 letters;
* ``green`` (new-energy, 8 characters): D (electric) or F (hybrid), a letter or digit, then 4 digits;
* ``police`` (white): 4 serial characters, then 警;  ``coach`` (yellow): 4, then 学;
  ``trailer`` (yellow): 4, then 挂;
* ``hongkong`` / ``macau`` (black): 粤Z, 4 serial characters, then 港 / 澳;
* ``consulate`` (black): 4 digits, then 领;
* ``embassy`` (black): 使 first, then 6 digits (3 for the embassy, 3 for the vehicle).
"""
from __future__ import annotations

import numpy as np

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
DIGITS = "0123456789"
SUFFIX = {"police": "警", "coach": "学", "trailer": "挂", "hongkong": "港", "macau": "澳", "consulate": "领"}
STYLES = ("blue", "yellow", "green", "police", "coach", "trailer", "hongkong", "macau", "consulate", "embassy")


def _pick(rng: np.random.Generator, chars: str, count: int = 1) -> str:
    return "".join(chars[i] for i in rng.integers(0, len(chars), count))


def serial(rng: np.random.Generator, count: int, max_letters: int = 2) -> str:
    """``count`` serial characters: digits, with up to ``max_letters`` letters at random places."""
    chars = [_pick(rng, DIGITS) for _ in range(count)]
    for place in rng.choice(count, int(rng.integers(0, max_letters + 1)), replace=False):
        chars[place] = _pick(rng, LETTERS)
    return "".join(chars)


def plate_text(rng: np.random.Generator, style: str) -> str:
    """A text that a plate of ``style`` (one of ``STYLES``) can carry."""
    if style == "embassy":
        return "使" + _pick(rng, DIGITS, 6)
    if style in ("hongkong", "macau"):
        return "粤Z" + serial(rng, 4) + SUFFIX[style]
    head = _pick(rng, PROVINCES) + _pick(rng, LETTERS)
    if style in ("blue", "yellow"):
        return head + serial(rng, 5)
    if style == "green":
        return head + _pick(rng, "DF") + _pick(rng, LETTERS + DIGITS) + _pick(rng, DIGITS, 4)
    if style == "consulate":
        return head + _pick(rng, DIGITS, 4) + SUFFIX[style]
    if style in SUFFIX:
        return head + serial(rng, 4) + SUFFIX[style]
    raise ValueError(f"unknown plate style {style!r}; choose one of {', '.join(STYLES)}")
