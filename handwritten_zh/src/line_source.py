"""Text lines of SCUT-EPT splits and ``gt.txt`` files (``src/annotations.py``, mixed freely) as a sample
source: image files, the charset protocol for labels and the width skip rule.

Labels (``src/charset.py``): for training, a label with a character outside the charset is skipped and
counted (out-of-charset); for evaluation it is kept, each such character as ``UNKNOWN``, and counted.
Leading and trailing whitespace of a label is dropped.  A line without the separator counts as a sample
without label; a label that is not UTF-8 as a bad label.  A prepared line wider than ``max_width``
(2000 px at height 96) is skipped when read and counted (the reference's protocol).
"""
from __future__ import annotations

import threading
from typing import Hashable, Optional, Sequence

import numpy as np

from .charset import UNKNOWN, CharsetConverter
from .annotations import line_pairs
from .model_utils.sources import LabelledSource, Prepare
from .preprocess import MAX_WIDTH, too_wide


class LineSource(LabelledSource):
    """Random-access source over the text lines of ``paths`` (one entry each); keys are image file paths."""

    def __init__(self, paths: Sequence[str], converter: CharsetConverter, prepare: Prepare, for_eval: bool = False,
                 max_width: int = MAX_WIDTH):
        super().__init__(converter, prepare, strip_unknown=for_eval)
        self.max_width = max_width
        self.unknown_characters = 0
        self.labels_with_unknown = 0
        self.too_wide = 0
        self._lock = threading.Lock()
        self.num_entries = len(paths)
        for entry, path in enumerate(paths):
            self.sizes[path] = sum(self.add_line(entry, image, text) for image, text in line_pairs(path))
        self.check_not_empty(paths)

    def add_line(self, entry: int, image_path: str, text: Optional[bytes]) -> bool:
        """Index one line of path number ``entry``; False when it is skipped (counted)."""
        added = self.add(entry, image_path, None if text is None else text.strip())
        if added:
            unknown = self.samples[-1][2].count(UNKNOWN)
            self.unknown_characters += unknown
            self.labels_with_unknown += unknown > 0
        return added

    def read(self, key: Hashable) -> Optional[bytes]:
        try:
            with open(key, "rb") as f:
                return f.read()
        except OSError:
            return None

    def draw(self, index: int, epoch: Optional[int] = None):
        image, ids, length, number, valid = super().draw(index, epoch)
        if valid and too_wide(image, self.max_width):
            with self._lock:
                self.too_wide += 1
            return np.zeros((1, 1, 1), np.uint8), ids, length, number, np.bool_(False)
        return image, ids, length, number, valid

    def describe(self) -> str:
        """The base summary, then the characters kept as unknown and the lines skipped as too wide."""
        return (f"{super().describe()}\n  {self.unknown_characters} characters outside the charset kept as unknown "
                f"(in {self.labels_with_unknown} labels); {self.too_wide} lines wider than {self.max_width} px "
                "skipped so far")
