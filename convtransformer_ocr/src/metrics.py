"""Plate metrics on exact texts (Chinese characters are compared as they are, never filtered out):

* line accuracy: the prediction equals the truth (the ``score`` that picks the best checkpoint);
* 1 - CER: 1 - (sum of edit distances) / (sum of truth lengths), over the dataset;
* per-position accuracy: for each position i, the share of truths with an i-th character whose prediction
  has the same character at position i (a dropped character shifts the rest, as a reader would see it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model_utils.metrics import edit_distance


@dataclass
class PlateMetric:
    """Accumulates line accuracy, character errors and per-position hits."""

    count: int = 0
    correct: int = 0
    edits: int = 0
    truth_chars: int = 0
    position_hits: list[int] = field(default_factory=list)
    position_totals: list[int] = field(default_factory=list)

    def update(self, predictions: list[str], truths: list[str]) -> None:
        """Score each prediction against its ground truth."""
        for pred, truth in zip(predictions, truths, strict=True):
            self.count += 1
            self.correct += pred == truth
            self.edits += edit_distance(pred, truth)
            self.truth_chars += len(truth)
            missing = len(truth) - len(self.position_totals)
            if missing > 0:
                self.position_hits += [0] * missing
                self.position_totals += [0] * missing
            for i, char in enumerate(truth):
                self.position_totals[i] += 1
                self.position_hits[i] += i < len(pred) and pred[i] == char

    def merge(self, other: "PlateMetric") -> None:
        """Add another metric's counts (a total over datasets)."""
        self.count, self.correct = self.count + other.count, self.correct + other.correct
        self.edits, self.truth_chars = self.edits + other.edits, self.truth_chars + other.truth_chars
        missing = len(other.position_totals) - len(self.position_totals)
        if missing > 0:
            self.position_hits += [0] * missing
            self.position_totals += [0] * missing
        for i, (hits, total) in enumerate(zip(other.position_hits, other.position_totals)):
            self.position_hits[i] += hits
            self.position_totals[i] += total

    @property
    def line_accuracy(self) -> float:
        return self.correct / self.count if self.count else 0.0

    @property
    def one_minus_cer(self) -> float:
        return 1.0 - self.edits / self.truth_chars if self.truth_chars else 0.0

    def position_accuracy(self) -> list[float]:
        """Accuracy of each character position (1-based position i + 1 at index i)."""
        return [hits / total for hits, total in zip(self.position_hits, self.position_totals)]

    @property
    def score(self) -> float:
        """Line accuracy."""
        return self.line_accuracy

    def summary(self) -> str:
        positions = " ".join(f"{100 * a:.1f}" for a in self.position_accuracy())
        return (f"line_acc {self.line_accuracy:.4f} 1-CER {self.one_minus_cer:.4f} per-position % [{positions}] "
                f"({self.count} samples)")
