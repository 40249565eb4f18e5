"""``Recognizer``: text recognition of images from a checkpoint or an exported MINDIR, batched."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .cnn_ctc import build_network, label_converter
from .model_utils.image_recognizer import ImageRecognizer
from .preprocess import to_network_input


class Recognizer(ImageRecognizer):
    """Recognise words in images with the network ``cfg`` describes."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 32, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)

    def to_input(self, image: np.ndarray) -> np.ndarray:
        """The RGB image resized (ratio kept, padded) to ``image_height`` x ``image_width``, normalised."""
        return to_network_input(image, self.cfg.image_height, self.cfg.image_width)
