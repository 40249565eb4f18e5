"""``Recognizer``: word recognition of images from a checkpoint or an exported MINDIR, with the network's
evaluation preprocessing (MMOCR's: height 32, width keeping the ratio, multiple of 16, padded to a multiple of 64
as MMOCR pads a batch; images of one padded width run together; or the official zoo network's).

    from src.model_utils.config import load_config
    from src.recognizer import Recognizer
    cfg = load_config(["--config_path", "cpu_small.yaml"])
    rec = Recognizer("release/crnn_cpu_small.ckpt", cfg)
    rec.predict(["word_1.jpg", gray_or_rgb_uint8_array])   # -> [Prediction(text, confidence), ...]

Set the MindSpore context first (graph mode and device, ``src.model_utils.context``).
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Sequence

import numpy as np

from .crnn import build_network, label_converter
from .model_utils.evaluate import predict_padded
from .model_utils.images import ImageInput, load_images
from .model_utils.infer_io import Prediction, Recognizer as BaseRecognizer
from .preprocess_switch import preprocessing


def _bucketed(network_input: np.ndarray, bucket: int) -> np.ndarray:
    """A normalised [C, H, W] input padded on the right to a multiple of ``bucket`` (config
    ``infer_width_bucket``) by repeating its last column: zero padding (MMOCR's, of a batch) read 10 of 16 words
    right instead of 15; repeated columns to 32 read 64 words at 0.84 (0.86 unpadded) and compile a third fewer
    graphs."""
    pad = -network_input.shape[-1] % bucket if bucket > 0 else 0
    return np.pad(network_input, ((0, 0), (0, 0), (0, pad)), mode="edge") if pad else network_input


class Recognizer(BaseRecognizer):
    """Recognise words in images (file paths or arrays: RGB, gray, RGBA; uint8, uint16 or float in [0, 1])
    with the network ``cfg`` describes; ``overrides`` change config values (checked like command-line values)."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 32, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)
        # an exported MINDIR has a fixed input width: images are resized to it, as in training
        self.keep_ratio = self.cfg.test_keep_ratio and not model_path.lower().endswith(".mindir")

    def predict(self, images: Sequence[ImageInput]) -> list[Prediction]:
        """Recognise every image; images of one input width are batched, ``batch_size`` at a time."""
        pre = preprocessing(self.cfg)
        inputs = [pre.to_network_input(pre.resize(image, self.cfg.image_height, self.cfg.image_width, self.keep_ratio))
                  for image in load_images(list(images), pre.channels)]
        if self.keep_ratio:
            inputs = [_bucketed(x, self.cfg.infer_width_bucket) for x in inputs]
        results: list = [None] * len(inputs)
        for width in sorted({x.shape[-1] for x in inputs}):
            numbers = [n for n, x in enumerate(inputs) if x.shape[-1] == width]
            for start in range(0, len(numbers), self.batch_size):
                chunk = numbers[start:start + self.batch_size]
                logits = predict_padded(self.network, np.stack([inputs[n] for n in chunk]), self.batch_size)
                for n, (text, conf) in zip(chunk, self.converter.decode(logits)):
                    results[n] = Prediction(text, conf)
        return results
