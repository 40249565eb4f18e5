"""Run a network over evaluation data and score its greedy-decoded outputs: batches of a pipeline, or samples
whose inputs differ in shape (batched by shape, which gives the outputs of batch size 1)."""
from __future__ import annotations

from typing import Callable, Optional, Sequence

import mindspore as ms
import mindspore.dataset as ds
import numpy as np
from mindspore import nn

from .ctc import CTCLabelConverter
from .metrics import Metric
from .report import Recorder


def predict_padded(net: nn.Cell, inputs: np.ndarray, batch_size: int) -> np.ndarray:
    """Run ``net`` on a batch, padding a short last batch so the compiled graph is reused."""
    count = inputs.shape[0]
    if count < batch_size:
        inputs = np.concatenate([inputs, np.zeros((batch_size - count,) + inputs.shape[1:], inputs.dtype)])
    return net(ms.Tensor(inputs)).asnumpy()[:count]


def evaluate_dataset(net: nn.Cell, dataset: ds.Dataset, converter: CTCLabelConverter, batch_size: int,
                     new_metric: Callable[[], Metric], recorder: Optional[Recorder] = None) -> Metric:
    """Score ``net`` (put in eval mode here) on every batch of ``dataset`` (input, label, length, index);
    ``recorder`` (eval.py --report) receives every sample's result."""
    net.set_train(False)
    metric = new_metric()
    for batch in dataset.create_dict_iterator(num_epochs=1, output_numpy=True):
        logits = predict_padded(net, batch["input"], batch_size)
        decoded, truths = converter.decode(logits), converter.texts(batch["label"], batch["length"])
        metric.update([text for text, _ in decoded], truths)
        if recorder is not None:
            recorder.add(batch["index"], truths, decoded)
    return metric


def evaluate_by_shape(net: nn.Cell, source: Sequence, converter: CTCLabelConverter, batch_size: int,
                      new_metric: Callable[[], Metric], to_input: Callable[[np.ndarray], np.ndarray],
                      recorder: Optional[Recorder] = None,
                      decode: Optional[Callable[[np.ndarray], list[tuple[str, float]]]] = None) -> Metric:
    """Score ``net`` on every valid item (input, label ids, length, index, valid) of ``source`` whose prepared
    inputs may differ in shape (e.g. keep-ratio widths): ``to_input`` makes the network input of one item,
    and items of one shape are run together, at most ``batch_size`` at a time; ``decode`` makes (text,
    confidence) of a batch of outputs (by default the converter's greedy decoding).  ``recorder`` (eval.py
    --report) receives every sample's result."""
    decode = decode or converter.decode
    net.set_train(False)
    metric = new_metric()
    groups: dict[tuple, list[tuple[np.ndarray, str, int]]] = {}

    def run(shape: tuple) -> None:
        items = groups.pop(shape)
        logits = predict_padded(net, np.stack([x for x, _, _ in items]), batch_size)
        decoded, truths = decode(logits), [truth for _, truth, _ in items]
        metric.update([text for text, _ in decoded], truths)
        if recorder is not None:
            recorder.add([number for _, _, number in items], truths, decoded)

    for number in range(len(source)):
        image, ids, length, _, valid = source[number]
        if valid:
            x = to_input(image)
            groups.setdefault(x.shape, []).append((x, converter.ids_to_text(ids[:length]), number))
            if len(groups[x.shape]) == batch_size:
                run(x.shape)
    for shape in list(groups):
        run(shape)
    return metric
