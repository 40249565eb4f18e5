"""The one ``predict`` of the image recognizers (inputs of one shape batched together, padded batches, results
in input order, a refused input as an empty prediction, the ``to_input``/``decode`` hooks) and the evaluation by
shape with a model's own decoding, on a network that reads its input's pixel values as classes."""
from __future__ import annotations

import mindspore as ms
import numpy as np

from cnnctc.src.model_utils.ctc import CTCLabelConverter
from cnnctc.src.model_utils.evaluate import evaluate_by_shape
from cnnctc.src.model_utils.image_recognizer import ImageRecognizer
from cnnctc.src.model_utils.infer_io import Prediction
from cnnctc.src.model_utils.metrics import RecognitionMetric
from cnnctc.src.model_utils.report import Recorder

CONVERTER = CTCLabelConverter("abc", 8)  # a b c, blank 3


class PixelNetwork:
    """Logits [B, W, 4] one-hot at each input column's value (0-2: a character, 3: blank); records its batches."""

    def __init__(self):
        self.batches: list[tuple[int, ...]] = []
        self.training = True

    def set_train(self, mode: bool) -> None:
        self.training = mode

    def __call__(self, x: ms.Tensor) -> ms.Tensor:
        values = x.asnumpy()[:, 0, 0, :].astype(int)
        self.batches.append(values.shape)
        return ms.Tensor(np.eye(4, dtype=np.float32)[values] * 10.0)


class ColumnRecognizer(ImageRecognizer):
    """Gray images one row high; wider than 5 columns: refused."""

    channels = 1

    def __init__(self, batch_size: int, decoder=None):  # the network without a checkpoint: what predict runs
        self.batch_size, self.converter, self.network = batch_size, CONVERTER, PixelNetwork()
        self.decoder = decoder

    def to_input(self, image: np.ndarray):
        if image.shape[1] > 5:
            return f"skipped: {image.shape[1]} columns"
        return image[None].astype(np.float32)

    def decode(self, logits: np.ndarray) -> list[Prediction]:
        return super().decode(logits) if self.decoder is None else self.decoder(logits)


def _row(*values: int) -> np.ndarray:
    return np.array([values], np.uint8)


IMAGES = [_row(0, 3, 1), _row(2, 2, 3, 0, 0), _row(1, 1, 1), _row(0, 1, 2, 0, 1, 2), _row(2, 3, 2), _row(0, 1)]


def test_predict_batches_inputs_of_one_shape_and_keeps_the_input_order():
    rec = ColumnRecognizer(batch_size=2)
    predictions = rec.predict(image for image in IMAGES)  # any iterable
    assert [p.text for p in predictions] == ["ab", "ca", "b", "", "cc", "ab"]
    assert predictions[3] == Prediction("", 0.0, "skipped: 6 columns")
    assert all(p.confidence > 0.99 and p.details == "" for n, p in enumerate(predictions) if n != 3)
    # narrowest shape first; each batch padded to batch_size so that one graph per width is compiled
    assert rec.network.batches == [(2, 2), (2, 3), (2, 3), (2, 5)]


def test_one_input_shape_runs_in_order_and_decode_is_the_models():
    rec = ColumnRecognizer(batch_size=4, decoder=lambda logits: [Prediction(f"{len(row)} frames", 0.5)
                                                                 for row in logits])
    assert [p.text for p in rec.predict([_row(0, 1, 2)] * 5)] == ["3 frames"] * 5
    assert rec.network.batches == [(4, 3), (4, 3)]


def test_evaluation_by_shape_takes_the_models_decoding():
    source = []
    for number, (values, truth) in enumerate([((0, 3, 1), "ab"), ((2, 3, 2), "c"), ((1, 0), "ba"),
                                              ((0,), "a"), ((1, 1), "x")]):
        ids, length = CONVERTER.encode(truth if truth != "x" else "b")
        source.append((_row(*values), ids, np.int32(length), np.int64(number), np.bool_(truth != "x")))
    network, recorder = PixelNetwork(), Recorder()
    metric = evaluate_by_shape(network, source, CONVERTER, 2, RecognitionMetric, lambda image: image[None].astype(
        np.float32), recorder)
    assert (metric.correct, metric.count) == (3, 4) and not network.training  # "cc" is not "c"; the invalid item
    # is never run
    assert network.batches == [(2, 3), (2, 2), (2, 1)]  # a full group at once, then the rest as first seen
    assert [(index, result) for index, _, result, _ in recorder.rows] == [(0, "ab"), (1, "cc"), (2, "ba"), (3, "a")]
    upper = evaluate_by_shape(PixelNetwork(), source, CONVERTER, 2, RecognitionMetric,
                              lambda image: image[None].astype(np.float32),
                              decode=lambda logits: [(text.upper(), conf) for text, conf in CONVERTER.decode(logits)])
    assert (upper.correct, upper.count) == (0, 4)
