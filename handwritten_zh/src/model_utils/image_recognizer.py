"""The ``predict`` of every image model's ``Recognizer``: images loaded, made network inputs by the model's
``to_input``, run in batches of inputs of one shape and read by its ``decode``.

A model of one input size (every input resized to it) gives one group, run in order; a model whose inputs keep
their ratio gives a group per width, narrowest first.  A batch short of ``batch_size`` is padded, so that the
compiled graph of a width is reused.

A model's ``src/recognizer.py`` subclasses ``ImageRecognizer``; use it as ``Recognizer(model_path, cfg).predict(
images)`` (each model README's "From Python"), after setting the MindSpore context (graph mode and device,
``context``).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterable, Union

import numpy as np

from .evaluate import predict_padded
from .images import ImageInput, load_images
from .infer_io import Prediction, Recognizer


class ImageRecognizer(Recognizer, ABC):
    """A ``Recognizer`` of images; the model's subclass gives ``to_input`` (and ``decode`` when its decoding is
    not the converter's greedy one) and the ``channels`` of the loaded images (3: RGB, 1: gray)."""

    channels: int = 3

    @abstractmethod
    def to_input(self, image: np.ndarray) -> Union[np.ndarray, str]:
        """The network input (without the batch axis) of one loaded uint8 image, or a sentence saying why it is
        not recognised (its prediction is then empty, with that sentence as details)."""

    def decode(self, logits: np.ndarray) -> list[Prediction]:
        """Predictions of a batch of network outputs: greedy decoding by the label converter."""
        return [Prediction(text, confidence) for text, confidence in self.converter.decode(logits)]

    def predict(self, images: Iterable[ImageInput]) -> list[Prediction]:
        """Recognise every image (file paths or arrays: RGB, gray, RGBA; uint8, uint16 or float in [0, 1]; a list
        or any iterable); inputs of one shape run together, ``batch_size`` at a time."""
        inputs = [self.to_input(image) for image in load_images(list(images), self.channels)]
        results = [Prediction("", 0.0, x) if isinstance(x, str) else None for x in inputs]
        for shape in sorted({x.shape for x in inputs if not isinstance(x, str)}):
            numbers = [n for n, x in enumerate(inputs) if not isinstance(x, str) and x.shape == shape]
            for start in range(0, len(numbers), self.batch_size):
                chunk = numbers[start:start + self.batch_size]
                logits = predict_padded(self.network, np.stack([inputs[n] for n in chunk]), self.batch_size)
                for number, prediction in zip(chunk, self.decode(logits)):
                    results[number] = prediction
        return results
