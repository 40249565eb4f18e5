"""1 - CER and line accuracy (``CharacterErrors``, the base of the line models' metrics): exact texts, sums over
the dataset, totals by ``merge``, a subclass's own counts merged with them."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from cnnctc.src.model_utils.metrics import CharacterErrors, add_counts


def test_one_minus_cer_sums_edits_over_truth_characters():
    metric = CharacterErrors()
    metric.update(["的人不", "是他", "", "AB"], ["的人不", "是的他", "了", "ab"])
    assert (metric.edits, metric.characters, metric.correct, metric.count) == (4, 9, 1, 4)
    assert metric.one_minus_cer == pytest.approx(1 - 4 / 9) and metric.line_accuracy == pytest.approx(1 / 4)
    inserted = CharacterErrors()
    inserted.update(["abcd"], ["a"])
    assert inserted.one_minus_cer == pytest.approx(-2.0)  # insertions can make it negative
    assert CharacterErrors().one_minus_cer == 0.0 and CharacterErrors().line_accuracy == 0.0
    with pytest.raises(ValueError):
        metric.update(["a"], [])


def test_merge_adds_the_counts_a_subclasss_too():
    @dataclass
    class Counted(CharacterErrors):
        skipped: int = 0

    first, second = Counted(skipped=2), Counted(skipped=3)
    first.update(["ab"], ["ab"])
    second.update(["x"], ["yz"])
    first.merge(second)
    assert (first.edits, first.characters, first.correct, first.count, first.skipped) == (2, 4, 1, 2, 5)
    assert first.one_minus_cer == pytest.approx(0.5) and (second.count, second.skipped) == (1, 3)


def test_add_counts_adds_numbers_only():
    @dataclass
    class Mixed:
        hits: int = 0
        rate_sum: float = 0.0
        mode: str = "kaldi"
        strict: bool = False

    total = Mixed(1, 0.5, "kaldi", True)
    add_counts(total, Mixed(2, 0.25, "official", True))
    assert total == Mixed(3, 0.75, "kaldi", True)
