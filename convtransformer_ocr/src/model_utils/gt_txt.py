"""The zoo's one list format, ``gt.txt``, read for training, evaluation, ``infer.py`` and the hub alike.

One image a line, ``path<TAB>label`` (PaddleOCR's recognition label file): the path relative to the file's
folder unless absolute; the TAB is the only separator, so a label may hold spaces, commas and quotes.  A BOM,
CRLF line ends and blank lines are allowed; white space around the path and the label is dropped.  A line
without a TAB is an image without a label (as PaddleOCR, which skips a line it cannot split): training and
evaluation skip it and count it (``N without label``), ``infer.py`` recognises it with no truth beside it.
A dataset path is the gt.txt file, or a folder holding ``gt.txt``.
"""
from __future__ import annotations

import os
from typing import Optional

from .errors import DatasetError

GT_FILE = "gt.txt"  # a folder holding it is a gt.txt dataset
Pairs = list[tuple[str, Optional[bytes]]]  # (path, raw label, or None when the line has none)


def read_pairs(path: str, separator: bytes) -> Pairs:
    """(key, raw label or None when the line lacks ``separator``) of every non-blank line of an annotation file,
    split at the first ``separator``; key and label stripped of white space."""
    if not os.path.isfile(path):
        raise DatasetError(f"annotation file {path} does not exist")
    try:
        with open(path, "rb") as f:
            content = f.read()
    except OSError as err:
        raise DatasetError(f"cannot read annotation file {path}: {err}") from err
    pairs = []
    for line in content.removeprefix(b"\xef\xbb\xbf").splitlines():
        if not line.strip():
            continue
        key, found, text = line.partition(separator)
        pairs.append((os.fsdecode(key.strip()), text.strip() if found else None))
    return pairs


def read_gt(path: str) -> Pairs:
    """(image path, raw label or None) of every line of the gt.txt file ``path``, relative paths taken from its
    folder."""
    root = os.path.dirname(os.path.abspath(path))
    return [(os.path.join(root, image), label) for image, label in read_pairs(path, b"\t")]


def gt_file(path: str) -> str:
    """The gt.txt of a dataset path (the file itself, or the one in the folder), or a ``DatasetError``."""
    found = os.path.join(path, GT_FILE) if os.path.isdir(path) else path
    if not os.path.isfile(found):
        raise DatasetError(f"dataset path {path} is neither a gt.txt file nor a folder holding {GT_FILE}")
    return found


def gt_dataset(path: str) -> Pairs:
    """The lines of a gt.txt dataset path (the file, or a folder holding one)."""
    return read_gt(gt_file(path))
