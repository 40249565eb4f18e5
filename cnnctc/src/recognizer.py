"""``Recognizer``: text recognition of images from a checkpoint or an exported MINDIR, batched.

    from src.model_utils.config import load_config
    from src.recognizer import Recognizer
    cfg = load_config(["--config_path", "cpu_small.yaml"])
    rec = Recognizer("release/cnnctc_cpu_small.ckpt", cfg)
    rec.predict(["word_1.jpg", rgb_uint8_array])   # -> [Prediction(text, confidence), ...]

Set the MindSpore context first (graph mode and device, ``src.model_utils.context``).
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Iterable

import numpy as np

from .cnn_ctc import build_network, label_converter
from .model_utils.evaluate import predict_padded
from .model_utils.images import ImageInput, load_images
from .model_utils.infer_io import Prediction, Recognizer as BaseRecognizer
from .preprocess import to_network_input


class Recognizer(BaseRecognizer):
    """Recognise words in images (file paths or arrays: RGB, gray, RGBA; uint8, uint16 or float in [0, 1])
    with the network ``cfg`` describes; ``overrides`` change config values (checked like command-line values)."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 32, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)

    def predict(self, images: Iterable[ImageInput]) -> list[Prediction]:
        """Recognise every image (a list, or any iterable such as a generator), ``batch_size`` at a time."""
        images = list(images)
        results: list[Prediction] = []
        for start in range(0, len(images), self.batch_size):
            chunk = load_images(list(images[start:start + self.batch_size]), channels=3)
            batch = np.stack([to_network_input(i, self.cfg.image_height, self.cfg.image_width) for i in chunk])
            logits = predict_padded(self.network, batch, self.batch_size)
            results += [Prediction(text, conf) for text, conf in self.converter.decode(logits)]
        return results
