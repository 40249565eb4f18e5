"""FLOPs of one forward pass, counted layer by layer with the convention of OpenVINO's model analyzer
(which gives the Open Model Zoo's "GFlops", e.g. 8.216 for ResNet-50, i.e. 2 x its 4.1 G multiply-adds).

Per output element: convolution and dense 2 x (inputs per output) (a multiply-add is 2 FLOPs), plus 1
for the dense bias; BatchNorm 1 (folded into the preceding convolution it becomes that convolution's
bias add); ReLU 2 (compare and multiply); max-pool one per window element; the residual add 1.  The
network runs once in PyNative mode with forward hooks, so the counts come from the real output shapes.
"""
from __future__ import annotations

from typing import Sequence

import mindspore as ms
import numpy as np
from mindspore import nn

from .network import ResidualBlock


def _per_element(cell: nn.Cell) -> tuple[str, float]:
    """(kind, FLOPs per output element) of a layer, or ("", 0) for a container."""
    if isinstance(cell, nn.Conv2d):
        kh, kw = cell.kernel_size
        return "conv", 2.0 * (cell.in_channels // cell.group) * kh * kw
    if isinstance(cell, nn.Dense):
        return "dense", 2.0 * cell.in_channels + (1.0 if cell.has_bias else 0.0)
    if isinstance(cell, nn.BatchNorm2d):
        return "batchnorm", 1.0
    if isinstance(cell, nn.ReLU):
        return "relu", 2.0
    if isinstance(cell, nn.MaxPool2d):
        return "maxpool", float(np.prod(cell.kernel_size))
    if isinstance(cell, ResidualBlock):
        return "add", 1.0  # the block's own layers are hooked separately; this is its "out + residual"
    return "", 0.0


def count_flops(net: nn.Cell, input_shape: Sequence[int]) -> dict[str, int]:
    """FLOPs per sample by kind (conv, dense, batchnorm, relu, maxpool, add) of ``net`` on zeros of
    ``input_shape`` (with the batch axis); ``sum(...values())`` is the total."""
    totals: dict[str, float] = {}

    def hook(cell, _inputs, output):
        kind, flops = _per_element(cell)
        totals[kind] = totals.get(kind, 0.0) + flops * output.size

    handles = [cell.register_forward_hook(hook) for _, cell in net.cells_and_names() if _per_element(cell)[0]]
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
