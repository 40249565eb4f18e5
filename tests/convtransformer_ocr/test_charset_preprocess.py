"""The plate charset and ModelScope vocabulary files (blank 0, reserved 1, line i -> class i + 2; bad files named
by line), and the line preprocessing (height 32 keeping the ratio up to the line width, black padding, / 255)."""
from __future__ import annotations

import os
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from conftest import ROOT
from convtransformer_ocr.src.charset import charset_path, label_converter, num_classes, read_charset
from convtransformer_ocr.src.model_utils.errors import ConfigError
from convtransformer_ocr.src.preprocess import as_rgb, decode_rgb, line_input, pad_line, resized_width

PLATE = os.path.join(ROOT, "convtransformer_ocr", "charsets", "license_plate.txt")
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"


def _cfg(charset: str, classes: int = 0) -> SimpleNamespace:
    return SimpleNamespace(charset=charset, num_classes=classes, max_label_length=8)


def test_plate_charset_holds_provinces_letters_without_i_o_digits_and_special_characters():
    chars = read_charset(PLATE)
    assert chars[:31] == list(PROVINCES)
    assert "".join(chars[31:]) == "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789警学挂港澳使领"
    assert charset_path("charsets/license_plate.txt") == PLATE  # from the model folder
    assert num_classes(_cfg("charsets/license_plate.txt")) == 74
    assert num_classes(_cfg("charsets/license_plate.txt", 7644)) == 7644


def test_line_i_is_class_i_plus_2_with_blank_0_and_reserved_1(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes("\ufeffa\r\n \r\n中\r\n".encode("utf-8"))  # BOM, CRLF, a space character
    converter = label_converter(_cfg(str(vocab)))
    assert converter.blank == 0 and converter.num_class == 5
    ids, length = converter.encode("a 中")
    assert ids[:length].tolist() == [2, 3, 4] and ids[length:].tolist() == [0] * (8 - length)
    logits = np.full((1, 5, 5), -9.0, np.float32)
    logits[0, np.arange(5), [4, 4, 0, 1, 2]] = 9.0  # 中 中 blank reserved a
    assert converter.decode(logits)[0][0] == "中a"


@pytest.mark.parametrize("text, found", [("a\n\nb\n", "line 2 ''"), ("a\nbc\n", "line 2 'bc'"),
                                         ("a\nb\na\n", "line 3 'a' (as line 1)"), ("", "no characters")])
def test_bad_charset_files_are_refused_naming_the_line(tmp_path, text, found):
    path = tmp_path / "vocab.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="charset file") as err:
        read_charset(str(path))
    assert found in str(err.value)


def test_num_classes_smaller_than_the_charset_needs_is_refused():
    with pytest.raises(ConfigError, match="--num_classes 50 is too small .* needs 74 classes"):
        num_classes(_cfg(PLATE, 50))


def test_missing_charset_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_charset(str(tmp_path / "none.txt"))


@pytest.mark.parametrize("height, width, expected", [(40, 1500, 804), (48, 520, 346), (32, 804, 804), (100, 1, 1),
                                                     (140, 440, 100)])
def test_resized_width_keeps_the_ratio_up_to_the_line(height, width, expected):
    assert resized_width(height, width, 804) == expected


def test_lines_are_padded_right_with_black_and_scaled_to_0_1():
    image = np.full((20, 40, 3), (200, 100, 50), np.uint8)
    line = pad_line(image, 300)
    assert line.shape == (32, 300, 3)
    assert (line[:, :64] == (200, 100, 50)).all() and (line[:, 64:] == 0).all()
    x = line_input(image, 300)
    assert x.dtype == np.float32 and x.shape == (3, 32, 300)
    np.testing.assert_allclose(x[:, 0, 0], np.array([200, 100, 50], np.float32) / 255.0)
    wide = pad_line(np.zeros((10, 1000, 3), np.uint8), 300)
    assert wide.shape == (32, 300, 3)  # squeezed to the line


def test_gray_arrays_become_rgb_and_encoded_images_decode_to_rgb():
    assert as_rgb(np.zeros((5, 7), np.uint8)).shape == (5, 7, 3)
    bgr = np.zeros((8, 8, 3), np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV's order
    ok, data = cv2.imencode(".png", bgr)
    assert ok and decode_rgb(data.tobytes())[0, 0].tolist() == [0, 0, 255]
    assert decode_rgb(b"") is None and decode_rgb(b"not an image") is None
    with pytest.raises(ValueError, match="RGB"):
        as_rgb(np.zeros((5, 7, 4), np.uint8))
