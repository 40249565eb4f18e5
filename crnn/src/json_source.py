"""MMOCR ``textrecog`` annotation files (``textrecog_train.json`` / ``textrecog_test.json``) as a sample source.

A file holds ``{"metainfo": ..., "data_list": [{"img_path": "...", "instances": [{"text": "..."}]}]}``;
``img_path`` is relative to the annotation file's folder (MMOCR's ``data_root``) unless absolute.  Labels
and images are handled as by the LMDB reader (``src.model_utils.sources``).
"""
from __future__ import annotations

import json
import os
from typing import Hashable, Optional, Sequence

from .model_utils.ctc import CTCLabelConverter
from .model_utils.errors import DatasetError
from .model_utils.sources import LabelledSource, Prepare


def read_annotations(path: str) -> list[tuple[str, Optional[str]]]:
    """(image path, text) of every entry of one annotation file; the text is None when it is not a string
    (``"text": null``, a number): such samples are skipped and counted as without label, never read as "None"."""
    if not os.path.isfile(path):
        raise DatasetError(f"annotation file {path} does not exist")
    try:
        with open(path, encoding="utf-8") as f:
            content = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DatasetError(f"cannot read MMOCR annotation file {path}: {err}") from err
    if not isinstance(content, dict) or not isinstance(content.get("data_list"), list):
        raise DatasetError(f"{path} is not an MMOCR textrecog annotation file (no 'data_list' list)")
    root = os.path.dirname(os.path.abspath(path))
    entries = []
    for number, item in enumerate(content["data_list"]):
        try:
            image, text = item["img_path"], item["instances"][0]["text"]
        except (KeyError, IndexError, TypeError) as err:
            raise DatasetError(f"{path}: data_list[{number}] lacks img_path or instances[0].text") from err
        entries.append((os.path.join(root, str(image)), text if isinstance(text, str) else None))
    return entries


class JsonWordSource(LabelledSource):
    """Random-access source over MMOCR annotation files; items as ``LmdbWordSource``'s."""

    def __init__(self, paths: Sequence[str], converter: CTCLabelConverter, prepare: Prepare,
                 strip_unknown: bool = False):
        super().__init__(converter, prepare, strip_unknown)
        self.num_entries = len(paths)
        for entry, path in enumerate(paths):
            self.sizes[path] = sum(self.add(entry, image, None if text is None else text.encode("utf-8"))
                                   for image, text in read_annotations(path))
        self.check_not_empty(paths)

    def read(self, key: Hashable) -> Optional[bytes]:
        try:
            with open(key, "rb") as f:
                return f.read()
        except OSError:
            return None
