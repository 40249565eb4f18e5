"""Run a network over an evaluation pipeline and score its greedy-decoded outputs."""
from __future__ import annotations

from typing import Callable

import mindspore as ms
import mindspore.dataset as ds
import numpy as np
from mindspore import nn

from .ctc import CTCLabelConverter
from .metrics import RecognitionMetric


def predict_padded(net: nn.Cell, inputs: np.ndarray, batch_size: int) -> np.ndarray:
    """Run ``net`` on a batch, padding a short last batch so the compiled graph is reused."""
    count = inputs.shape[0]
    if count < batch_size:
        inputs = np.concatenate([inputs, np.zeros((batch_size - count,) + inputs.shape[1:], inputs.dtype)])
    return net(ms.Tensor(inputs)).asnumpy()[:count]


def evaluate_dataset(net: nn.Cell, dataset: ds.Dataset, converter: CTCLabelConverter, batch_size: int,
                     new_metric: Callable[[], RecognitionMetric]) -> RecognitionMetric:
    """Score ``net`` (put in eval mode here) on every batch of ``dataset`` (input, label, length, index)."""
    net.set_train(False)
    metric = new_metric()
    for batch in dataset.create_dict_iterator(num_epochs=1, output_numpy=True):
        logits = predict_padded(net, batch["input"], batch_size)
        metric.update([text for text, _ in converter.decode(logits)], converter.texts(batch["label"], batch["length"]))
    return metric
