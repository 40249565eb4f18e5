"""``Recognizer``: text recognition of images from a checkpoint or an exported MINDIR, batched.

    from src.model_utils.config import load_config
    from src.recognizer import Recognizer
    cfg = load_config(["--config_path", "cpu_small.yaml"])
    rec = Recognizer("release/cnnctc_cpu_small.ckpt", cfg)
    rec.predict(["word_1.jpg", rgb_uint8_array])   # -> [Prediction(text, confidence), ...]

Set the MindSpore context first (graph mode and device, ``src.model_utils.context``).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Sequence

import numpy as np

from .cnn_ctc import build_network, label_converter
from .model_utils.config import with_overrides
from .model_utils.evaluate import predict_padded
from .model_utils.export import load_model
from .model_utils.images import ImageInput, load_images
from .preprocess import to_network_input

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


@dataclass(frozen=True)
class Prediction:
    text: str
    confidence: float


class Recognizer:
    """Recognise words in images (file paths or arrays: RGB, gray, RGBA; uint8, uint16 or float in [0, 1])
    with the network ``cfg`` describes.

    ``overrides`` change config values for this recognizer (checked like command-line values).
    """

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 32, **overrides):
        self.cfg = with_overrides(cfg, overrides, "Recognizer") if overrides else cfg
        self.batch_size = batch_size
        self.converter = label_converter(self.cfg)
        self.network = load_model(model_path, lambda: build_network(self.cfg))

    def predict(self, images: Sequence[ImageInput]) -> list[Prediction]:
        """Recognise every image, ``batch_size`` at a time."""
        results: list[Prediction] = []
        for start in range(0, len(images), self.batch_size):
            chunk = load_images(list(images[start:start + self.batch_size]), channels=3)
            batch = np.stack([to_network_input(i, self.cfg.image_height, self.cfg.image_width) for i in chunk])
            logits = predict_padded(self.network, batch, self.batch_size)
            results += [Prediction(text, conf) for text, conf in self.converter.decode(logits)]
        return results
