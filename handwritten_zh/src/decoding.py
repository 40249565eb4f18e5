"""CTC decoding of the network's outputs: greedy (best path), optionally restricted to designated characters
as the reference demo's ``-dc``/``-tk`` options, and the best alternatives of each recognised character.

Designated characters: at each step the classes are ranked by probability and the best of the ``top_k``
first that is the blank or a designated character is taken; a step whose ``top_k`` best hold neither gives
the blank.  Repeats are then merged and blanks dropped, as in greedy decoding.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from .charset import CharsetConverter
from .model_utils.charset import charset_path
from .model_utils.ctc import softmax
from .model_utils.errors import ConfigError


def read_designated(path: str, converter: CharsetConverter) -> np.ndarray:
    """The class ids of the characters of a UTF-8 file (whitespace ignored); characters outside the charset
    are an error naming them."""
    path = charset_path(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            characters = sorted(set("".join(f.read().split())))
    except OSError as err:
        raise ConfigError(f"designated characters file {path}: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"designated characters file {path} is not UTF-8 text: {err}") from err
    unknown = [c for c in characters if c not in converter.tokens]
    if not characters or unknown:
        raise ConfigError(f"designated characters file {path} must hold characters of the charset; "
                          f"{'it holds none' if not characters else 'not in it: ' + ''.join(unknown[:20])}")
    return converter.class_ids("".join(characters))


@dataclass
class Decoded:
    """One line: its text, confidence (product of the chosen classes' probabilities), and per character the
    step it was emitted at."""

    text: str
    confidence: float
    steps: list[int]


class LineDecoder:
    """Greedy CTC decoding of logits [B, T, C], optionally restricted to ``designated`` class ids."""

    def __init__(self, converter: CharsetConverter, designated: Optional[np.ndarray] = None, top_k: int = 20):
        if top_k < 1:
            raise ConfigError(f"--top_k must be at least 1, got {top_k}")
        self.converter, self.top_k = converter, top_k
        self.allowed: Optional[np.ndarray] = None
        if designated is not None:
            self.allowed = np.zeros(converter.num_class, bool)
            self.allowed[designated] = True
            self.allowed[converter.blank] = True

    def best_path(self, probs: np.ndarray) -> np.ndarray:
        """The class of each step of probabilities [T, C]."""
        if self.allowed is None:
            return probs.argmax(axis=-1)
        ranked = np.argsort(-probs, axis=-1, kind="stable")[:, :self.top_k]
        usable = self.allowed[ranked]
        first = usable.argmax(axis=-1)
        return np.where(usable.any(axis=-1), ranked[np.arange(len(ranked)), first], self.converter.blank)

    def decode(self, logits: np.ndarray) -> list[Decoded]:
        results = []
        for probs in softmax(np.asarray(logits, np.float32)):
            path = self.best_path(probs)
            confidence = float(probs[np.arange(len(path)), path].prod())
            keep = np.ones(len(path), bool)
            keep[1:] = path[1:] != path[:-1]
            steps = np.flatnonzero(keep & (path != self.converter.blank))
            results.append(Decoded(self.converter.ids_to_text(path[steps]), confidence, steps.tolist()))
        return results


def alternatives(probs: np.ndarray, steps: list[int], converter: CharsetConverter,
                 count: int) -> tuple[tuple[tuple[str, float], ...], ...]:
    """The ``count`` best (character, probability) pairs at each emitting step, best first (``""`` is the blank)."""
    return tuple(tuple((converter.ids_to_text([c]), float(probs[step, c]))
                       for c in np.argsort(-probs[step], kind="stable")[:count]) for step in steps)


def alternatives_text(alternatives_of_steps: tuple[tuple[tuple[str, float], ...], ...]) -> str:
    """``alternatives`` as infer.py prints them: ``的:0.91/得:0.05 人:0.88/...`` (``_`` is the blank)."""
    return " ".join("/".join(f"{char or '_'}:{prob:.2f}" for char, prob in step) for step in alternatives_of_steps)
