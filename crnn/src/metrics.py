"""MMOCR's text-recognition metrics (``WordMetric``, ``CharMetric``, ``OneMinusNEDMetric``).

word_acc: exact match; word_acc_ignore_case: after lower-casing; word_acc_ignore_case_symbol (the figure
MMOCR reports): after lower-casing and removing every character outside ``[A-Za-z0-9^\u4e00-\u9fa5]``.
char_recall / char_precision: characters of the longest matching blocks (difflib) over the truth's /
prediction's characters, both ignoring case and symbols, summed over the dataset.
1-N.E.D: 1 - mean of ED / max(len) ignoring case and symbols.
As MMOCR computes them: word and character rates divide by ``EPS + count`` (EPS = 1e-8, so an empty set
gives 0), 1-N.E.D by ``max(1, count)``, and every value is rounded to 4 decimals (``float(f"{v:.4f}")``),
so the figures printed here and by MMOCR are identical to the digit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Sequence

from .model_utils.metrics import add_counts, edit_distance

SYMBOLS = re.compile("[^A-Z^a-z^0-9^\u4e00-\u9fa5]")  # MMOCR's valid_symbol pattern, '^' kept as it keeps it
EPS = 1e-8  # MMOCR's eps in the denominators of WordMetric and CharMetric
NAMES = ("word_acc", "word_acc_ignore_case", "word_acc_ignore_case_symbol", "char_recall", "char_precision",
         "1-N.E.D")


def ignore_case_symbol(text: str) -> str:
    """MMOCR's comparison form: lower-case, symbols removed."""
    return SYMBOLS.sub("", text.lower())


def mmocr_round(value: float) -> float:
    """A value as MMOCR reports it: rounded to 4 decimals through its text form."""
    return float(f"{value:.4f}")


def _matching_chars(pred: str, gt: str) -> int:
    return sum(j2 - j1 for op, _, _, j1, j2 in SequenceMatcher(None, pred, gt).get_opcodes() if op == "equal")


@dataclass
class MmocrMetric:
    """Accumulates MMOCR's word, character and normalised-edit-distance metrics."""

    count: int = 0
    exact: int = 0
    ignore_case: int = 0
    ignore_case_symbol: int = 0
    true_positive_chars: int = 0
    gt_chars: int = 0
    pred_chars: int = 0
    norm_ed_sum: float = 0.0

    def update(self, predictions: list[str], truths: list[str]) -> None:
        """Score each prediction against its ground truth."""
        for pred, gt in zip(predictions, truths, strict=True):
            self.count += 1
            self.exact += pred == gt
            self.ignore_case += pred.lower() == gt.lower()
            pred_ics, gt_ics = ignore_case_symbol(pred), ignore_case_symbol(gt)
            self.ignore_case_symbol += pred_ics == gt_ics
            self.true_positive_chars += _matching_chars(pred_ics, gt_ics)
            self.gt_chars += len(gt_ics)
            self.pred_chars += len(pred_ics)
            longest = max(len(pred_ics), len(gt_ics))
            self.norm_ed_sum += edit_distance(pred_ics, gt_ics) / longest if longest else 0.0

    def merge(self, other: "MmocrMetric") -> None:
        """Add another metric's counts (all samples together)."""
        add_counts(self, other)

    def values(self) -> dict[str, float]:
        """The metrics in ``NAMES`` order, as fractions rounded to 4 decimals as MMOCR rounds them."""
        exact = {"word_acc": self.exact / (EPS + self.count),
                 "word_acc_ignore_case": self.ignore_case / (EPS + self.count),
                 "word_acc_ignore_case_symbol": self.ignore_case_symbol / (EPS + self.count),
                 "char_recall": self.true_positive_chars / (EPS + self.gt_chars),
                 "char_precision": self.true_positive_chars / (EPS + self.pred_chars),
                 "1-N.E.D": 1.0 - self.norm_ed_sum / max(1, self.count)}
        return {name: mmocr_round(value) for name, value in exact.items()}

    @property
    def score(self) -> float:
        """word_acc_ignore_case_symbol: the figure MMOCR reports, and what picks the best checkpoint."""
        return self.values()["word_acc_ignore_case_symbol"]

    def summary(self) -> str:
        v = self.values()
        return (f"word_acc_ignore_case_symbol {v['word_acc_ignore_case_symbol']:.4f} word_acc {v['word_acc']:.4f} "
                f"1-N.E.D {v['1-N.E.D']:.4f} ({self.count} samples)")

    def columns(self) -> dict[str, str]:
        """The metrics in ``NAMES`` order as percentages, and the samples."""
        return {**{name: f"{100 * v:.2f}" for name, v in self.values().items()}, "samples": str(self.count)}


def mean_row(metrics: Sequence[MmocrMetric]) -> tuple[str, dict[str, str]]:
    """eval.py's last row: the mean of the datasets' figures, as MMOCR's tables average the benchmarks, and all
    their samples."""
    mean = {name: sum(m.values()[name] for m in metrics) / len(metrics) for name in NAMES}
    return "average", {**{name: f"{100 * v:.2f}" for name, v in mean.items()},
                       "samples": str(sum(m.count for m in metrics))}
