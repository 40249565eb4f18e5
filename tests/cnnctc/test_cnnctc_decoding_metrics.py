"""CTC label conversion, greedy decoding on hand-made logits, and the recognition metrics."""
from __future__ import annotations

import numpy as np
import pytest

from cnnctc.src.charset import CTCLabelConverter
from cnnctc.src.metrics import RecognitionMetric, canonical, edit_distance

CHARSET = "0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def converter() -> CTCLabelConverter:
    return CTCLabelConverter(CHARSET, max_length=13)


def one_hot_logits(frames: list[int], num_class: int = 37, peak: float = 10.0) -> np.ndarray:
    logits = np.zeros((len(frames), num_class), np.float32)
    logits[np.arange(len(frames)), frames] = peak
    return logits


def test_blank_is_the_last_class(converter):
    assert converter.blank == 36 and converter.num_class == 37


def test_encode_pads_with_blank(converter):
    ids, length = converter.encode("a1z")
    assert length == 3
    assert ids.tolist() == [10, 1, 35] + [36] * 10
    with pytest.raises(ValueError, match="longer than 13"):
        converter.encode("a" * 14)


def test_greedy_decoding_merges_repeats_and_drops_blanks(converter):
    b = converter.blank
    a, l_, o = 10, 21, 24
    # "h e l l o" needs a blank between the two l's; repeated frames of one symbol collapse.
    h, e = 17, 14
    frames = [b, h, h, e, b, l_, l_, b, l_, o, o, b, b]
    (text, confidence), = converter.decode(one_hot_logits(frames)[None])
    assert text == "hello"
    frame_prob = np.exp(10.0) / (np.exp(10.0) + 36)
    assert confidence == pytest.approx(frame_prob ** len(frames), rel=1e-5)
    (text, _), = converter.decode(one_hot_logits([a, a, a, b, a])[None])
    assert text == "aa"
    (text, _), = converter.decode(one_hot_logits([b, b, b])[None])
    assert text == ""


def test_confidence_drops_with_uncertain_frames(converter):
    sure = one_hot_logits([10, 36, 11], peak=10.0)
    unsure = one_hot_logits([10, 36, 11], peak=1.0)
    (_, c_sure), (_, c_unsure) = converter.decode(np.stack([sure, unsure]))
    assert c_unsure < c_sure


def test_normalize_label(converter):
    assert converter.normalize("Hello", strip_unknown=False) == "hello"
    assert converter.normalize("can't", strip_unknown=False) is None
    assert converter.normalize("can't", strip_unknown=True) == "cant"


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("same", "same") == 0


def test_metric_is_case_insensitive_alphanumeric():
    metric = RecognitionMetric()
    metric.update(["hello", "world", "abc"], ["Hello!", "word", "xyz"])
    assert metric.count == 3 and metric.correct == 1
    assert metric.accuracy == pytest.approx(1 / 3)
    # 1 - ED/max_len: 1, 1 - 1/5, 1 - 3/3
    assert metric.norm_ed == pytest.approx((1.0 + 0.8 + 0.0) / 3)
    assert canonical("It's 9AM") == "its9am"
