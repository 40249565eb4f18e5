"""The character set (``charsets/scut_ept.txt``: 4,058 characters, one per line, read by ``model_utils.charset``)
and the label converter.

Classes as the reference: 0 is the CTC blank, character i of the file is class i + 1 (4,059 classes).
The reference has no class for characters outside its set, so labels are handled by protocol:

* training: a label with a character outside the set is skipped (counted as out-of-charset by the source);
* evaluation: every character is kept; one outside the set becomes ``UNKNOWN`` (U+FFFD), id
  ``num_class`` (no network class), so the truth keeps its length and that character always counts as
  an error.  The sources count these characters.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Optional, Sequence

import numpy as np

from .model_utils.charset import charset_path, read_charset
from .model_utils.ctc import CTCLabelConverter
from .model_utils.errors import DatasetError

UNKNOWN = "\ufffd"


class CharsetConverter(CTCLabelConverter):
    """``CTCLabelConverter`` with the blank first and the unknown-character protocol of this module."""

    def __init__(self, characters: Sequence[str], max_length: int):
        super().__init__(characters, max_length, blank="first")
        self.unknown_id = self.num_class
        self._token = np.concatenate([self._token, np.array([UNKNOWN], dtype=object)])

    def normalize(self, label: str, strip_unknown: bool) -> Optional[str]:
        """No case folding.  ``strip_unknown`` is the base class's switch for the evaluation protocol: here
        nothing is stripped, characters outside the set become ``UNKNOWN``; without it (training) a label
        holding one is rejected (None)."""
        if strip_unknown:
            return "".join(c if c in self._id else UNKNOWN for c in label)
        return label if all(c in self._id for c in label) else None

    def class_ids(self, characters: str) -> np.ndarray:
        """The classes of characters of the charset (a ``KeyError`` for others), any number of them."""
        return np.array([self._id[c] for c in characters], dtype=np.int64)

    def encode(self, text: str) -> tuple[np.ndarray, int]:
        """(ids padded with the blank to ``max_length``, length); ``UNKNOWN`` is ``unknown_id``."""
        if len(text) > self.max_length:
            raise DatasetError(f"label {text!r} is longer than {self.max_length} characters")
        ids = np.full(self.max_length, self.blank, dtype=np.int32)
        ids[:len(text)] = [self._id.get(c, self.unknown_id) for c in text]
        return ids, len(text)


def label_converter(cfg: SimpleNamespace) -> CharsetConverter:
    """The converter of ``cfg.charset`` (see ``charset_path``) for labels of at most ``cfg.max_label_length``."""
    return CharsetConverter(read_charset(charset_path(cfg.charset), reserved=UNKNOWN), cfg.max_label_length)
