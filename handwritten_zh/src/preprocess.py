"""The reference's preprocessing of a text line (OpenVINO accuracy checker config and demo of
``handwritten-simplified-chinese-recognition-0001``), in numpy / OpenCV.

1. BGR -> gray (``cv2.COLOR_BGR2GRAY``);
2. resize to height 96 keeping the aspect ratio: width ``int(96 * w / h)`` (truncated, as the demo), at
   least 1, ``cv2.INTER_AREA``;
3. pad right and bottom with the edge values (``np.pad(mode="edge")``): to width 2000 for inference,
   to the batch's bucket width (the widest line rounded up to a multiple of 16) for training.

A line wider than 2000 px after step 2 does not fit the reference's input: the reference's protocol
leaves such lines out of its test set, so the sources skip and count them (``too_wide``).  Pixel values
stay 0..255: the reference was trained on unnormalised input.  Images are H x W x 1 uint8 (the layout
of the zoo's pipelines) until ``to_network_input`` makes float32 [1, H, W].
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import cv2
import numpy as np

from .model_utils.augment import Transform, transformed

HEIGHT = 96
MAX_WIDTH = 2000
WIDTH_STEP = 16  # the network's width stride: one output step per 16 columns


def decode_gray(data: bytes) -> Optional[np.ndarray]:
    """Encoded image bytes -> gray uint8 H x W (decoded as BGR, then converted); None when not an image."""
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    return None if image is None or image.size == 0 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def resized_width(height: int, width: int, target_height: int = HEIGHT) -> int:
    """The reference's width after resizing to ``target_height``: ``int(target_height * width / height)``, >= 1."""
    return max(1, int(target_height * (float(width) / float(height))))


def resize_to_height(gray: np.ndarray, target_height: int = HEIGHT) -> np.ndarray:
    """Gray H x W uint8 -> ``target_height`` x resized width x 1 (INTER_AREA)."""
    width = resized_width(gray.shape[0], gray.shape[1], target_height)
    return cv2.resize(gray, (width, target_height), interpolation=cv2.INTER_AREA)[:, :, None]


def prepare_line(data: bytes, height: int = HEIGHT, augment: Optional[Transform] = None) -> Optional[np.ndarray]:
    """A sample source's ``prepare``: encoded bytes -> gray (``augment``ed when given) resized to ``height`` x W
    x 1 uint8 (not padded), or None when the bytes are not an image."""
    gray = transformed(decode_gray(data), augment)
    return None if gray is None else resize_to_height(gray, height)


def too_wide(image: np.ndarray, max_width: int = MAX_WIDTH) -> bool:
    """The reference's skip rule: a resized line wider than ``max_width`` is left out."""
    return image.shape[1] > max_width


def pad_edge(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Pad an H x W (x C) image at the right and bottom to ``height`` x ``width`` with its edge values."""
    if image.shape[0] > height or image.shape[1] > width:
        raise ValueError(f"image of {image.shape[0]} x {image.shape[1]} does not fit {height} x {width}")
    pads = [(0, height - image.shape[0]), (0, width - image.shape[1])] + [(0, 0)] * (image.ndim - 2)
    return np.pad(image, pads, mode="edge")


def bucket_width(width: int, step: int = WIDTH_STEP) -> int:
    """The training width of a batch whose widest line is ``width``: rounded up to a multiple of ``step``."""
    return step * math.ceil(width / step)


def pad_batch(images: Sequence[np.ndarray], step: int = WIDTH_STEP) -> np.ndarray:
    """Resized lines (same height) edge-padded to their bucket width and stacked: [B, H, W_bucket (, C)]."""
    width = bucket_width(max(image.shape[1] for image in images), step)
    return np.stack([pad_edge(image, image.shape[0], width) for image in images])


def inference_image(gray: np.ndarray, height: int = HEIGHT, width: int = MAX_WIDTH) -> Optional[np.ndarray]:
    """The reference's input image of a gray line: resized and edge-padded to ``height`` x ``width`` x 1,
    or None when it is too wide."""
    image = resize_to_height(gray, height)
    return None if too_wide(image, width) else pad_edge(image, height, width)


def to_network_input(image: np.ndarray) -> np.ndarray:
    """An H x W x 1 uint8 image as float32 [1, H, W], values kept 0..255."""
    return image.astype(np.float32).transpose(2, 0, 1)
