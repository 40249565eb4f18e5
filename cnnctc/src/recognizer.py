"""``Recognizer``: text recognition of images from a checkpoint or an exported MINDIR, batched.

    from src.recognizer import Recognizer
    rec = Recognizer("release/cnnctc_cpu_small.ckpt", config_path="cpu_small.yaml")
    rec.predict(["word_1.jpg", cv2_rgb_image])   # -> [Prediction(text, confidence), ...]

Set the MindSpore context first (graph mode and device, see ``src.context``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import cv2
import mindspore as ms
import numpy as np
from mindspore import nn

from .charset import CTCLabelConverter
from .checkpoint import load_into
from .cli import UsageError
from .cnn_ctc import build_network
from .config import DEFAULT_CONFIG, load_config
from .evaluate import predict_padded
from .preprocess import to_network_input

ImageInput = Union[str, np.ndarray]


@dataclass(frozen=True)
class Prediction:
    text: str
    confidence: float


def read_image(path: str) -> np.ndarray:
    """Read an image file as RGB uint8, with a clear error when it is missing or not an image."""
    if not os.path.isfile(path):
        raise UsageError(f"image {path} does not exist")
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise UsageError(f"{path} is not a readable image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def load_model(model_path: str, cfg) -> nn.Cell:
    """A network in eval mode from a ``.ckpt`` (built from ``cfg``) or a ``.mindir`` file."""
    if model_path.lower().endswith(".mindir"):
        if not os.path.isfile(model_path):
            raise UsageError(f"MINDIR file {model_path} does not exist")
        try:
            graph = ms.load(model_path)
        except (RuntimeError, ValueError) as err:
            raise UsageError(f"cannot load MINDIR {model_path}: {str(err).splitlines()[0]}") from err
        return nn.GraphCell(graph)
    net = build_network(cfg)
    load_into(net, model_path)
    net.set_train(False)
    return net


class Recognizer:
    """Recognise words in RGB images (arrays or file paths)."""

    def __init__(self, model_path: str, config_path: Optional[str] = None, batch_size: int = 32, **overrides):
        cfg = load_config([], default_path=config_path or DEFAULT_CONFIG)
        for key, value in overrides.items():
            setattr(cfg, key, value)
        self.cfg = cfg
        self.batch_size = batch_size
        self.converter = CTCLabelConverter(cfg.character, cfg.max_label_length)
        self.network = load_model(model_path, cfg)

    def predict(self, images: Sequence[ImageInput]) -> list[Prediction]:
        """Recognise every image, ``batch_size`` at a time."""
        results: list[Prediction] = []
        for start in range(0, len(images), self.batch_size):
            chunk = [read_image(i) if isinstance(i, str) else i for i in images[start:start + self.batch_size]]
            batch = np.stack([to_network_input(i, self.cfg.image_height, self.cfg.image_width) for i in chunk])
            logits = predict_padded(self.network, batch, self.batch_size)
            results += [Prediction(text, conf) for text, conf in self.converter.decode(logits)]
        return results
