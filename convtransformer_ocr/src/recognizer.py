"""``Recognizer``: plate (or text line) recognition of images from a checkpoint or an exported MINDIR, with
ModelScope's preprocessing (RGB, height 32 keeping the ratio, black right padding to ``line_width``).

    from src.model_utils.config import load_config
    from src.recognizer import Recognizer
    cfg = load_config(["--config_path", "cpu_small.yaml"])
    rec = Recognizer("output_cpu_small/best.ckpt", cfg)
    rec.predict(["plate.jpg", rgb_uint8_array])   # -> [Prediction(text, confidence), ...]

Set the MindSpore context first (graph mode and device, ``src.model_utils.context``).
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Sequence

import numpy as np

from .charset import label_converter
from .model_utils.evaluate import predict_padded
from .model_utils.images import ImageInput, load_images
from .model_utils.infer_io import Prediction, Recognizer as BaseRecognizer
from .network import build_network
from .preprocess import line_input


class Recognizer(BaseRecognizer):
    """Recognise plates in images (file paths or arrays: RGB, gray, RGBA; uint8, uint16 or float in [0, 1])
    with the network ``cfg`` describes; ``overrides`` change config values (checked like command-line values)."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 32, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)

    def predict(self, images: Sequence[ImageInput]) -> list[Prediction]:
        """Recognise every image, ``batch_size`` at a time (every input has the same shape)."""
        inputs = [line_input(image, self.cfg.line_width) for image in load_images(list(images), 3)]
        results = []
        for start in range(0, len(inputs), self.batch_size):
            logits = predict_padded(self.network, np.stack(inputs[start:start + self.batch_size]), self.batch_size)
            results += [Prediction(text, conf) for text, conf in self.converter.decode(logits)]
        return results
