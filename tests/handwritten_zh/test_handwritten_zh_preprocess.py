"""The reference's preprocessing on hand-made images: BGR -> gray, height 96 by INTER_AREA keeping the ratio,
right-bottom edge padding (to 2000, or to the batch's bucket width), the > 2000 px skip rule, raw 0..255 input."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from handwritten_zh.src.preprocess import (bucket_width, decode_gray, inference_image, pad_batch, pad_edge,
                                           prepare_line, resize_to_height, resized_width, to_network_input,
                                           too_wide)


def _encoded(image: np.ndarray) -> bytes:
    return cv2.imencode(".png", image)[1].tobytes()


@pytest.mark.parametrize("h,w,expected", [(96, 1300, 1300), (48, 100, 200), (50, 1001, 1921), (60, 17, 27),
                                          (200, 1, 1)])
def test_width_keeps_the_ratio_truncated(h, w, expected):
    assert resized_width(h, w) == expected


def test_decoding_converts_bgr_to_gray():
    bgr = np.zeros((10, 20, 3), np.uint8)
    bgr[:, :, 0], bgr[:, :, 1], bgr[:, :, 2] = 200, 100, 50
    gray = decode_gray(_encoded(bgr))
    assert gray.shape == (10, 20) and (gray == cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)).all()
    assert decode_gray(b"not an image") is None and prepare_line(b"") is None


def test_resize_is_inter_area_to_height_96():
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (40, 300), dtype=np.uint8)
    line = prepare_line(_encoded(gray))
    assert line.shape == (96, 720, 1) and line.dtype == np.uint8
    assert (line[:, :, 0] == cv2.resize(gray, (720, 96), interpolation=cv2.INTER_AREA)).all()
    assert (resize_to_height(gray)[:, :, 0] == line[:, :, 0]).all()


def test_inference_input_is_edge_padded_to_2000():
    gray = np.tile(np.arange(48, dtype=np.uint8), (48, 10))  # 48 x 480 -> 96 x 960, last column 47
    gray[-1, :] = 200                                          # bottom row differs
    image = inference_image(gray)
    assert image.shape == (96, 2000, 1)
    resized = resize_to_height(gray)
    assert (image[:, :960] == resized).all()
    assert (image[:, 960:] == resized[:, -1:]).all()           # right padding repeats the last column
    x = to_network_input(image)
    assert x.shape == (1, 96, 2000) and x.dtype == np.float32 and x.max() == image.max()  # not normalised


def test_bottom_padding_repeats_the_last_row():
    image = np.arange(6, dtype=np.uint8).reshape(2, 3, 1)
    padded = pad_edge(image, 4, 5)
    assert padded.shape == (4, 5, 1)
    assert (padded[2:, :3, 0] == image[-1, :, 0]).all() and (padded[:, 3:, 0] == padded[:, 2:3, 0]).all()
    with pytest.raises(ValueError):
        pad_edge(image, 2, 2)


def test_lines_wider_than_2000_are_skipped():
    assert too_wide(np.zeros((96, 2001, 1), np.uint8)) and not too_wide(np.zeros((96, 2000, 1), np.uint8))
    assert inference_image(np.zeros((48, 1001), np.uint8)) is None         # 2002 px at height 96
    assert inference_image(np.zeros((48, 1000), np.uint8)).shape == (96, 2000, 1)


def test_training_batches_pad_to_the_bucket_width():
    assert [bucket_width(w) for w in (1, 16, 17, 1990, 2000)] == [16, 16, 32, 2000, 2000]
    lines = [np.full((96, 30, 1), 7, np.uint8), np.full((96, 50, 1), 9, np.uint8)]
    batch = pad_batch(lines)
    assert batch.shape == (2, 96, 64, 1)
    assert (batch[0] == 7).all() and (batch[1] == 9).all()
