"""MMOCR ``textrecog`` annotation files (``textrecog_train.json`` / ``textrecog_test.json``), the entries of a
``model_utils.sources.FileSource``.

A file holds ``{"metainfo": ..., "data_list": [{"img_path": "...", "instances": [{"text": "..."}]}]}``;
``img_path`` is relative to the annotation file's folder (MMOCR's ``data_root``) unless absolute.  Labels
and images are handled as by the LMDB reader (``src.model_utils.sources``).
"""
from __future__ import annotations

import json
import os
from typing import Optional

from .model_utils.errors import DatasetError


def read_annotations(path: str) -> list[tuple[str, Optional[bytes]]]:
    """(image path, UTF-8 text) of every entry of one annotation file; the text is None when it is not a string
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
        entries.append((os.path.join(root, str(image)), text.encode("utf-8") if isinstance(text, str) else None))
    return entries
