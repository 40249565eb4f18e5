"""``Recognizer``: plate (or text line) recognition of images from a checkpoint or an exported MINDIR, with
ModelScope's preprocessing (RGB, height 32 keeping the ratio, black right padding to ``line_width``).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .charset import label_converter
from .model_utils.image_recognizer import ImageRecognizer
from .network import build_network
from .preprocess import line_input


class Recognizer(ImageRecognizer):
    """Recognise plates in images with the network ``cfg`` describes."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 32, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)

    def to_input(self, image: np.ndarray) -> np.ndarray:
        """The RGB image at height 32 (ratio kept), padded black to ``line_width``: every input has one shape."""
        return line_input(image, self.cfg.line_width)
