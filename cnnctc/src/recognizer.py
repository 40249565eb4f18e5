"""``Recognizer``: text recognition of images from a checkpoint or an exported MINDIR, batched.

    from src.model_utils.config import load_config
    from src.recognizer import Recognizer
    cfg = load_config(["--config_path", "cpu_small.yaml"])
    rec = Recognizer("release/cnnctc_cpu_small.ckpt", cfg)
    rec.predict(["word_1.jpg", rgb_uint8_array])   # -> [Prediction(text, confidence), ...]

Set the MindSpore context first (graph mode and device, ``src.model_utils.context``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Sequence, Union

import cv2
import numpy as np

from .cnn_ctc import build_network, label_converter
from .model_utils.config import with_overrides
from .model_utils.errors import UsageError
from .model_utils.evaluate import predict_padded
from .model_utils.export import load_model
from .preprocess import to_network_input

ImageInput = Union[str, os.PathLike, np.ndarray]
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


@dataclass(frozen=True)
class Prediction:
    text: str
    confidence: float


def read_image(path: Union[str, os.PathLike]) -> np.ndarray:
    """Read an image file as RGB uint8, with a clear error when it is missing or not an image."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise UsageError(f"image {path} does not exist")
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise UsageError(f"{path} is not a readable image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class Recognizer:
    """Recognise words in RGB images (arrays or file paths) with the network ``cfg`` describes.

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
            chunk = [i if isinstance(i, np.ndarray) else read_image(i) for i in images[start:start + self.batch_size]]
            batch = np.stack([to_network_input(i, self.cfg.image_height, self.cfg.image_width) for i in chunk])
            logits = predict_padded(self.network, batch, self.batch_size)
            results += [Prediction(text, conf) for text, conf in self.converter.decode(logits)]
        return results
