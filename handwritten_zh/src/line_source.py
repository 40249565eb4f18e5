"""Text lines of SCUT-EPT splits and ``gt.txt`` files (``src/annotations.py``, mixed freely) as a sample
source: image files, the charset protocol for labels and the width skip rule.

Labels (``src/charset.py``): for training, a label with a character outside the charset is skipped and
counted (out-of-charset); for evaluation it is kept, each such character as ``UNKNOWN``, and counted.
Leading and trailing whitespace of a label is dropped.  A line without the separator counts as a sample
without label (``model_utils.gt_txt``); a label that is not UTF-8 as a bad label.  A prepared line wider than ``max_width``
(2000 px at height 96) is skipped when read and counted (the reference's protocol).  Both counts are part
of ``skipped`` (``LineSkips``), which training and eval.py print.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from .charset import UNKNOWN, CharsetConverter
from .annotations import line_pairs
from .model_utils.sources import FileSource, Prepare, SkipCounts
from .preprocess import MAX_WIDTH, too_wide


@dataclass
class LineSkips(SkipCounts):
    """The base counts, the lines skipped as wider than ``max_width`` and the characters kept as unknown
    (evaluation), so that every log of skipped samples (training's end, eval.py) shows them."""

    too_wide: int = 0
    max_width: int = MAX_WIDTH
    unknown_characters: int = 0
    labels_with_unknown: int = 0

    def any(self) -> bool:
        return super().any() or bool(self.too_wide or self.unknown_characters)

    def summary(self) -> str:
        return (f"{super().summary()}, {self.too_wide} lines wider than {self.max_width} px; "
                f"{self.unknown_characters} characters outside the charset kept as unknown "
                f"(in {self.labels_with_unknown} labels)")


class LineSource(FileSource):
    """Random-access source over the text lines of ``paths`` (one entry each); keys are image file paths."""

    def __init__(self, paths: Sequence[str], converter: CharsetConverter, prepare: Prepare, for_eval: bool = False,
                 max_width: int = MAX_WIDTH):
        self.max_width = max_width
        self._lock = threading.Lock()
        super().__init__(paths, converter, prepare, strip_unknown=for_eval, entries=line_pairs,
                         skipped=LineSkips(max_width=max_width))

    @property
    def too_wide(self) -> int:
        return self.skipped.too_wide

    @property
    def unknown_characters(self) -> int:
        return self.skipped.unknown_characters

    @property
    def labels_with_unknown(self) -> int:
        return self.skipped.labels_with_unknown

    def add_file(self, entry: int, file: str, text: Optional[bytes]) -> bool:
        """Index one line of path number ``entry``, counting characters kept as unknown; False when it is
        skipped (counted)."""
        added = super().add_file(entry, file, text)
        if added:
            unknown = self.samples[-1][2].count(UNKNOWN)
            self.skipped.unknown_characters += unknown
            self.skipped.labels_with_unknown += unknown > 0
        return added

    def draw(self, index: int, epoch: Optional[int] = None):
        image, ids, length, number, valid = super().draw(index, epoch)
        if valid and too_wide(image, self.max_width):
            with self._lock:
                self.skipped.too_wide += 1
            return np.zeros((1, 1, 1), np.uint8), ids, length, number, np.bool_(False)
        return image, ids, length, number, valid
