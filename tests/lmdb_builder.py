"""Build word LMDBs by hand for the reader tests (good, corrupt and odd samples)."""
from __future__ import annotations

import os
from typing import Optional

import cv2
import lmdb
import numpy as np


def word_image(width: int = 60, height: int = 20, value: int = 128) -> bytes:
    image = np.full((height, width, 3), value, np.uint8)
    image[:, -1] = 255 - value  # a distinct last column, to check edge padding
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def make_lmdb(path: str, samples: list[tuple[Optional[bytes], Optional[str]]],
              num_samples: Optional[bytes] = None) -> str:
    """Write samples (image bytes or None to leave the key out, label or None) to an LMDB at ``path``."""
    os.makedirs(path, exist_ok=True)
    env = lmdb.open(path, map_size=1 << 26)
    with env.begin(write=True) as txn:
        for i, (image, label) in enumerate(samples, 1):
            if image is not None:
                txn.put(b"image-%09d" % i, image)
            if label is not None:
                txn.put(b"label-%09d" % i, label.encode())
        txn.put(b"num-samples", num_samples if num_samples is not None else str(len(samples)).encode())
    env.close()
    return path
