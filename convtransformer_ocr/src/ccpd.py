"""The CCPD layout (CCPD2019, and CCPD2020's green 8-character plates): a folder of ``.jpg`` files whose names
hold the labels, read as plates cropped and rectified to ``PLATE_HEIGHT`` rows.

A name has seven ``-``-separated fields: area ratio, tilt ``h_v``, bounding box ``x1&y1_x2&y2``, the four
corners ``x&y_x&y_x&y_x&y`` (right-bottom, left-bottom, left-top, right-top), the plate as indices
``p_a_d_d_d_d_d[_d]`` into ``PROVINCES``, ``ALPHABETS`` and ``ADS`` (CCPD's lists; the last entry 'O'
means no character), brightness and blurriness; e.g.
``025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27_27_33_16-37-15.jpg`` is 皖AY339S.
The plate is cut out by the perspective transform of its corners to a rectangle of the plate's
proportions (440 x 140 mm, or 480 x 140 mm for 8 characters).  A name that does not parse, or whose corners
enclose less than ``MIN_PLATE_AREA`` square pixels, is a counted skip logged with the file name, never fatal;
corners outside the image make the sample a counted corrupt image (never a blank crop).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Hashable, Optional, Sequence

import cv2
import numpy as np

from .model_utils.ctc import CTCLabelConverter
from .model_utils.errors import DatasetError, log
from .model_utils.sources import LabelledSource, Prepare, SkipCounts

PROVINCES = "皖沪津渝冀晋蒙辽吉黑苏浙京闽赣鲁豫湘鄂粤桂琼川贵云藏陕甘青宁新警学O"
ALPHABETS = "ABCDEFGHJKLMNPQRSTUVWXYZO"
ADS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789O"
NONE = "O"
PLATE_HEIGHT = 64
MIN_PLATE_AREA = 16  # px²: corners that coincide or lie on a line enclose no plate


@dataclass(frozen=True)
class CcpdName:
    """What a CCPD file name says; ``corners`` are (x, y) left-top, right-top, right-bottom, left-bottom."""

    text: str
    box: tuple[int, int, int, int]
    corners: tuple[tuple[int, int], ...]
    brightness: int
    blurriness: int


def _points(field: str, count: int) -> list[tuple[int, int]]:
    points = [tuple(int(v) for v in p.split("&")) for p in field.split("_")]
    if len(points) != count or any(len(p) != 2 for p in points):
        raise ValueError(f"expected {count} points x&y, got {field!r}")
    return points


def plate_text(field: str) -> str:
    """The text of CCPD's index field ``p_a_d_d_d_d_d[_d]`` ('O' entries dropped)."""
    indices = [int(v) for v in field.split("_")]
    if len(indices) not in (7, 8):
        raise ValueError(f"expected 7 or 8 character indices, got {len(indices)}")
    tables = [PROVINCES, ALPHABETS] + [ADS] * (len(indices) - 2)
    if any(not 0 <= i < len(table) for i, table in zip(indices, tables)):
        raise ValueError(f"a character index is out of range in {field!r}")
    text = "".join(table[i] for i, table in zip(indices, tables))
    return text.replace(NONE, "")


def parse_name(name: str) -> CcpdName:
    """Parse a CCPD file name (with or without folder and extension); ``ValueError`` saying what is wrong."""
    fields = os.path.splitext(os.path.basename(name))[0].split("-")
    if len(fields) != 7:
        raise ValueError(f"expected 7 fields separated by '-', got {len(fields)}")
    (x1, y1), (x2, y2) = _points(fields[2], 2)
    right_bottom, left_bottom, left_top, right_top = _points(fields[3], 4)
    text, brightness, blurriness = plate_text(fields[4]), int(fields[5]), int(fields[6])
    return CcpdName(text, (x1, y1, x2, y2), (left_top, right_top, right_bottom, left_bottom), brightness,
                    blurriness)


def enclosed_area(corners: Sequence[tuple[int, int]]) -> float:
    """The area of the quadrilateral ``corners`` (shoelace formula), in square pixels."""
    xs, ys = np.array([c[0] for c in corners], float), np.array([c[1] for c in corners], float)
    return abs(float(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1)))) / 2


def rectify(image: np.ndarray, corners: Sequence[tuple[int, int]], characters: int) -> np.ndarray:
    """The plate inside ``corners`` (left-top, right-top, right-bottom, left-bottom) as an axis-aligned image
    ``PLATE_HEIGHT`` rows high, with a 440:140 (480:140 for 8 characters) aspect ratio."""
    width = int(round(PLATE_HEIGHT * (480 if characters == 8 else 440) / 140))
    target = np.float32([[0, 0], [width, 0], [width, PLATE_HEIGHT], [0, PLATE_HEIGHT]])
    matrix = cv2.getPerspectiveTransform(np.float32(corners), target)
    return cv2.warpPerspective(image, matrix, (width, PLATE_HEIGHT), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


@dataclass
class CcpdSkips(SkipCounts):
    """Skip counts with the files whose names are not CCPD names."""

    bad_name: int = 0
    no_area: int = 0

    def any(self) -> bool:
        return self.bad_name > 0 or self.no_area > 0 or super().any()

    def summary(self) -> str:
        return (f"{super().summary()}, {self.bad_name} names not in the CCPD layout, {self.no_area} plates whose "
                f"corners enclose less than {MIN_PLATE_AREA} px²")


class CcpdSource(LabelledSource):
    """Plates of CCPD folders (every ``.jpg`` below each path), rectified; ``prepare`` takes the rectified
    plate as PNG bytes."""

    def __init__(self, paths: Sequence[str], converter: CTCLabelConverter, prepare: Prepare,
                 strip_unknown: bool = False):
        super().__init__(converter, prepare, strip_unknown)
        self.skipped = CcpdSkips()
        self.num_entries = len(paths)
        for entry, path in enumerate(paths):
            self.sizes[path] = sum(self._add_file(entry, file) for file in find_images(path))
        self.check_not_empty(paths)

    def _add_file(self, entry: int, path: str) -> bool:
        try:
            name = parse_name(path)
        except ValueError as err:
            self.skipped.bad_name += 1
            log(f"skipped {path}: not a CCPD file name ({err})")
            return False
        if enclosed_area(name.corners) < MIN_PLATE_AREA:
            self.skipped.no_area += 1
            log(f"skipped {path}: its plate corners {name.corners} enclose no plate")
            return False
        return self.add(entry, (path, name.corners, len(name.text)), name.text.encode("utf-8"))

    def read(self, key: Hashable) -> Optional[bytes]:
        path, corners, characters = key
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        height, width = (0, 0) if image is None else image.shape[:2]
        if not all(0 <= x <= width and 0 <= y <= height for x, y in corners):
            return None  # unreadable, or the plate the name describes is not inside the image: a corrupt sample
        ok, data = cv2.imencode(".png", rectify(image, corners, characters), [cv2.IMWRITE_PNG_COMPRESSION, 0])
        return data.tobytes() if ok else None


def find_images(path: str) -> list[str]:
    """The ``.jpg`` files at or below ``path`` (sorted), or a ``DatasetError``."""
    if not os.path.isdir(path):
        raise DatasetError(f"CCPD folder {path} does not exist")
    found = sorted(os.path.join(root, name) for root, _, names in os.walk(path, followlinks=True)
                   for name in names if name.lower().endswith(".jpg"))
    if not found:
        raise DatasetError(f"no .jpg files found under {path}")
    return found
