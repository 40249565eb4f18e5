"""Recognition metrics: edit distance, word (line) accuracy and normalised edit distance.

What is compared is set per model and protocol by a normalisation (``NORMALIZERS``):
``lower_alnum`` is the clovaai word-benchmark protocol (lower-case, keep 0-9a-z only), ``lower``
folds case only, ``exact`` keeps every character (Chinese text, phones).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Protocol

from .errors import ConfigError


def edit_distance(a, b) -> int:
    """Levenshtein distance between two sequences (insert, delete, substitute all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


NORMALIZERS: dict[str, Callable[[str], str]] = {
    "lower_alnum": lambda text: re.sub(r"[^0-9a-z]", "", text.lower()),
    "lower": str.lower,
    "exact": lambda text: text,
}


def normalizer(name: str) -> Callable[[str], str]:
    """The text normalisation called ``name`` (one of ``NORMALIZERS``)."""
    if name not in NORMALIZERS:
        raise ConfigError(f"metric normalisation must be one of {', '.join(NORMALIZERS)}, got {name!r}")
    return NORMALIZERS[name]


class Metric(Protocol):
    """What evaluation fills and training reads: ``update`` with texts, a ``score`` to maximise, a summary."""

    def update(self, predictions: list[str], truths: list[str]) -> None: ...

    @property
    def score(self) -> float: ...

    def summary(self) -> str: ...


@dataclass
class RecognitionMetric:
    """Accumulates accuracy (exact match) and 1 - normalised edit distance over predictions.

    Normalised edit distance of one pair: ED(pred, gt) / max(len(pred), len(gt)), after ``normalize``.
    """

    normalize: Callable[[str], str] = NORMALIZERS["exact"]
    correct: int = 0
    norm_ed_sum: float = 0.0
    count: int = 0

    def update(self, predictions: list[str], truths: list[str]) -> None:
        """Score each prediction against its ground truth."""
        for pred, gt in zip(predictions, truths, strict=True):
            pred, gt = self.normalize(pred), self.normalize(gt)
            self.correct += pred == gt
            longest = max(len(pred), len(gt))
            self.norm_ed_sum += 1.0 - (edit_distance(pred, gt) / longest if longest else 0.0)
            self.count += 1

    def merge(self, other: "RecognitionMetric") -> None:
        """Add another metric's counts (a total over datasets)."""
        self.correct += other.correct
        self.norm_ed_sum += other.norm_ed_sum
        self.count += other.count

    @property
    def accuracy(self) -> float:
        return self.correct / self.count if self.count else 0.0

    @property
    def norm_ed(self) -> float:
        return self.norm_ed_sum / self.count if self.count else 0.0

    @property
    def score(self) -> float:
        """The number that picks the best checkpoint: accuracy."""
        return self.accuracy

    def summary(self) -> str:
        return f"accuracy {self.accuracy:.4f} 1-N.E.D {self.norm_ed:.4f} ({self.count} samples)"
