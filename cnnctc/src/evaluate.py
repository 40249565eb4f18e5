"""Run a network over a dataset and score it: word accuracy and normalised edit distance."""
from __future__ import annotations

import mindspore as ms
import numpy as np
from mindspore import nn

from .charset import CTCLabelConverter
from .dataset import LmdbWordSource, batch_labels, create_dataset
from .metrics import RecognitionMetric


def predict_padded(net: nn.Cell, images: np.ndarray, batch_size: int) -> np.ndarray:
    """Run ``net`` on a batch, padding a short last batch so the compiled graph is reused."""
    count = images.shape[0]
    if count < batch_size:
        images = np.concatenate([images, np.zeros((batch_size - count,) + images.shape[1:], images.dtype)])
    return net(ms.Tensor(images)).asnumpy()[:count]


def evaluate_source(net: nn.Cell, source: LmdbWordSource, converter: CTCLabelConverter, batch_size: int,
                    num_workers: int) -> RecognitionMetric:
    """Score ``net`` (put in eval mode here) on every usable sample of ``source``."""
    net.set_train(False)
    metric = RecognitionMetric()
    dataset = create_dataset(source, batch_size, shuffle=False, num_workers=num_workers, drop_remainder=False)
    for batch in dataset.create_dict_iterator(num_epochs=1, output_numpy=True):
        logits = predict_padded(net, batch["image"], batch_size)
        predictions = [text for text, _ in converter.decode(logits)]
        truths = batch_labels(batch["label"], batch["length"], converter)
        metric.update(predictions, truths)
    return metric
