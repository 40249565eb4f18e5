"""Charsets: a file of one character per line (ModelScope's ``vocab.txt`` format) and its CTC classes.

As in ModelScope's ConvNextViT, class 0 is the CTC blank, class 1 is reserved (never a character) and line i
(from 0) is class i + 2.  ``charsets/license_plate.txt`` holds the plate characters (31 provinces, A-Z
without I and O, 0-9, 警 学 挂 港 澳 使 领); a ModelScope vocabulary file is read the same way.  Every line
must hold exactly one character, so that line numbers and classes can never drift apart: an empty line, a
line of several characters or a repeated character is an error naming its line.  ``num_classes`` may exceed
the charset's count (ModelScope's head has 7,644 outputs whatever the vocabulary); the extra classes never
map to a character.  Files are read by ``model_utils.charset``.
"""
from __future__ import annotations

from types import SimpleNamespace

from .model_utils.charset import charset_path, read_charset
from .model_utils.ctc import CTCLabelConverter
from .model_utils.errors import ConfigError

FIRST_CLASS = 2  # 0: CTC blank, 1: reserved


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
