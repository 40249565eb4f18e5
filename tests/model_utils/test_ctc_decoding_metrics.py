"""CTC label conversion (charsets, token lists, blank first or last), greedy decoding on hand-made logits,
and the recognition metrics under each normalisation."""
from __future__ import annotations

import numpy as np
import pytest

from cnnctc.src.model_utils.ctc import CTCLabelConverter
from cnnctc.src.model_utils.errors import ConfigError
from cnnctc.src.model_utils.metrics import NORMALIZERS, RecognitionMetric, edit_distance, normalizer

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
    with pytest.raises(ValueError, match="longer than 13 tokens"):
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


def test_clovaai_metric_is_case_insensitive_alphanumeric():
    metric = RecognitionMetric(normalizer("lower_alnum"))
    metric.update(["hello", "world", "abc"], ["Hello!", "word", "xyz"])
    assert metric.count == 3 and metric.correct == 1
    assert metric.accuracy == pytest.approx(1 / 3)
    # 1 - ED/max_len: 1, 1 - 1/5, 1 - 3/3
    assert metric.norm_ed == pytest.approx((1.0 + 0.8 + 0.0) / 3)
    assert NORMALIZERS["lower_alnum"]("It's 9AM") == "its9am"


def test_chinese_predictions_that_are_wrong_do_not_score_100():
    truths = ["的人不一了是他有为在", "责新中任自之我们"]
    predictions = ["的人不一了是他有为", "责新中任自之我门"]
    for name in ("exact", "lower"):
        metric = RecognitionMetric(normalizer(name))
        metric.update(predictions, truths)
        assert metric.accuracy == 0.0
        assert metric.norm_ed == pytest.approx(1 - (1 / 10 + 1 / 8) / 2)
    exact = RecognitionMetric()  # the default keeps every character
    exact.update(truths, truths)
    assert exact.accuracy == 1.0


def test_unknown_normalisation_is_refused():
    with pytest.raises(ConfigError, match="must be one of lower_alnum, lower, exact"):
        normalizer("latin")


def test_token_list_with_multi_letter_phones_and_blank_last():
    phones = ["aa", "ae", "h#", "sh", "iy"]
    conv = CTCLabelConverter(phones, max_length=6, separator=" ")
    assert conv.blank == 5 and conv.num_class == 6
    ids, length = conv.encode("h# sh iy")
    assert length == 3 and ids.tolist() == [2, 3, 4, 5, 5, 5]
    (text, _), = conv.decode(one_hot_logits([2, 2, 5, 3, 4, 4, 5], num_class=6)[None])
    assert text == "h# sh iy"
    assert conv.normalize("h# zz iy", strip_unknown=False) is None
    assert conv.normalize("h# zz iy", strip_unknown=True) == "h# iy"


def test_blank_first_with_reserved_classes_and_a_charset_file(tmp_path):
    from cnnctc.src.model_utils.charset import read_charset

    path = tmp_path / "dict.txt"
    path.write_text("京\n沪\n \nA\n", encoding="utf-8")
    tokens = read_charset(str(path))
    assert tokens == ["京", "沪", " ", "A"]
    conv = CTCLabelConverter(tokens, max_length=8, blank="first", reserved=1)
    assert conv.blank == 0 and conv.num_class == 6
    ids, length = conv.encode("沪A")
    assert length == 2 and ids[:3].tolist() == [3, 5, 0]
    (text, _), = conv.decode(one_hot_logits([0, 2, 2, 0, 2, 4, 5], num_class=6)[None])
    assert text == "京京 A"


def test_bad_charsets_are_config_errors():
    with pytest.raises(ConfigError, match="duplicate entries: 'a'"):
        CTCLabelConverter("abca", 5)
    with pytest.raises(ConfigError, match="need a separator"):
        CTCLabelConverter(["aa", "b"], 5)
