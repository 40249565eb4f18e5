"""Text of the synthetic handwriting lines: the charset, a Chinese corpus split into train and validation
runs, and the line sampler (corpus substrings with the corpus's character frequencies, or uniform draws
from a set of characters so that rare characters are seen too).

Corpus files are UTF-8 text; Debian's ``fortunes-zh`` files (``/usr/share/games/fortunes/{chinese,song100,
tang300}.u8``) are the default: their ``%`` entry separators, ANSI colour escapes and ``-- source``
attribution lines are left out.  Each text line goes to validation when the CRC-32 of its text (escapes and
outer spaces removed) is 0 mod 10, so equal lines always land in the same split and a validation line is
never a verbatim training line.  A line is split into runs of charset characters: any other character
(traditional forms missing from the set, ``・``, spaces, Latin letters...) breaks a run.  Half-width ASCII
punctuation becomes its full-width form when only that is in the set (the set has ``，`` but no ``,``);
Latin words stay out (the corpus's URLs and commands are not handwriting), and so do three or more equal
characters in a row (``－－－－`` rules).
"""
from __future__ import annotations

import re
import zlib
from typing import Sequence

import numpy as np

from .model_utils.errors import DatasetError

FORTUNE_FILES = tuple(f"/usr/share/games/fortunes/{name}.u8" for name in ("chinese", "song100", "tang300"))
VAL_MODULO = 10  # one corpus line in ten goes to validation
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
REPEATS = re.compile(r"(.)\1{2,}")


def line_split(line: str) -> str:
    """``train`` or ``val`` for a cleaned corpus line, by a stable hash of its text."""
    return "val" if zlib.crc32(line.encode("utf-8")) % VAL_MODULO == 0 else "train"


def corpus_runs(paths: Sequence[str], charset: Sequence[str], min_chars: int) -> dict[str, list[str]]:
    """Runs of at least ``min_chars`` charset characters of the corpus files, per split (train, val)."""
    allowed = set(charset)
    widen = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))
             if not c.isalnum() and c not in allowed and chr(ord(c) + 0xFEE0) in allowed}
    table = str.maketrans(widen)
    run = re.compile("[" + "".join(re.escape(c) for c in sorted(allowed)) + "]{%d,}" % min_chars)
    runs: dict[str, list[str]] = {"train": [], "val": []}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError as err:
            raise DatasetError(f"corpus file {path} does not exist") from err
        except (OSError, UnicodeDecodeError) as err:
            raise DatasetError(f"cannot read corpus file {path} as UTF-8 text: {err}") from err
        for line in ANSI_ESCAPE.sub("", text).split("\n"):
            line = line.strip()
            if line and line != "%" and not line.startswith("--"):
                runs[line_split(line)] += run.findall(REPEATS.sub("\n", line.translate(table)))
    return runs


class TextSampler:
    """Draws line texts of ``min_chars``..``max_chars`` characters from one split's corpus runs."""

    def __init__(self, runs: Sequence[str], min_chars: int, max_chars: int):
        self.runs = list(runs)
        self.min_chars, self.max_chars = min_chars, max_chars
        lengths = np.array([len(r) for r in self.runs], dtype=np.int64)
        # starts[k][i]: substrings of length min_chars + k in runs 0..i together (cumulative)
        self._starts = [np.cumsum(np.maximum(lengths - n + 1, 0)) for n in range(min_chars, max_chars + 1)]

    def shortest_missing(self) -> int:
        """The least line length in range that no run is long enough for, or 0 when every length can be drawn."""
        return next((self.min_chars + k for k, s in enumerate(self._starts) if not len(s) or s[-1] == 0), 0)

    def length(self, rng: np.random.Generator) -> int:
        """A line length, uniform in ``min_chars``..``max_chars``."""
        return int(rng.integers(self.min_chars, self.max_chars + 1))

    def corpus_line(self, rng: np.random.Generator, length: int) -> str:
        """A substring of ``length`` characters, uniform over every such substring of the runs."""
        starts = self._starts[length - self.min_chars]
        position = int(rng.integers(starts[-1]))
        which = int(np.searchsorted(starts, position, side="right"))
        offset = position - (int(starts[which - 1]) if which else 0)
        return self.runs[which][offset:offset + length]


def uniform_line(rng: np.random.Generator, characters: np.ndarray, length: int) -> str:
    """``length`` characters drawn uniformly (with replacement) from the array ``characters``."""
    return "".join(characters[rng.integers(len(characters), size=length)])
