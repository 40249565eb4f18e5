"""User images as uint8 RGB or gray: what is converted, what is refused (never read as a wrong image)."""
from __future__ import annotations

import numpy as np
import pytest

from cnnctc.src.model_utils.errors import UsageError
from cnnctc.src.model_utils.images import as_image, read_image

RGB = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3) * 4


@pytest.mark.parametrize("given", [
    RGB,
    RGB.astype(np.float32) / 255,
    RGB.astype(np.uint16) * 257,
    np.dstack([RGB, np.zeros((4, 5), np.uint8)]),
])
def test_unambiguous_forms_become_the_same_rgb(given):
    np.testing.assert_array_equal(as_image(given, 3), RGB)


def test_gray_forms():
    gray = RGB[:, :, 0]
    np.testing.assert_array_equal(as_image(gray, 3), np.dstack([gray] * 3))
    np.testing.assert_array_equal(as_image(gray[:, :, None], 1), gray)
    assert as_image(RGB, 1).shape == (4, 5)


@pytest.mark.parametrize("given,message", [
    (RGB.astype(np.float32), r"float image must hold values in \[0, 1\]"),
    (np.full((4, 5), np.nan, np.float32), r"float image must hold values in \[0, 1\]"),
    (RGB.astype(np.int32), "must be uint8, uint16 or float in"),
    (RGB.astype(np.uint16), "a uint16 image holds only values 0-255"),
    (np.zeros((4, 5, 2), np.uint8), r"got shape \(4, 5, 2\)"),
    (np.zeros((0, 5, 3), np.uint8), r"got shape \(0, 5, 3\)"),
    (np.zeros(7, np.uint8), r"got shape \(7,\)"),
    ([[1, 2]], "expected a file path or a numpy array, got list"),
])
def test_ambiguous_or_wrong_arrays_are_refused(given, message):
    with pytest.raises(UsageError, match=message):
        as_image(given, 3)


def test_files_missing_or_not_images(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        read_image(tmp_path / "none.png", 3)
    (tmp_path / "x.png").write_bytes(b"GIF89a not really")
    with pytest.raises(UsageError, match="is not a readable image"):
        read_image(tmp_path / "x.png", 3)
