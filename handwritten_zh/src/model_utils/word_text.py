"""What a synthetic word image says: dictionary words, numbers and codes, in MJSynth's three cases (lower,
Capitalised, UPPER) plus a few mixed-case ones, sometimes with punctuation attached as real crops have it
(``word,`` ``(word)`` ``$12.50`` ``50%``).

The label is the letters and digits of the rendered text, case kept: the word benchmarks' protocol (IIIT5K,
SVT, IC13 labels are compared on 0-9a-z, symbols removed).  A text belongs to the split its lower-cased label
hashes to (``word_split``), so train and validation never share a word.
"""
from __future__ import annotations

import re
import string
import zlib
from typing import Sequence

import numpy as np

VAL_WORD_MODULO = 10    # one word in ten goes to validation
KIND_CHANCES = (("word", 0.82), ("number", 0.1), ("code", 0.08))
CASE_CHANCES = (("lower", 0.4), ("capital", 0.3), ("upper", 0.25), ("mixed", 0.05))
SYMBOL_CHANCE = 0.15    # a text gets punctuation attached
WRAPS = ("{},", "{}.", "{}:", "{};", "{}!", "{}?", "({})", '"{}"', "'{}'", "{}-", "-{}", "#{}", "{}'s", "&{}",
         "@{}", "{}/", "*{}")
DIGITS, LETTERS = np.array(list(string.digits)), np.array(list(string.ascii_lowercase))
NUMBER_FORMATS = ("{d}", "{d}", "{d}.{d2}", "${d}", "${d}.{d2}", "{d}%", "{d},{d3}", "{d}-{d4}", "{d}/{d2}",
                  "No.{d}", "{d}:{d2}")


def word_split(word: str) -> str:
    """Split a word into train or val by a stable hash of its lower-cased form."""
    return "val" if zlib.crc32(word.lower().encode()) % VAL_WORD_MODULO == 0 else "train"


def label_of(text: str) -> str:
    """The letters and digits of a rendered text (the label under the benchmarks' protocol)."""
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _pick(rng: np.random.Generator, chances: Sequence[tuple[str, float]]) -> str:
    names, weights = zip(*chances)
    return names[min(int(np.searchsorted(np.cumsum(weights), rng.random() * sum(weights))), len(names) - 1)]


def _case(rng: np.random.Generator, word: str) -> str:
    case = _pick(rng, CASE_CHANCES)
    if case == "upper":
        return word.upper()
    if case == "capital":
        return word.capitalize()
    if case == "mixed":
        return "".join(c.upper() if rng.random() < 0.5 else c for c in word)
    return word


def _digits(rng: np.random.Generator, low: int, high: int) -> str:
    return "".join(DIGITS[rng.integers(10, size=int(rng.integers(low, high + 1)))])


def _number(rng: np.random.Generator) -> str:
    form = NUMBER_FORMATS[int(rng.integers(len(NUMBER_FORMATS)))]
    return form.format(d=_digits(rng, 1, 4), d2=_digits(rng, 2, 2), d3=_digits(rng, 3, 3), d4=_digits(rng, 4, 4))


def _code(rng: np.random.Generator, max_len: int) -> str:
    letters = "".join(LETTERS[rng.integers(26, size=int(rng.integers(1, 4)))])
    digits = _digits(rng, 1, min(5, max_len - len(letters)))
    return letters + digits if rng.random() < 0.6 else digits + letters


def sample_text(rng: np.random.Generator, words: Sequence[str], split: str, max_len: int) -> str:
    """A rendered text whose label (``label_of``) falls in ``split`` and has 1..``max_len`` characters."""
    while True:
        kind = _pick(rng, KIND_CHANCES)
        if kind == "word":
            text = _case(rng, words[int(rng.integers(len(words)))])
        else:
            text = _number(rng) if kind == "number" else _case(rng, _code(rng, max_len))
        if kind != "number" and rng.random() < SYMBOL_CHANCE:
            text = WRAPS[int(rng.integers(len(WRAPS)))].format(text)
        label = label_of(text)
        if 1 <= len(label) <= max_len and word_split(label) == split:
            return text
