"""Plain ``gt.txt`` annotation files as a sample source: one line per image, ``path<TAB>text``.

A relative path is relative to the folder of the ``gt.txt``.  Labels and the width rule:
``src/line_source.py``.
"""
from __future__ import annotations

import os
from typing import Sequence

from .charset import CharsetConverter
from .line_source import LineSource, read_pairs
from .model_utils.sources import Prepare
from .preprocess import MAX_WIDTH


class GtFileSource(LineSource):
    """Random-access source over ``gt.txt`` files; items as ``LabelledSource``'s."""

    def __init__(self, paths: Sequence[str], converter: CharsetConverter, prepare: Prepare, for_eval: bool = False,
                 max_width: int = MAX_WIDTH):
        super().__init__(converter, prepare, for_eval, max_width)
        self.num_entries = len(paths)
        for entry, path in enumerate(paths):
            root = os.path.dirname(os.path.abspath(path))
            self.sizes[path] = sum(self.add_line(entry, os.path.join(root, image), text)
                                   for image, text in read_pairs(path, b"\t"))
        self.check_not_empty(paths)
