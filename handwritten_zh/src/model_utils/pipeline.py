"""A sample source as a batched ``mindspore.dataset`` pipeline, in a given sample order.

The source's items are (input, label ids, length, index, valid): parallel workers read and prepare
the samples, a filter drops the invalid ones (counted by the source), the model's C++ ops (fastest
in ``.map``) turn the input into the network's, and batches hold (input, label, length, index).  Inputs of
different sizes (text lines of different widths) are stacked by the model's ``pad_inputs``.
"""
from __future__ import annotations

import os
from typing import Callable, Optional, Sequence

import mindspore.dataset as ds
import numpy as np

COLUMNS = ["input", "label", "length", "index", "valid"]


class InOrder:
    """The samples of a source in a given order, read sequentially (an order may repeat samples and be
    longer than the source, which a ``GeneratorDataset`` sampler may not).  An order of rows (sample index,
    epoch) (``sampler.sample_order(epochs=True)``) reads each with ``source.draw(index, epoch)``, which
    augments it when the source augments (``sources.LabelledSource``)."""

    def __init__(self, source: Sequence, order: np.ndarray):
        self.source, self.order = source, order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, position: int):
        if self.order.ndim == 1:
            return self.source[int(self.order[position])]
        index, epoch = self.order[position]
        return self.source.draw(int(index), int(epoch))


def create_dataset(source: Sequence, batch_size: int, ops: list, num_workers: int = 2, shuffle: bool = False,
                   drop_remainder: bool = True, order: Optional[np.ndarray] = None,
                   pad_inputs: Optional[Callable[[list[np.ndarray]], np.ndarray]] = None) -> ds.Dataset:
    """Build the pipeline: parallel read/prepare -> drop invalid -> ``ops`` on the input (C++) -> batch.

    ``pad_inputs`` (a batch's inputs -> one array) batches inputs whose shapes differ, e.g. by padding them
    to the widest one; without it every input must have the same shape.

    ``order`` (this device's sample indices, or rows (index, epoch), see ``sampler``, which also shards)
    replaces ``shuffle``.
    ``num_workers`` is capped at the machine's core count (MindSpore refuses more).
    """
    num_workers = max(1, min(num_workers, os.cpu_count() or 1))
    samples = source if order is None else InOrder(source, order)
    dataset = ds.GeneratorDataset(samples, column_names=COLUMNS, shuffle=shuffle and order is None,
                                  num_parallel_workers=num_workers, python_multiprocessing=False)
    dataset = dataset.filter(predicate=lambda valid: bool(valid), input_columns=["valid"], num_parallel_workers=1)
    dataset = dataset.project(COLUMNS[:-1])
    if ops:
        dataset = dataset.map(operations=ops, input_columns=["input"], num_parallel_workers=num_workers)
    if pad_inputs is None:
        return dataset.batch(batch_size, drop_remainder=drop_remainder)

    def stack(inputs, labels, lengths, indices, _batch_info):  # MindSpore checks the signature
        return pad_inputs(inputs), np.stack(labels), np.stack(lengths), np.stack(indices)

    return dataset.batch(batch_size, drop_remainder=drop_remainder, per_batch_map=stack,
                         input_columns=COLUMNS[:-1], num_parallel_workers=num_workers)
