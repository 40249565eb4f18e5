"""Plate metrics on exact texts (Chinese characters are compared as they are, never filtered out):

* line accuracy: the prediction equals the truth (the ``score`` that picks the best checkpoint);
* 1 - CER: 1 - (sum of edit distances) / (sum of truth lengths), over the dataset
  (``model_utils.metrics.CharacterErrors``);
* per-position accuracy: for each position i, the share of truths with an i-th character whose prediction
  has the same character at position i (a dropped character shifts the rest, as a reader would see it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model_utils.metrics import CharacterErrors


@dataclass
class PlateMetric(CharacterErrors):
    """Accumulates line accuracy, character errors and per-position hits."""

    position_hits: list[int] = field(default_factory=list)
    position_totals: list[int] = field(default_factory=list)

    def update(self, predictions: list[str], truths: list[str]) -> None:
        """Score each prediction against its ground truth."""
        super().update(predictions, truths)
        for pred, truth in zip(predictions, truths):
            self._grow(len(truth))
            for i, char in enumerate(truth):
                self.position_totals[i] += 1
                self.position_hits[i] += i < len(pred) and pred[i] == char

    def _grow(self, positions: int) -> None:
        missing = positions - len(self.position_totals)
        if missing > 0:
            self.position_hits += [0] * missing
            self.position_totals += [0] * missing

    def merge(self, other: "PlateMetric") -> None:
        """Add another metric's counts (a total over datasets)."""
        super().merge(other)
        self._grow(len(other.position_totals))
        for i, (hits, total) in enumerate(zip(other.position_hits, other.position_totals)):
            self.position_hits[i] += hits
            self.position_totals[i] += total

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

    def columns(self) -> dict[str, str]:
        return {"line_acc": f"{100 * self.line_accuracy:.2f}", "1-CER": f"{100 * self.one_minus_cer:.2f}",
                "samples": str(self.count)}
