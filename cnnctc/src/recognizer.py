"""``Recognizer``: text recognition of images from a checkpoint or an exported MINDIR, batched.

Use: the README's "From Python" (``Recognizer(model_path, cfg).predict(images)`` -> ``Prediction``s).

Set the MindSpore context first (graph mode and device, ``src.model_utils.context``).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .cnn_ctc import build_network, label_converter
from .model_utils.image_recognizer import ImageRecognizer
from .preprocess import to_network_input


class Recognizer(ImageRecognizer):
    """Recognise words in images with the network ``cfg`` describes; ``overrides`` change config values (checked
    like command-line values)."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 32, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)

    def to_input(self, image: np.ndarray) -> np.ndarray:
        """The RGB image resized (ratio kept, padded) to ``image_height`` x ``image_width``, normalised."""
        return to_network_input(image, self.cfg.image_height, self.cfg.image_width)
