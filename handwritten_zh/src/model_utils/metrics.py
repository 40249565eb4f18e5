"""Recognition metrics: edit distance, word (line) accuracy and normalised edit distance, 1 - CER.

What is compared is set per model and protocol by a normalisation (``NORMALIZERS``):
``lower_alnum`` is the clovaai word-benchmark protocol (lower-case, keep 0-9a-z only), ``lower``
folds case only, ``exact`` keeps every character (Chinese text, phones).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, Callable, Protocol

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


def add_counts(metric: Any, other: Any) -> None:
    """Add the counts of ``other`` (every int and float field of the dataclass) to ``metric``'s: the ``merge`` of
    a metric made of counts."""
    for counter in fields(metric):
        value = getattr(metric, counter.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            setattr(metric, counter.name, value + getattr(other, counter.name))


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
    """What evaluation fills, training reads and eval.py prints: ``update`` with texts, a ``score`` to maximise,
    a summary, ``merge`` (add another's counts: a total over datasets) and ``columns`` (its row of eval.py's
    table, header -> cell, ``eval_table``)."""

    def update(self, predictions: list[str], truths: list[str]) -> None: ...

    @property
    def score(self) -> float: ...

    def summary(self) -> str: ...

    def merge(self, other) -> None: ...

    def columns(self) -> dict[str, str]: ...


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
        add_counts(self, other)

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

    def columns(self) -> dict[str, str]:
        return {"word acc": f"{100 * self.accuracy:.2f}%", "1-N.E.D": f"{self.norm_ed:.4f}", "samples": str(self.count)}


@dataclass
class CharacterErrors:
    """1 - CER (1 - sum of edit distances / sum of truth lengths over a dataset: the label error rate of Graves et
    al. on characters) and line accuracy, on texts as they are (nothing filtered or folded).  The base of the
    line models' metrics, which add their own counts and their ``score``."""

    edits: int = 0
    characters: int = 0
    correct: int = 0
    count: int = 0

    def update(self, predictions: list[str], truths: list[str]) -> None:
        """Score each prediction against its ground truth."""
        for prediction, truth in zip(predictions, truths, strict=True):
            self.edits += edit_distance(prediction, truth)
            self.characters += len(truth)
            self.correct += prediction == truth
            self.count += 1

    def merge(self, other: "CharacterErrors") -> None:
        """Add another metric's counts (a total over datasets), a subclass's numeric ones too."""
        add_counts(self, other)

    @property
    def one_minus_cer(self) -> float:
        """1 - CER; 0 without truth characters (negative when predictions insert more than the truths hold)."""
        return 1.0 - self.edits / self.characters if self.characters else 0.0

    @property
    def line_accuracy(self) -> float:
        return self.correct / self.count if self.count else 0.0
