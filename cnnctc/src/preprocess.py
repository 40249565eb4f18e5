"""Image preprocessing of the zoo CNN-CTC (clovaai ``AlignCollate(keep_ratio_with_pad)``).

RGB, resize keeping the aspect ratio to height 32 and width min(ceil(32 w/h), 100)
(bicubic), right-pad to width 100 by repeating the last column, then per-channel
mean/std normalisation on 0-255 values and HWC -> CHW.
"""
from __future__ import annotations

import math
from typing import Optional

import cv2
import numpy as np
from mindspore.dataset import vision

from .model_utils.augment import Transform, transformed

MEAN_RGB = (121.58949, 123.93914, 123.418655)
STD_RGB = (65.70353, 65.142426, 68.61079)


def decode_rgb(data: bytes) -> Optional[np.ndarray]:
    """Decode encoded image bytes to RGB uint8 HWC; None when the bytes are not an image."""
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        return None
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def prepare_image(data: bytes, height: int, width: int, augment: Optional[Transform] = None) -> Optional[np.ndarray]:
    """Encoded image bytes -> RGB uint8 (``augment``ed when given) resized and padded to ``height`` x ``width``;
    None if not an image."""
    image = transformed(decode_rgb(data), augment)
    return None if image is None else resize_keep_ratio_pad(image, height, width)


def resize_keep_ratio_pad(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize to ``height`` keeping the ratio (width capped), pad right with the last column."""
    h, w = image.shape[:2]
    new_w = min(width, max(1, math.ceil(height * w / h)))
    resized = cv2.resize(image, (new_w, height), interpolation=cv2.INTER_CUBIC)
    if new_w < width:
        resized = cv2.copyMakeBorder(resized, 0, 0, 0, width - new_w, cv2.BORDER_REPLICATE)
    return resized


def normalize_ops() -> list:
    """The C++ ops that turn a padded uint8 HWC image into the network input."""
    return [vision.Normalize(mean=list(MEAN_RGB), std=list(STD_RGB)), vision.HWC2CHW()]


def to_network_input(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Full preprocessing of one RGB uint8 image, for inference outside a dataset pipeline."""
    image = resize_keep_ratio_pad(image, height, width)
    for op in normalize_ops():
        image = op(image)
    return image.astype(np.float32)
