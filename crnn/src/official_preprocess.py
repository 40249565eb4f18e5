"""The MindSpore model zoo CRNN's preprocessing (its ``src/dataset.py``): BGR, resized to 32x100 ignoring the
ratio (bilinear), x / 127.5 - 1, CHW.  ``network: official_*`` reads its input this way (``src/preprocess_switch.py``).
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np
from mindspore.dataset import vision

from . import preprocess
from .model_utils.augment import Transform, transformed

MEAN, STD = 127.5, 127.5


def decode_bgr(data: bytes) -> Optional[np.ndarray]:
    """Encoded image bytes -> BGR uint8 H x W x 3 (EXIF orientation ignored, as PIL); None if not an image."""
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    return None if image is None or image.size == 0 else image


def _resize_bgr(image: np.ndarray, height: int, width: int, keep_ratio: bool) -> np.ndarray:
    """BGR uint8 -> ``height`` x ``width`` x 3, bilinear, the ratio ignored (the zoo); with ``keep_ratio``, the
    width of MMOCR's test rescale instead."""
    if keep_ratio:
        width = preprocess.rescaled_width(image.shape[0], image.shape[1], height)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


def prepare_image(data: bytes, height: int, width: int, keep_ratio: bool = False,
                  augment: Optional[Transform] = None) -> Optional[np.ndarray]:
    """Encoded bytes -> BGR (``augment``ed when given) resized to uint8 H x W x 3 (``_resize_bgr``); None if
    not an image."""
    image = transformed(decode_bgr(data), augment)
    return None if image is None else _resize_bgr(image, height, width, keep_ratio)


def resize_rgb(image: np.ndarray, height: int, width: int, keep_ratio: bool = False) -> np.ndarray:
    """An RGB uint8 array (``Recognizer`` input) resized as ``prepare_image`` resizes a decoded file."""
    return _resize_bgr(np.ascontiguousarray(image[:, :, ::-1]), height, width, keep_ratio)


def normalize_ops() -> list:
    """C++ ops: x / 127.5 - 1, HWC -> CHW."""
    return [vision.Normalize(mean=[MEAN] * 3, std=[STD] * 3), vision.HWC2CHW()]


def to_network_input(image: np.ndarray) -> np.ndarray:
    """A resized H x W x 3 BGR uint8 image as float32 [3, H, W] in [-1, 1] (outside a dataset pipeline)."""
    return ((image.astype(np.float32) - MEAN) / STD).transpose(2, 0, 1)
