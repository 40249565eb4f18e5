"""MMOCR's CRNN preprocessing: grayscale, (x - 127) / 127.

Training (MMOCR ``Resize(scale=(100, 32), keep_ratio=False)``): every image is resized to 32x100,
ignoring its aspect ratio.  Testing (MMOCR ``RescaleToHeight(32, min_width=32, width_divisor=16)``):
height 32, width ceil(32 w / h), at least 32, rounded to the nearest multiple of 16.  Both bilinear.
"""
from __future__ import annotations

import math
from typing import Optional

import cv2
import numpy as np
from mindspore.dataset import vision

from .model_utils.augment import Transform, transformed

MEAN, STD = 127.0, 127.0


def decode_gray(data: bytes) -> Optional[np.ndarray]:
    """Encoded image bytes -> gray uint8 H x W; None when the bytes are not an image."""
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    return None if image is None or image.size == 0 else image


def rescaled_width(height: int, width: int, target_height: int = 32, min_width: int = 32, divisor: int = 16) -> int:
    """MMOCR RescaleToHeight's width: keep the ratio, at least ``min_width``, nearest multiple of ``divisor``."""
    new_width = max(min_width, math.ceil(float(target_height) / height * width))  # MMOCR's order of operations
    return round(new_width / divisor) * divisor  # Python's round, as MMOCR: halves go to the even multiple


def resize(image: np.ndarray, height: int, width: int, keep_ratio: bool) -> np.ndarray:
    """Gray uint8 image -> H x W x 1: fixed ``height`` x ``width`` (training), or the test rescale."""
    if keep_ratio:
        width = rescaled_width(image.shape[0], image.shape[1], height)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)[:, :, None]


def prepare_image(data: bytes, height: int, width: int, keep_ratio: bool,
                  augment: Optional[Transform] = None) -> Optional[np.ndarray]:
    """Encoded bytes -> gray (``augment``ed when given) resized to uint8 H x W x 1, or None if not an image."""
    image = transformed(decode_gray(data), augment)
    return None if image is None else resize(image, height, width, keep_ratio)


def normalize_ops() -> list:
    """C++ ops: (x - 127) / 127, HWC -> CHW."""
    return [vision.Normalize(mean=[MEAN], std=[STD]), vision.HWC2CHW()]


def to_network_input(image: np.ndarray) -> np.ndarray:
    """A resized H x W x 1 uint8 image as float32 [1, H, W] (outside a dataset pipeline)."""
    return ((image.astype(np.float32) - MEAN) / STD).transpose(2, 0, 1)
