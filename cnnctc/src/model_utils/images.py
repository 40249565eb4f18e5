"""Images given by users (file paths or arrays) as uint8 RGB or grayscale, converting only what is unambiguous.

Arrays may be H x W (gray), H x W x 1, x 3 (RGB) or x 4 (RGBA, alpha dropped); uint8, uint16 (scaled
to 0-255) or float in [0, 1].  Anything else (float outside [0, 1], a uint16 array holding only 0-255, other
integer types, other shapes, empty arrays) is refused with a ``UsageError`` saying what was given, never read
as a wrong image.
"""
from __future__ import annotations

import os
from typing import Union

import cv2
import numpy as np

from .errors import UsageError

ImageInput = Union[str, os.PathLike, np.ndarray]


def _to_uint8(image: np.ndarray, what: str) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        if image.max() <= 255:  # 8-bit values in a uint16 array: / 257 would make them black
            raise UsageError(f"{what}: a uint16 image holds only values 0-255 (8-bit data?); give it as uint8, "
                             "or a 16-bit image using the 0-65535 range")
        return (image // 257).astype(np.uint8)
    if np.issubdtype(image.dtype, np.floating):
        if not np.isfinite(image).all() or image.min() < 0.0 or image.max() > 1.0:
            raise UsageError(f"{what}: a float image must hold values in [0, 1] (got {image.min():.3g} to "
                             f"{image.max():.3g}); give uint8 0-255 instead")
        return np.rint(image * 255.0).astype(np.uint8)
    raise UsageError(f"{what}: images must be uint8, uint16 or float in [0, 1], got {image.dtype}")


def as_image(image: np.ndarray, channels: int, what: str = "image") -> np.ndarray:
    """``image`` as uint8 H x W x 3 RGB (``channels`` 3) or H x W gray (``channels`` 1)."""
    if not isinstance(image, np.ndarray):
        raise UsageError(f"{what}: expected a file path or a numpy array, got {type(image).__name__}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.size == 0 or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        raise UsageError(f"{what}: expected an H x W, H x W x 1, x 3 (RGB) or x 4 (RGBA) image, "
                         f"got shape {image.shape}")
    image = _to_uint8(image, what)
    if image.ndim == 3 and image.shape[2] == 4:
        image = np.ascontiguousarray(image[:, :, :3])
    if channels == 1:
        return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image


def read_image(path: Union[str, os.PathLike], channels: int) -> np.ndarray:
    """An image file as uint8 RGB (``channels`` 3) or gray (1), with a clear error when missing or unreadable."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise UsageError(f"image {path} does not exist")
    image = cv2.imread(path, cv2.IMREAD_COLOR if channels == 3 else cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise UsageError(f"{path} is not a readable image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB) if channels == 3 else image


def load_images(images: list, channels: int) -> list[np.ndarray]:
    """Paths and arrays as uint8 images (see ``as_image``); errors name the item."""
    loaded = []
    for number, image in enumerate(images):
        if isinstance(image, (str, os.PathLike)):
            loaded.append(read_image(image, channels))
        else:
            loaded.append(as_image(image, channels, f"image {number}"))
    return loaded
