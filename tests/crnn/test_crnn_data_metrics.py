"""CRNN's preprocessing (MMOCR's train and test rescales), the MMOCR annotation reader, and MMOCR's metrics."""
from __future__ import annotations

import json
from functools import partial

import cv2
import numpy as np
import pytest

from crnn.src.annotations import read_annotations
from crnn.src.model_utils.sources import FileSource
from crnn.src.metrics import MmocrMetric, ignore_case_symbol
from crnn.src.model_utils.ctc import CTCLabelConverter
from crnn.src.model_utils.errors import DatasetError
from crnn.src.preprocess import prepare_image, resize, rescaled_width, to_network_input

CONVERTER = CTCLabelConverter("0123456789abcdefghijklmnopqrstuvwxyz", 25)


@pytest.mark.parametrize("h,w,expected", [(32, 100, 96), (32, 104, 96), (32, 120, 128), (64, 100, 48),
                                          (40, 20, 32), (10, 500, 1600), (32, 8, 32)])
def test_test_rescale_keeps_ratio_min_32_nearest_multiple_of_16(h, w, expected):
    assert rescaled_width(h, w) == expected


def test_training_resize_ignores_the_ratio_and_normalises():
    image = np.full((20, 300), 254, np.uint8)
    assert resize(image, 32, 100, keep_ratio=False).shape == (32, 100, 1)
    assert resize(image, 32, 100, keep_ratio=True).shape == (32, 480, 1)
    x = to_network_input(resize(image, 32, 100, keep_ratio=False))
    assert x.shape == (1, 32, 100) and np.allclose(x, 1.0)
    assert prepare_image(b"not an image", 32, 100, False) is None


def _write(tmp_path, items):
    for name, _ in items:
        ok, data = cv2.imencode(".png", np.full((20, 60), 128, np.uint8))
        (tmp_path / "imgs").mkdir(exist_ok=True)
        if name != "missing.png":
            (tmp_path / "imgs" / name).write_bytes(data.tobytes() if name != "broken.png" else b"junk")
    ann = {"metainfo": {"dataset_type": "TextRecogDataset", "task_name": "textrecog"},
           "data_list": [{"img_path": f"imgs/{name}", "instances": [{"text": text}]} for name, text in items]}
    path = tmp_path / "textrecog_test.json"
    path.write_text(json.dumps(ann), encoding="utf-8")
    return str(path)


def test_mmocr_annotation_reader(tmp_path):
    path = _write(tmp_path, [("a.png", "Hello"), ("b.png", "can't"), ("broken.png", "x"), ("missing.png", "y"),
                             ("c.png", "#!")])
    prepare = partial(prepare_image, height=32, width=100, keep_ratio=False)
    train = FileSource([path], CONVERTER, prepare, entries=read_annotations)
    assert [train.label(i) for i in range(len(train))] == ["hello", "x", "y"]
    assert train.skipped.out_of_charset == 2
    items = [train[i] for i in range(len(train))]
    assert items[0][0].shape == (32, 100, 1) and bool(items[0][4])
    assert not items[1][4] and not items[2][4] and train.skipped.corrupt_image == 2
    evaluation = FileSource([path], CONVERTER, prepare, strip_unknown=True, entries=read_annotations)
    assert [evaluation.label(i) for i in range(len(evaluation))] == ["hello", "cant", "x", "y"]


@pytest.mark.parametrize("content,message", [("{", "cannot read MMOCR annotation file"),
                                             ('{"data": []}', "no 'data_list' list"),
                                             ('{"data_list": [{"img_path": "a.png"}]}', "lacks img_path or")])
def test_malformed_annotation_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        read_annotations(str(path))
    with pytest.raises(DatasetError, match="does not exist"):
        read_annotations(str(tmp_path / "none.json"))


def test_mmocr_metrics_on_hand_made_cases():
    metric = MmocrMetric()
    metric.update(["Hello", "world", "its", "abd", ""], ["hello", "World!", "It's", "abc", "xy"])
    values = metric.values()
    assert values["word_acc"] == 0.0
    assert values["word_acc_ignore_case"] == 0.2           # hello
    assert values["word_acc_ignore_case_symbol"] == 0.6    # hello, world, its
    # matching characters: 5 + 5 + 3 + 2 ("ab") + 0 = 15; truth 5+5+3+3+2 = 18; predictions 5+5+3+3+0 = 16
    assert values["char_recall"] == 0.8333                 # 15 / 18, rounded to 4 decimals as MMOCR does
    assert values["char_precision"] == 0.9375
    assert values["1-N.E.D"] == 0.7333                     # 1 - (1 / 3 + 1) / 5
    assert metric.score == values["word_acc_ignore_case_symbol"]
    assert ignore_case_symbol("Ab-C_1^中") == "abc1^中"


def test_mmocr_metrics_round_and_add_eps_as_mmocr():
    """MMOCR divides by eps + count (eps = 1e-8) and rounds through f"{v:.4f}": 1 of 20,000 is 0.0000 there,
    while 1 / 20000 alone rounds to 0.0001; an empty set gives 0 (1-N.E.D: 1), not a division by zero."""
    metric = MmocrMetric(count=20000, exact=1, ignore_case=1, ignore_case_symbol=1, true_positive_chars=1,
                         gt_chars=20000, pred_chars=3, norm_ed_sum=2.0)
    values = metric.values()
    assert f"{1 / 20000:.4f}" == "0.0001"
    assert values["word_acc"] == values["char_recall"] == 0.0
    assert values["char_precision"] == 0.3333 and values["1-N.E.D"] == 0.9999
    assert MmocrMetric().values() == {"word_acc": 0.0, "word_acc_ignore_case": 0.0, "word_acc_ignore_case_symbol": 0.0,
                                      "char_recall": 0.0, "char_precision": 0.0, "1-N.E.D": 1.0}
