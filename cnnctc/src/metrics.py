"""Recognition metrics of the STR benchmarks (clovaai protocol).

Word accuracy: exact match after lower-casing and keeping only 0-9a-z.
Normalised edit distance: mean of 1 - ED(pred, gt) / max(len(pred), len(gt)).
"""
from __future__ import annotations

import re
from dataclasses import dataclass


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def canonical(text: str) -> str:
    """Case-insensitive alphanumeric form used for scoring."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass
class RecognitionMetric:
    """Accumulates word accuracy and normalised edit distance over predictions."""

    correct: int = 0
    norm_ed_sum: float = 0.0
    count: int = 0

    def update(self, predictions: list[str], truths: list[str]) -> None:
        for pred, gt in zip(predictions, truths, strict=True):
            pred, gt = canonical(pred), canonical(gt)
            self.correct += pred == gt
            longest = max(len(pred), len(gt))
            self.norm_ed_sum += 1.0 - (edit_distance(pred, gt) / longest if longest else 0.0)
            self.count += 1

    @property
    def accuracy(self) -> float:
        return self.correct / self.count if self.count else 0.0

    @property
    def norm_ed(self) -> float:
        return self.norm_ed_sum / self.count if self.count else 0.0
