"""Plain ``gt.txt`` files as a sample source: one ``path<TAB>text`` line per image, the path relative to the
gt.txt's folder unless absolute (what ``synth_plates.py`` writes).  A dataset path is the gt.txt file or a
folder holding one.  A line without a TAB is an error naming the file and line; an image that is missing or
does not decode is a counted skip (``corrupt images``).
"""
from __future__ import annotations

import os
from typing import Hashable, Optional, Sequence

from .model_utils.ctc import CTCLabelConverter
from .model_utils.errors import DatasetError
from .model_utils.sources import LabelledSource, Prepare

GT_NAME = "gt.txt"


def gt_file(path: str) -> str:
    """The gt.txt of a dataset path (the file itself, or the one in the folder), or a ``DatasetError``."""
    found = os.path.join(path, GT_NAME) if os.path.isdir(path) else path
    if not os.path.isfile(found):
        raise DatasetError(f"dataset path {path} is neither a gt.txt file nor a folder holding {GT_NAME}")
    return found


def read_gt(path: str) -> list[tuple[str, str]]:
    """(absolute image path, text) of every non-empty line of the gt.txt file ``path``."""
    root = os.path.dirname(os.path.abspath(path))
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = f.read().split("\n")
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path} is not UTF-8 text: {err}") from err
    entries = []
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if "\t" not in line:
            raise DatasetError(f"{path} line {number}: expected image path<TAB>text, got {line[:60]!r}")
        image, text = line.split("\t", 1)
        entries.append((os.path.join(root, image.strip()), text.strip()))
    return entries


class GtSource(LabelledSource):
    """Random-access source over gt.txt files; items as ``LabelledSource``'s."""

    def __init__(self, paths: Sequence[str], converter: CTCLabelConverter, prepare: Prepare,
                 strip_unknown: bool = False):
        super().__init__(converter, prepare, strip_unknown)
        self.num_entries = len(paths)
        for entry, path in enumerate(paths):
            self.sizes[path] = sum(self.add(entry, image, text.encode("utf-8"))
                                   for image, text in read_gt(gt_file(path)))
        self.check_not_empty(paths)

    def read(self, key: Hashable) -> Optional[bytes]:
        try:
            with open(key, "rb") as f:
                return f.read()
        except OSError:
            return None
