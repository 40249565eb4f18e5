"""FLOPs of one forward pass, counted layer by layer with forward hooks (the network runs once in PyNative mode
on zeros, so the counts come from the real output shapes).

A rule gives a layer's kind and FLOPs from the layer, its inputs and its output.  Two rule sets:

- ``MULTIPLY_ADDS``: 2 FLOPs per multiply-add of convolutions, dense layers (no bias) and LSTMs (the 4 gates of
  ``[x, h] @ W`` per step, layer and direction): what ``scripts/benchmark.py`` reports as GFLOP per image.
- ``OPENVINO``: the convention of OpenVINO's model analyzer (which gives the Open Model Zoo's "GFlops", e.g.
  8.216 for ResNet-50, i.e. 2 x its 4.1 G multiply-adds).  Per output element: convolution and dense 2 x
  (inputs per output), plus 1 for the dense bias; BatchNorm 1 (folded into the preceding convolution it
  becomes that convolution's bias add); ReLU 2 (compare and multiply); max-pool one per window element.
  A model adds its own layers (e.g. a residual block's add) with ``per_element``.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import mindspore as ms
import numpy as np
from mindspore import nn

Rule = tuple[str, Callable[[nn.Cell, tuple, object], float]]  # (kind, FLOPs of one call: cell, inputs, output)


def per_element(kind: str, flops: Callable[[nn.Cell], float]) -> Rule:
    """A rule of ``flops(cell)`` FLOPs per output element."""
    return kind, lambda cell, _inputs, output: flops(cell) * output.size


def _pair(size) -> tuple[int, int]:
    """A layer's kernel size as (height, width): an int ``k`` is k x k."""
    return (size, size) if isinstance(size, int) else tuple(size)


def _conv(cell: nn.Conv2d) -> float:
    kh, kw = _pair(cell.kernel_size)
    return 2.0 * (cell.in_channels // cell.group) * kh * kw


def _lstm(cell: nn.LSTM, inputs: tuple, output) -> float:
    """The 4 gates of ``[x, h] @ W`` at every step, layer and direction."""
    directions = 2 if cell.bidirectional else 1
    steps_batch = output[0].size // (cell.hidden_size * directions)
    width = inputs[0].shape[-1]
    flops = 0.0
    for layer in range(cell.num_layers):
        layer_input = width if layer == 0 else directions * cell.hidden_size
        flops += 2.0 * steps_batch * directions * 4 * cell.hidden_size * (layer_input + cell.hidden_size)
    return flops


MULTIPLY_ADDS: Mapping[type, Rule] = {
    nn.Conv2d: per_element("conv", _conv),
    nn.Dense: per_element("dense", lambda cell: 2.0 * cell.in_channels),
    nn.LSTM: ("lstm", _lstm),
}
OPENVINO: Mapping[type, Rule] = {
    nn.Conv2d: per_element("conv", _conv),
    nn.Dense: per_element("dense", lambda cell: 2.0 * cell.in_channels + (1.0 if cell.has_bias else 0.0)),
    nn.BatchNorm2d: per_element("batchnorm", lambda _cell: 1.0),
    nn.ReLU: per_element("relu", lambda _cell: 2.0),
    nn.MaxPool2d: per_element("maxpool", lambda cell: float(np.prod(_pair(cell.kernel_size)))),
}


def _rule(cell: nn.Cell, rules: Mapping[type, Rule]):
    return next((rule for layer, rule in rules.items() if isinstance(cell, layer)), None)


def count_flops(net: nn.Cell, input_shape: Sequence[int], rules: Mapping[type, Rule] = MULTIPLY_ADDS
                ) -> dict[str, int]:
    """FLOPs per sample by kind of ``net`` on zeros of ``input_shape`` (with the batch axis) under ``rules``
    (layer class -> rule; the first class a layer is an instance of counts); ``sum(...values())`` is the total."""
    totals: dict[str, float] = {}

    def hook(cell, inputs, output):
        kind, flops = _rule(cell, rules)
        totals[kind] = totals.get(kind, 0.0) + flops(cell, inputs, output)

    handles = [cell.register_forward_hook(hook) for _, cell in net.cells_and_names() if _rule(cell, rules)]
    mode = ms.get_context("mode")
    ms.set_context(mode=ms.PYNATIVE_MODE)
    try:
        net.set_train(False)
        net(ms.Tensor(np.zeros(tuple(input_shape), np.float32)))
    finally:
        ms.set_context(mode=mode)
        for handle in handles:
            handle.remove()
    return {kind: int(round(value / input_shape[0])) for kind, value in totals.items()}
