"""ModelScope's ConvNextViT preprocessing of one line image: RGB, height 32, right padding, / 255.

The image is resized (bilinear) to height 32 keeping its aspect ratio, width int(32 W / H), unless that is wider
than the line, when it is squeezed to the line's width; then it is padded on the right with black to
32 x ``width`` (804 for ModelScope's lines, 300 for a one-window plate) and divided by 255, with no mean or
standard deviation.  The network turns it gray and cuts it into windows itself (``src/network.py``).  Unlike
ModelScope, a very tall image keeps at least one column instead of failing in ``cv2.resize``.
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

HEIGHT = 32


def decode_rgb(data: bytes) -> Optional[np.ndarray]:
    """Encoded image bytes -> RGB uint8 H x W x 3; None when the bytes are not an image."""
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    return None if image is None or image.size == 0 else cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def as_rgb(image: np.ndarray) -> np.ndarray:
    """An array as ModelScope takes it: a gray H x W image becomes three equal channels; H x W x 3 is used as
    given (so a BGR array from ``cv2.imread`` must be converted by the caller)."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected a gray H x W or an RGB H x W x 3 image, got shape {image.shape}")
    return image


def resized_width(height: int, width: int, line_width: int) -> int:
    """Width after resizing to height 32: int(32 W / H) (at least 1), or ``line_width`` for a wider line."""
    ratio = width / float(height)
    if ratio > float(line_width) / HEIGHT:
        return line_width
    return max(1, int(HEIGHT * ratio))


def pad_line(rgb: np.ndarray, line_width: int) -> np.ndarray:
    """RGB uint8 image -> uint8 32 x ``line_width`` x 3: resized keeping the ratio, black on the right."""
    resized = cv2.resize(rgb, (resized_width(rgb.shape[0], rgb.shape[1], line_width), HEIGHT))
    line = np.zeros((HEIGHT, line_width, 3), np.uint8)
    line[:, :resized.shape[1]] = resized
    return line


def to_network_input(line: np.ndarray) -> np.ndarray:
    """A padded 32 x W x 3 uint8 line as float32 [3, 32, W] in [0, 1]."""
    return (line.astype(np.float32) / 255.0).transpose(2, 0, 1)


def line_input(image: np.ndarray, line_width: int) -> np.ndarray:
    """One line image (gray, or RGB) as the network's float32 input [3, 32, ``line_width``]."""
    return to_network_input(pad_line(as_rgb(image), line_width))
