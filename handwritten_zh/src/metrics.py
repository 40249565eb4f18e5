"""The reference's accuracy, 1 - CER = 1 - sum of edit distances / sum of reference lengths over all lines
(the label error rate of Graves et al. on characters), with line accuracy beside it.

Every character counts, Chinese or not: nothing is filtered or folded, and a truth character outside the
charset (``UNKNOWN``) can never be matched.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model_utils.metrics import edit_distance


@dataclass
class CharacterMetric:
    """Accumulates edit distances, truth lengths and exact matches; ``skipped_wide`` holds the lines the
    reference's protocol leaves out (wider than ``max_width``), set by the evaluation."""

    errors: int = 0
    characters: int = 0
    correct: int = 0
    count: int = 0
    skipped_wide: int = 0

    def update(self, predictions: list[str], truths: list[str]) -> None:
        for prediction, truth in zip(predictions, truths, strict=True):
            self.errors += edit_distance(prediction, truth)
            self.characters += len(truth)
            self.correct += prediction == truth
            self.count += 1

    @property
    def accuracy(self) -> float:
        """1 - CER (can be negative when predictions insert more characters than the truths hold)."""
        return 1.0 - self.errors / self.characters if self.characters else 0.0

    @property
    def line_accuracy(self) -> float:
        return self.correct / self.count if self.count else 0.0

    @property
    def score(self) -> float:
        """The number that picks the best checkpoint: 1 - CER."""
        return self.accuracy

    def summary(self) -> str:
        return (f"1-CER {self.accuracy:.4f} line accuracy {self.line_accuracy:.4f} ({self.count} lines, "
                f"{self.characters} characters, {self.skipped_wide} too wide skipped)")
