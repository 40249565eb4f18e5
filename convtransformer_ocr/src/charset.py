"""Charsets: a file of one character per line (ModelScope's ``vocab.txt`` format) and its CTC classes.

As in ModelScope's ConvNextViT, class 0 is the CTC blank, class 1 is reserved (never a character) and line i
(from 0) is class i + 2.  ``charsets/license_plate.txt`` holds the plate characters (31 provinces, A-Z
without I and O, 0-9, 警 学 挂 港 澳 使 领); a ModelScope vocabulary file is read the same way.  Every line
must hold exactly one character, so that line numbers and classes can never drift apart: an empty line, a
line of several characters or a repeated character is an error naming its line.  ``num_classes`` may exceed
the charset's count (ModelScope's head has 7,644 outputs whatever the vocabulary); the extra classes never
map to a character.
"""
from __future__ import annotations

import os
from types import SimpleNamespace

from .model_utils.config import MODEL_DIR
from .model_utils.ctc import CTCLabelConverter
from .model_utils.errors import ConfigError

FIRST_CLASS = 2  # 0: CTC blank, 1: reserved


def charset_path(value: str) -> str:
    """A charset setting as a path: absolute; relative to the working directory when the file is there, else to
    the model folder (``charsets/license_plate.txt``)."""
    path = os.path.expanduser(value)
    if os.path.isabs(path) or os.path.isfile(path):
        return os.path.abspath(path)
    return os.path.join(MODEL_DIR, path)


def read_charset(path: str) -> list[str]:
    """The characters of a charset file in line order (UTF-8, a BOM and CRLF line ends allowed)."""
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
    bad = [f"line {n} {line!r}" for n, line in enumerate(lines, 1) if len(line) != 1]
    first_line: dict[str, int] = {}
    repeated = [f"line {n} {c!r} (as line {first_line[c]})" for n, c in enumerate(lines, 1)
                if first_line.setdefault(c, n) != n]
    problems = [f"{kind}: {', '.join(found[:10])}{' ...' if len(found) > 10 else ''}"
                for kind, found in (("lines not holding exactly one character", bad), ("repeated", repeated))
                if found]
    if not lines:
        problems.append("no characters")
    if problems:
        raise ConfigError(f"charset file {path}: {'; '.join(problems)}")
    return lines


def label_converter(cfg: SimpleNamespace) -> CTCLabelConverter:
    """Texts <-> classes for ``cfg.charset``: blank 0, reserved 1, line i -> class i + 2."""
    return CTCLabelConverter(read_charset(charset_path(cfg.charset)), cfg.max_label_length, blank="first",
                             reserved=FIRST_CLASS - 1)


def num_classes(cfg: SimpleNamespace) -> int:
    """Outputs of the network's head: ``cfg.num_classes``, or the charset's class count when it is 0."""
    needed = len(read_charset(charset_path(cfg.charset))) + FIRST_CLASS
    if cfg.num_classes == 0:
        return needed
    if cfg.num_classes < needed:
        raise ConfigError(f"--num_classes {cfg.num_classes} is too small for charset {cfg.charset}, which needs "
                          f"{needed} classes (blank, reserved, one per line); use 0 to take the charset's count")
    return cfg.num_classes
