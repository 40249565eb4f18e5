"""The SCUT-EPT charset and label protocol, and the SCUT-EPT and gt.txt readers on hand-made files: characters
outside the charset are counted (kept as unknown for evaluation, the label skipped for training), lines wider
than 2000 px at height 96 are skipped and counted."""
from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from handwritten_zh.src.charset import UNKNOWN, label_converter
from handwritten_zh.src.line_source import LineSource
from handwritten_zh.src.model_utils.errors import DatasetError
from handwritten_zh.src.model_utils.metrics import RecognitionMetric
from handwritten_zh.src.preprocess import prepare_line

CONVERTER = label_converter(SimpleNamespace(charset="charsets/scut_ept.txt", max_label_length=40))


def _image(path, width: int = 60, height: int = 20) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cv2.imencode(path.suffix, np.full((height, width, 3), 200, np.uint8))[1].tobytes())


def test_charset_classes_blank_first_then_the_file_order():
    assert CONVERTER.num_class == 4059 and CONVERTER.blank == 0 and len(CONVERTER.tokens) == 4058
    assert CONVERTER.tokens[0] == "赅" and CONVERTER.encode("赅")[0][0] == 1
    ids, length = CONVERTER.encode("的人A")
    assert length == 3 and ids[2] == CONVERTER.unknown_id == 4059
    assert CONVERTER.ids_to_text(ids[:length]) == "的人" + UNKNOWN


def test_unknown_characters_rejected_for_training_kept_for_evaluation():
    assert CONVERTER.normalize("的人A", strip_unknown=False) is None
    assert CONVERTER.normalize("的人Ａ", strip_unknown=False) == "的人Ａ"  # full-width letters are in the set
    assert CONVERTER.normalize("的人A", strip_unknown=True) == "的人" + UNKNOWN


def test_an_unknown_character_always_counts_as_an_error():
    metric = RecognitionMetric()
    metric.update(["的人A"], [CONVERTER.normalize("的人A", strip_unknown=True)])
    assert metric.accuracy == 0.0 and metric.norm_ed < 1.0


@pytest.fixture
def scut(tmp_path):
    root = tmp_path / "SCUT-EPT"
    _image(root / "test" / "000000.jpg")
    _image(root / "test" / "000001.png")
    _image(root / "test" / "000002.png")
    _image(root / "test" / "000005.jpg", width=300, height=10)  # 2880 px wide at height 96
    lines = ["000000,的人不一了", "000001,我们ABC", "000002.png,中国，人", "000003", "000004,", "000005,很宽的",
             "000006,好"]
    (root / "test_img_id_gt.txt").write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return root


def test_scut_ept_reader_for_evaluation(scut):
    source = LineSource([str(scut / "test_img_id_gt.txt")], CONVERTER, prepare_line, for_eval=True)
    assert [source.label(i) for i in range(len(source))] == ["的人不一了", "我们" + UNKNOWN * 3, "中国，人",
                                                             "很宽的", "好"]
    assert source.unknown_characters == 3 and source.labels_with_unknown == 1
    assert source.skipped.missing_label == 1 and source.skipped.out_of_charset == 1  # "000003", and an empty label
    items = [source[i] for i in range(len(source))]
    assert [bool(item[4]) for item in items] == [True, True, True, False, False]
    assert items[0][0].shape == (96, 288, 1)
    assert source.too_wide == 1 and source.skipped.corrupt_image == 1  # 000005 too wide, 000006 has no image
    ids, length = items[1][1], items[1][2]
    assert CONVERTER.ids_to_text(ids[:length]) == "我们" + UNKNOWN * 3
    assert "3 characters outside the charset" in source.describe() and "1 lines wider than 2000" in source.describe()


def test_scut_ept_reader_for_training_skips_unknown_labels(scut):
    source = LineSource([str(scut / "test")], CONVERTER, prepare_line)
    assert len(source) == 4 and source.skipped.out_of_charset == 2 and source.unknown_characters == 0


def test_scut_ept_paths_must_be_a_split(tmp_path):
    with pytest.raises(DatasetError):
        LineSource([str(tmp_path / "nothing.txt")], CONVERTER, prepare_line)
    with pytest.raises(DatasetError):
        LineSource([str(tmp_path / "train_img_id_gt.txt")], CONVERTER, prepare_line)


def test_gt_txt_reader(tmp_path):
    _image(tmp_path / "imgs" / "a.png")
    _image(tmp_path / "imgs" / "b.png")
    gt = tmp_path / "gt.txt"
    gt.write_bytes("imgs/a.png\t中国人 \nimgs/b.png\t中国x\n\nimgs/c.png\n".encode() + b"imgs/d.png\t\xff\xfe\n")
    evaluation = LineSource([str(gt)], CONVERTER, prepare_line, for_eval=True)
    assert [evaluation.label(i) for i in range(len(evaluation))] == ["中国人", "中国" + UNKNOWN]
    assert evaluation.unknown_characters == 1
    assert evaluation.skipped.missing_label == 1 and evaluation.skipped.bad_label == 1
    assert all(bool(evaluation[i][4]) for i in range(len(evaluation)))
    training = LineSource([str(gt)], CONVERTER, prepare_line)
    assert [training.label(i) for i in range(len(training))] == ["中国人"] and training.skipped.out_of_charset == 1
    with pytest.raises(DatasetError):
        LineSource([str(tmp_path / "missing.txt")], CONVERTER, prepare_line)
    folder = LineSource([str(tmp_path)], CONVERTER, prepare_line, for_eval=True)  # a folder holding gt.txt
    assert [folder.label(i) for i in range(len(folder))] == ["中国人", "中国" + UNKNOWN]
