"""Decoding (greedy, designated characters, alternatives) on hand-made logits and the reference metric on
Chinese text."""
from __future__ import annotations

import numpy as np
import pytest

from handwritten_zh.src.charset import UNKNOWN, CharsetConverter
from handwritten_zh.src.decoding import LineDecoder, alternatives, alternatives_text, read_designated
from handwritten_zh.src.metrics import CharacterMetric
from handwritten_zh.src.model_utils.errors import ConfigError

CONVERTER = CharsetConverter(list("的人不一了是他"), max_length=10)  # classes: 0 blank, 的 1, 人 2, ...


def _logits(rows: list[list[tuple[int, float]]]) -> np.ndarray:
    """Logits [1, T, C]: per step, (class, logit) pairs over a floor of -10."""
    logits = np.full((1, len(rows), CONVERTER.num_class), -10.0, np.float32)
    for t, row in enumerate(rows):
        for cls, value in row:
            logits[0, t, cls] = value
    return logits


def test_greedy_merges_repeats_and_drops_blanks():
    decoded = LineDecoder(CONVERTER).decode(_logits([[(1, 5)], [(1, 5)], [(0, 5)], [(1, 5)], [(2, 5)], [(0, 5)]]))[0]
    assert decoded.text == "的的人" and decoded.steps == [0, 3, 4] and 0.9 < decoded.confidence <= 1.0


def test_designated_characters_take_the_best_allowed_class_of_the_top_k(tmp_path):
    designated = tmp_path / "chars.txt"
    designated.write_text("人 了\n是", encoding="utf-8")
    ids = read_designated(str(designated), CONVERTER)
    assert sorted(ids.tolist()) == [2, 5, 6]
    steps = [[(1, 5), (2, 4), (0, 1)],   # 的 best, 人 second: 人
             [(0, 5), (2, 4)],           # blank best: blank
             [(1, 5), (3, 4), (5, 3)],   # 了 third
             [(1, 5), (3, 4), (4, 3)]]   # nothing designated in the top 3: blank
    logits = _logits(steps)
    assert [d.text for d in LineDecoder(CONVERTER).decode(logits)] == ["的的"]  # steps 2 and 3 merge
    assert [d.text for d in LineDecoder(CONVERTER, ids, top_k=3).decode(logits)] == ["人了"]
    assert [d.text for d in LineDecoder(CONVERTER, ids, top_k=2).decode(logits)] == ["人"]  # 了 is third at step 2


def test_designated_characters_may_outnumber_the_label_length(tmp_path):
    many = tmp_path / "many.txt"
    many.write_text("的人不一了是他" * 3, encoding="utf-8")
    assert len(read_designated(str(many), CharsetConverter(list("的人不一了是他"), max_length=3))) == 7


def test_designated_characters_outside_the_charset_are_refused(tmp_path):
    bad = tmp_path / "chars.txt"
    bad.write_text("人龘", encoding="utf-8")
    with pytest.raises(ConfigError, match="not in it: 龘"):
        read_designated(str(bad), CONVERTER)
    with pytest.raises(ConfigError, match="top_k"):
        LineDecoder(CONVERTER, top_k=0)


def test_alternatives_list_the_best_characters_with_probabilities():
    logits = _logits([[(1, 3), (2, 2), (3, 1)], [(0, 5)], [(4, 4), (5, 3.5)]])
    probs = np.exp(logits[0]) / np.exp(logits[0]).sum(-1, keepdims=True)
    decoded = LineDecoder(CONVERTER).decode(logits)[0]
    best = alternatives(probs, decoded.steps, CONVERTER, 2)
    assert [[char for char, _ in step] for step in best] == [["的", "人"], ["一", "了"]]
    assert best[0][0][1] == pytest.approx(probs[decoded.steps[0], 1])
    first, second = alternatives_text(best).split(" ")
    assert decoded.text == "的一" and first.startswith("的:0.6") and "/人:0.2" in first
    assert second.startswith("一:") and "/了:" in second


def test_one_minus_cer_counts_every_chinese_character():
    metric = CharacterMetric()
    metric.update(["的人不", "是他", ""], ["的人不", "是的他", "了"])
    assert metric.characters == 7 and metric.edits == 2 and metric.correct == 1
    assert metric.one_minus_cer == pytest.approx(1 - 2 / 7) and metric.line_accuracy == pytest.approx(1 / 3)
    wrong = CharacterMetric()
    wrong.update(["他他他"], ["的人不"])
    assert wrong.one_minus_cer == 0.0 and wrong.score == 0.0
    unknown = CharacterMetric()
    unknown.update(["的人"], ["的" + UNKNOWN])  # a character outside the charset can never be matched
    assert unknown.one_minus_cer == pytest.approx(0.5)
