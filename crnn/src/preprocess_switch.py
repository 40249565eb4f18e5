"""Which preprocessing a CRNN network family reads its input with: MMOCR's (``src/preprocess.py``) for
``network: mmocr``, the model zoo's BGR one (``src/official_preprocess.py``) for ``network: official_*``."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Callable, NamedTuple, Optional

import numpy as np

from . import official_preprocess, preprocess
from .official_network import NETWORKS


class Preprocessing(NamedTuple):
    """The preprocessing of a network family, as ``src.data`` and ``src.recognizer`` use it."""

    prepare_image: Callable[..., Optional[np.ndarray]]       # encoded bytes -> resized uint8 H x W x C
    normalize_ops: Callable[[], list]                         # C++ ops of the pipeline
    to_network_input: Callable[[np.ndarray], np.ndarray]     # resized image -> float32 [C, H, W]
    channels: int                                             # 1: gray input; 3: RGB arrays (the zoo: BGR)
    resize: Callable[..., np.ndarray]                         # a uint8 array of ``channels`` -> resized H x W x C


OFFICIAL = Preprocessing(official_preprocess.prepare_image, official_preprocess.normalize_ops,
                         official_preprocess.to_network_input, 3, official_preprocess.resize_rgb)
MMOCR = Preprocessing(preprocess.prepare_image, preprocess.normalize_ops, preprocess.to_network_input, 1,
                      preprocess.resize)


def preprocessing(cfg: SimpleNamespace) -> Preprocessing:
    """The zoo's preprocessing for ``network: official_*``, MMOCR's (``src.preprocess``) otherwise."""
    return OFFICIAL if cfg.network in NETWORKS else MMOCR
