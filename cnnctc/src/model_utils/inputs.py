"""Inputs of ``infer.py``: files, folders and list files expanded to (path, label or None) pairs.

A list file has one item a line: ``path<TAB>label``, ICDAR ``path, "label"``, or ``path [label]``;
relative paths are taken from the list's folder.  A file is an input by its extension, a list
by its extension (.txt .tsv .lst .list) or, lacking one, by holding UTF-8 text.
"""
from __future__ import annotations

import os
import re
from typing import Optional, Sequence

from .config import resolve_path
from .errors import UsageError

LIST_EXTENSIONS = (".txt", ".tsv", ".lst", ".list")
ICDAR_LINE = re.compile(r'^(?P<path>[^,]+),\s*"(?P<label>.*)"\s*$')
Item = tuple[str, Optional[str]]


def parse_list_line(line: str) -> Item:
    """Split one list line into (path, label or None)."""
    if "\t" in line:
        path, label = line.split("\t", 1)
        return path.strip(), label.strip()
    match = ICDAR_LINE.match(line)
    if match:
        return match.group("path").strip(), match.group("label")
    parts = line.split(maxsplit=1)
    return parts[0], parts[1].strip() if len(parts) > 1 else None


def _is_text(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(4096)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start > len(head) - 4  # a character cut at the end of the sample
    return b"\0" not in head


def _read_list(path: str) -> list[Item]:
    base = os.path.dirname(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = [line.rstrip("\n") for line in f if line.strip()]
    except UnicodeDecodeError as err:
        raise UsageError(f"list file {path} is not UTF-8 text: {err}") from err
    return [(os.path.join(base, item), label) for item, label in map(parse_list_line, lines)]


def collect_inputs(entries: Sequence[str], extensions: Sequence[str]) -> list[Item]:
    """Expand files with one of ``extensions``, folders of them and list files into (path, label) pairs."""
    extensions = tuple(e.lower() for e in extensions)
    items: list[Item] = []
    for entry in entries:
        path = resolve_path(entry)
        lower = path.lower()
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if n.lower().endswith(extensions))
            items += [(os.path.join(path, n), None) for n in names]
        elif not os.path.exists(path):
            raise UsageError(f"input {entry} does not exist")
        elif lower.endswith(extensions):
            items.append((path, None))
        elif lower.endswith(LIST_EXTENSIONS) or _is_text(path):
            items += _read_list(path)
        else:
            raise UsageError(f"input {entry} is neither a supported file ({' '.join(extensions)}) nor a list file")
    if not items:
        raise UsageError(f"no inputs found in {', '.join(entries)}")
    return items
