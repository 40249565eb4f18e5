"""Charset files: one character a line (ModelScope's ``vocab.txt`` format), line i being the model's i-th
character class.  So that line numbers and classes can never drift apart, every line must hold exactly one
character (a space is one): an empty line, a line of several characters, a repeated character or one the model
reserves is an error naming its line.  UTF-8, a BOM and CRLF line ends are allowed.
"""
from __future__ import annotations

import os

from .config import MODEL_DIR
from .errors import ConfigError


def charset_path(value: str) -> str:
    """A charset setting as a path: absolute; relative to the working directory when the file is there, else to
    the model folder (``charsets/...``)."""
    path = os.path.expanduser(value)
    if os.path.isabs(path) or os.path.isfile(path):
        return os.path.abspath(path)
    return os.path.join(MODEL_DIR, path)


def _listed(found: list[str]) -> str:
    return f"{', '.join(found[:10])}{' ...' if len(found) > 10 else ''}"


def read_charset(path: str, reserved: str = "") -> list[str]:
    """The characters of a charset file in line order; ``reserved``: characters the model keeps for itself."""
    if not os.path.isfile(path):
        raise ConfigError(f"charset file {path} does not exist")
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except UnicodeDecodeError as err:
        raise ConfigError(f"charset file {path} is not UTF-8 text: {err}") from err
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()  # the final line end
    first_line: dict[str, int] = {}
    found = {"lines not holding exactly one character": [f"line {n} {line!r}" for n, line in enumerate(lines, 1)
                                                          if len(line) != 1],
             "repeated": [f"line {n} {c!r} (as line {first_line[c]})" for n, c in enumerate(lines, 1)
                          if first_line.setdefault(c, n) != n],
             "reserved by the model": [f"line {n} {c!r}" for n, c in enumerate(lines, 1) if len(c) == 1 and c in reserved]}
    problems = [f"{kind}: {_listed(where)}" for kind, where in found.items() if where]
    if not lines:
        problems.append("no characters")
    if problems:
        raise ConfigError(f"charset file {path}: {'; '.join(problems)}")
    return lines
