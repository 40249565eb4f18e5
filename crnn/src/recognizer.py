"""``Recognizer``: word recognition of images from a checkpoint or an exported MINDIR, with the network's
evaluation preprocessing (MMOCR's: height 32, width keeping the ratio, multiple of 16, padded to a multiple of 64
as MMOCR pads a batch; images of one padded width run together; or the official zoo network's).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .crnn import build_network, label_converter
from .model_utils.image_recognizer import ImageRecognizer
from .preprocess_switch import preprocessing


def _bucketed(network_input: np.ndarray, bucket: int) -> np.ndarray:
    """A normalised [C, H, W] input padded on the right to a multiple of ``bucket`` (config
    ``infer_width_bucket``) by repeating its last column: zero padding (MMOCR's, of a batch) read 10 of 16 words
    right instead of 15; repeated columns to 32 read 64 words at 0.84 (0.86 unpadded) and compile a third fewer
    graphs."""
    pad = -network_input.shape[-1] % bucket if bucket > 0 else 0
    return np.pad(network_input, ((0, 0), (0, 0), (0, pad)), mode="edge") if pad else network_input


class Recognizer(ImageRecognizer):
    """Recognise words in images with the network ``cfg`` describes."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 32, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)
        # an exported MINDIR has a fixed input width: images are resized to it, as in training
        self.keep_ratio = self.cfg.test_keep_ratio and not model_path.lower().endswith(".mindir")
        self.preprocessing = preprocessing(self.cfg)
        self.channels = self.preprocessing.channels

    def to_input(self, image: np.ndarray) -> np.ndarray:
        """The network's evaluation preprocessing of one image; keeping the ratio, padded to a multiple of
        ``infer_width_bucket``."""
        pre = self.preprocessing
        x = pre.to_network_input(pre.resize(image, self.cfg.image_height, self.cfg.image_width, self.keep_ratio))
        return _bucketed(x, self.cfg.infer_width_bucket) if self.keep_ratio else x
