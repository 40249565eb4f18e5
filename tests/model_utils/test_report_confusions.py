"""The edit-distance alignment and confusion counts behind eval.py --report, and the report files of
recorded samples (model_utils.confusions, model_utils.report); no network."""
from __future__ import annotations

import csv

import numpy as np
from PIL import Image

from cnnctc.src.model_utils.confusions import Confusions, align, edits
from cnnctc.src.model_utils.metrics import edit_distance
from cnnctc.src.model_utils.report import Recorder, Report


def test_alignment_pairs_every_token_and_has_the_edit_distance():
    for truth, result in [("kitten", "sitting"), ("", "ab"), ("abc", ""), ("hello", "hello"), ("ab", "ba")]:
        pairs = align(truth, result)
        assert "".join(t for t, _ in pairs if t is not None) == truth
        assert "".join(r for _, r in pairs if r is not None) == result
        assert len(edits(pairs)) == edit_distance(truth, result)
    assert align("abc", "axc") == [("a", "a"), ("b", "x"), ("c", "c")]
    assert align("abc", "ac") == [("a", "a"), ("b", None), ("c", "c")]
    assert align("ac", "abc") == [("a", "a"), (None, "b"), ("c", "c")]


def test_confusions_count_substitutions_deletions_and_insertions():
    counts = Confusions()
    assert counts.add(align("cat", "cot")) == 1
    assert counts.add(align("cats", "cot")) == 2  # a -> o, s deleted
    assert counts.add(align(["h#", "sh", "iy"], ["h#", "s", "iy", "n"])) == 2  # phones as tokens
    assert counts.total() == 5
    assert counts.top(10) == [("substitution", "a", "o", 2), ("deletion", "s", "", 1),
                              ("insertion", "", "n", 1), ("substitution", "sh", "s", 1)]
    assert counts.top(1) == [("substitution", "a", "o", 2)]


class _Source:
    """Three word pictures named by index."""

    def name(self, index: int) -> str:
        return f"word{index}"

    def __getitem__(self, index: int):
        return np.full((32, 100, 3), 40 * index, np.uint8), None, None, index, True


def test_report_writes_the_wrong_samples_worst_first(tmp_path):
    recorder = Recorder()
    recorder.add([0, 1, 2], ["Cat", "dog", "bird"], [("cat", 0.9), ("dig", 0.5), ("b", 0.2)])
    report = Report(str(tmp_path), str.lower, list, "", lambda source, index: source[index][0])
    report.add("set", _Source(), recorder)
    report.write()
    with open(tmp_path / "errors.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert [(r["sample"], r["truth"], r["result"], r["edits"]) for r in rows] == [
        ("word2", "bird", "b", "3"), ("word1", "dog", "dig", "1")]  # "Cat" is right once lower-cased
    with open(tmp_path / "confusions.tsv", encoding="utf-8") as f:
        counts = [int(r["count"]) for r in csv.DictReader(f, delimiter="\t")]
    assert sum(counts) == 4
    with Image.open(tmp_path / "worst_errors.png") as image:
        image.load()
        assert image.width > 400 and image.height > 100
