"""``Recognizer``: handwritten Chinese text lines from images, with a checkpoint or an exported MINDIR, the
reference's preprocessing (gray, height ``image_height`` INTER_AREA, edge padding to ``max_width`` or to a
multiple of ``width_step``) and greedy decoding (restricted to ``designated_characters`` when set).

``details`` holds the ``alternatives`` best characters with their probabilities at each recognised character.
A line wider than ``max_width`` after resizing (the reference's protocol) gives an empty text and says so in
``details``.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Union

import numpy as np

from .charset import label_converter
from .data import eval_width, line_decoder, pad_lines
from .decoding import alternatives, alternatives_text
from .model_utils.ctc import softmax
from .model_utils.image_recognizer import ImageRecognizer
from .model_utils.infer_io import Prediction
from .network import build_network
from .preprocess import resize_to_height


class Recognizer(ImageRecognizer):
    """Recognise text lines in images (paths or arrays) with the network ``cfg`` describes."""

    channels = 1

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 8, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)
        self.decoder = line_decoder(self.cfg, self.converter)
        exported = model_path.lower().endswith(".mindir")
        self.fixed_width = self.cfg.export_width if exported else 0  # an export's input width (0: any)
        self.time_major = exported and self.cfg.export_time_major

    def to_input(self, image: np.ndarray) -> Union[np.ndarray, str]:
        """The gray line at ``image_height``, edge-padded to the export's width or ``eval_width``; a line wider
        than that limit is not recognised."""
        line = resize_to_height(image, self.cfg.image_height)
        limit = self.fixed_width or self.cfg.max_width
        if line.shape[1] > limit:
            return f"skipped: {line.shape[1]} px wide at height {self.cfg.image_height}, more than {limit}"
        return pad_lines([line], self.fixed_width or eval_width(self.cfg, line.shape[1]))[0]

    def decode(self, logits: np.ndarray) -> list[Prediction]:
        """Greedy decoding (``designated_characters``), with the best ``alternatives`` at each character."""
        if self.time_major:
            logits = logits.transpose(1, 0, 2)
        predictions = []
        for probs, decoded in zip(softmax(logits), self.decoder.decode(logits)):
            best = alternatives(probs, decoded.steps, self.converter, self.cfg.alternatives)
            predictions.append(Prediction(decoded.text, decoded.confidence, alternatives_text(best), alternatives=best))
        return predictions
