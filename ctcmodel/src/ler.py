"""Label (phone) error rate of TIMIT phone recognition.

Two figures over space-separated phone strings, both from the edit distance ED(prediction, truth):

- LER: the mean over utterances of ED / len(truth), as the official zoo averages it.  An utterance with an
  empty truth has no defined rate: it is left out of this mean (and counted in the summary).
- corpus LER: sum of ED / sum of len(truth), where every utterance (an empty truth too) adds its edits.

Two ways to read the sequences (``LER_MODES``):

- ``kaldi`` (the default): prediction and truth are compared as they are, as Kaldi and most phone
  recognition papers score; a doubled phone in the truth ("n n" across a word boundary) must be predicted
  twice.
- ``official``: the official ctcmodel metric (``LER`` of its ``src/metric.py``) passes the prediction and the
  truth through its ``_remove_blank``, which merges runs of a repeated phone into one, so ED and len(truth)
  are those of the merged sequences.  Its best-path decoder also merges repeats across blanks
  (``merge_across_blank``): with that decoder this mode gives the official figure exactly.  Where the
  official code divides by zero on an empty truth, this counts the utterance as above.

An optional ``fold`` (e.g. TIMIT's 61 to 39 phones) maps the phones of both sides first; ``official`` merges
the repeats of the folded sequences (the official code scores 61 phones only).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from .model_utils.errors import ConfigError
from .model_utils.metrics import add_counts, edit_distance

Fold = Callable[[list[str]], list[str]]
LER_MODES = ("kaldi", "official")


def merge_repeats(phones: list[str]) -> list[str]:
    """``phones`` with every run of one phone merged into one, as the official metric's ``_remove_blank``."""
    return [p for i, p in enumerate(phones) if i == 0 or p != phones[i - 1]]


@dataclass
class PhoneErrorRate:
    """Accumulates per-utterance and corpus phone error rates; ``score`` is 1 - LER (the per-utterance mean).

    ``mode`` is ``kaldi`` (sequences as they are) or ``official`` (repeats merged on both sides).
    """

    fold: Optional[Fold] = None
    mode: str = "kaldi"
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
            if self.mode == "official":
                pred_phones, truth_phones = merge_repeats(pred_phones), merge_repeats(truth_phones)
            distance = edit_distance(pred_phones, truth_phones)
            self.edits += distance
            self.truth_phones += len(truth_phones)
            if truth_phones:
                self.utterance_rate_sum += distance / len(truth_phones)
                self.utterances += 1
            else:
                self.empty_truths += 1

    def __post_init__(self) -> None:
        if self.mode not in LER_MODES:
            raise ConfigError(f"LER mode must be one of {', '.join(LER_MODES)}, got {self.mode!r}")

    def merge(self, other: "PhoneErrorRate") -> None:
        """Add another metric's counts (a total over datasets of the same mode)."""
        add_counts(self, other)

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
        official = ", official (repeats merged)" if self.mode == "official" else ""
        return (f"LER {self.ler:.2%} corpus LER {self.corpus_ler:.2%} "
                f"({self.utterances} utterances{empty}, {self.truth_phones} phones{folded}{official})")

    def columns(self) -> dict[str, str]:
        return {f"LER % ({self.mode})": f"{100 * self.ler:.2f}", "corpus LER %": f"{100 * self.corpus_ler:.2f}",
                "utterances": str(self.utterances), "empty references": str(self.empty_truths)}
