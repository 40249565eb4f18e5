"""Label (phone) error rate of TIMIT phone recognition.

Two figures over space-separated phone strings, both from the edit distance ED(prediction, truth):

- LER, the official zoo figure: the mean over utterances of ED / len(truth).  An utterance with an empty
  truth has no defined rate: it is left out of this mean (and counted in the summary).
- corpus LER: sum of ED / sum of len(truth), where every utterance (an empty truth too) adds its edits.

An optional ``fold`` (e.g. TIMIT's 61 to 39 phones) maps the phones of both sides before they are compared.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from .model_utils.metrics import edit_distance

Fold = Callable[[list[str]], list[str]]


@dataclass
class PhoneErrorRate:
    """Accumulates per-utterance and corpus phone error rates; ``score`` is 1 - LER (the official mean)."""

    fold: Optional[Fold] = None
    utterance_rate_sum: float = 0.0
    utterances: int = 0
    empty_truths: int = 0
    edits: int = 0
    truth_phones: int = 0

    def update(self, predictions: list[str], truths: list[str]) -> None:
        """Score each predicted phone string against its ground truth."""
        for prediction, truth in zip(predictions, truths, strict=True):
            pred_phones, truth_phones = prediction.split(), truth.split()
            if self.fold is not None:
                pred_phones, truth_phones = self.fold(pred_phones), self.fold(truth_phones)
            distance = edit_distance(pred_phones, truth_phones)
            self.edits += distance
            self.truth_phones += len(truth_phones)
            if truth_phones:
                self.utterance_rate_sum += distance / len(truth_phones)
                self.utterances += 1
            else:
                self.empty_truths += 1

    def merge(self, other: "PhoneErrorRate") -> None:
        """Add another metric's counts (a total over datasets)."""
        self.utterance_rate_sum += other.utterance_rate_sum
        self.utterances += other.utterances
        self.empty_truths += other.empty_truths
        self.edits += other.edits
        self.truth_phones += other.truth_phones

    @property
    def ler(self) -> float:
        """Mean over utterances (non-empty truths) of ED / len(truth); 0 without any."""
        return self.utterance_rate_sum / self.utterances if self.utterances else 0.0

    @property
    def corpus_ler(self) -> float:
        """Sum of ED over the sum of truth lengths; 0 without any truth phone."""
        return self.edits / self.truth_phones if self.truth_phones else 0.0

    @property
    def score(self) -> float:
        """The number that picks the best checkpoint: 1 - LER (the official per-utterance mean)."""
        return 1.0 - self.ler

    def summary(self) -> str:
        empty = f", {self.empty_truths} with an empty truth" if self.empty_truths else ""
        folded = ", folded" if self.fold is not None else ""
        return (f"LER {self.ler:.2%} corpus LER {self.corpus_ler:.2%} "
                f"({self.utterances} utterances{empty}, {self.truth_phones} phones{folded})")
