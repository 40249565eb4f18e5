"""``Recognizer``: handwritten Chinese text lines from images, with a checkpoint or an exported MINDIR, the
reference's preprocessing (gray, height ``image_height`` INTER_AREA, edge padding to ``max_width`` or to a
multiple of ``width_step``) and greedy decoding (restricted to ``designated_characters`` when set).

    from src.model_utils.config import load_config
    from src.recognizer import Recognizer
    cfg = load_config(["--config_path", "cpu_small.yaml"])
    rec = Recognizer("release/handwritten_zh_cpu_small.ckpt", cfg)
    rec.predict(["line.png", gray_uint8_array])   # -> [Prediction(text, confidence, alternatives), ...]

``details`` holds the ``alternatives`` best characters with their probabilities at each recognised character.
A line wider than ``max_width`` after resizing (the reference's protocol) gives an empty text and says so in
``details``.  Set the MindSpore context first (graph mode and device, ``src.model_utils.context``).
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Sequence

import numpy as np

from .charset import label_converter
from .data import eval_width, line_decoder, pad_lines
from .decoding import alternatives, alternatives_text
from .model_utils.ctc import softmax
from .model_utils.evaluate import predict_padded
from .model_utils.images import ImageInput, load_images
from .model_utils.infer_io import Prediction, Recognizer as BaseRecognizer
from .network import build_network
from .preprocess import resize_to_height


class Recognizer(BaseRecognizer):
    """Recognise text lines in images (paths or arrays) with the network ``cfg`` describes; ``overrides``
    change config values (checked like command-line values)."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 8, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)
        self.decoder = line_decoder(self.cfg, self.converter)
        exported = model_path.lower().endswith(".mindir")
        self.fixed_width = self.cfg.export_width if exported else 0  # an export's input width (0: any)
        self.time_major = exported and self.cfg.export_time_major

    def _width(self, width: int) -> int:
        return self.fixed_width or eval_width(self.cfg, width)

    def predict(self, images: Sequence[ImageInput]) -> list[Prediction]:
        """Recognise every line; lines of one padded width are batched, ``batch_size`` at a time."""
        lines = [resize_to_height(gray, self.cfg.image_height) for gray in load_images(list(images), 1)]
        limit = self.fixed_width or self.cfg.max_width
        results: list = [None] * len(lines)
        for number, line in enumerate(lines):
            if line.shape[1] > limit:
                results[number] = Prediction("", 0.0, f"skipped: {line.shape[1]} px wide at height "
                                                       f"{self.cfg.image_height}, more than {limit}")
        usable = [n for n in range(len(lines)) if results[n] is None]
        for width in sorted({self._width(lines[n].shape[1]) for n in usable}):
            numbers = [n for n in usable if self._width(lines[n].shape[1]) == width]
            for start in range(0, len(numbers), self.batch_size):
                chunk = numbers[start:start + self.batch_size]
                logits = predict_padded(self.network, pad_lines([lines[n] for n in chunk], width), self.batch_size)
                if self.time_major:
                    logits = logits.transpose(1, 0, 2)
                for n, probs, decoded in zip(chunk, softmax(logits), self.decoder.decode(logits)):
                    best = alternatives(probs, decoded.steps, self.converter, self.cfg.alternatives)
                    results[n] = Prediction(decoded.text, decoded.confidence, alternatives_text(best),
                                            alternatives=best)
        return results
