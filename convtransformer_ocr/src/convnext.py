"""ConvNeXt backbone of ModelScope's ConvNextViT: gray [N, 1, 32, W] -> features [N, C, 1, W / 4] (4 stages).

A 4x4 stride-4 stem, then three downsampling layers that halve the height only (kernel and stride (2, 1)),
each stage made of ConvNeXt blocks (7x7 depthwise conv, LayerNorm, Linear 4x, GELU, Linear, layer scale,
residual).  Parameter names are ModelScope's (``downsample_layers.{i}.{j}``, ``stages.{i}.{j}.dwconv``,
``pwconv1``, ``pwconv2``, ``gamma`` = the layer scale), except that LayerNorm tensors are MindSpore's
``gamma``/``beta`` where PyTorch has ``weight``/``bias`` (see ``convert_modelscope.py``).
"""
from __future__ import annotations

from typing import Sequence

import mindspore as ms
from mindspore import nn, ops
from mindspore.common.initializer import initializer

from .gelu import ExactGELU

LAYER_NORM_EPS = 1e-6
LAYER_SCALE_INIT = 1e-6
STEM_STRIDE = 4


class ChannelsFirstLayerNorm(nn.Cell):
    """LayerNorm over axis 1 of [N, C, H, W] (biased variance, as ModelScope's ``channels_first`` LayerNorm)."""

    def __init__(self, channels: int, eps: float = LAYER_NORM_EPS):
        super().__init__()
        self.gamma = ms.Parameter(initializer("ones", (channels,)), name="gamma")
        self.beta = ms.Parameter(initializer("zeros", (channels,)), name="beta")
        self.eps = eps

    def construct(self, x):
        centred = x - x.mean(axis=1, keep_dims=True)
        variance = (centred * centred).mean(axis=1, keep_dims=True)
        normed = centred / ops.sqrt(variance + self.eps)
        return normed * self.gamma.reshape((1, -1, 1, 1)) + self.beta.reshape((1, -1, 1, 1))


class ConvNeXtBlock(nn.Cell):
    """x + gamma * Linear(GELU(Linear(LayerNorm(dwconv7x7(x))))), the linear layers on channels-last tensors."""

    def __init__(self, dim: int, layer_scale_init: float = LAYER_SCALE_INIT):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, pad_mode="pad", padding=3, group=dim, has_bias=True)
        self.norm = nn.LayerNorm((dim,), epsilon=LAYER_NORM_EPS)
        self.pwconv1 = nn.Dense(dim, 4 * dim)
        self.act = ExactGELU()
        self.pwconv2 = nn.Dense(4 * dim, dim)
        self.gamma = ms.Parameter(initializer(layer_scale_init, (dim,)), name="gamma")

    def construct(self, x):
        y = ops.transpose(self.dwconv(x), (0, 2, 3, 1))  # [N, H, W, C]
        y = self.pwconv2(self.act(self.pwconv1(self.norm(y)))) * self.gamma
        return x + ops.transpose(y, (0, 3, 1, 2))


class ConvNeXt(nn.Cell):
    """``downsample_layers`` (stem: conv, LayerNorm; then LayerNorm, conv (2, 1)) interleaved with ``stages``."""

    def __init__(self, depths: Sequence[int], dims: Sequence[int], in_channels: int = 1,
                 layer_scale_init: float = LAYER_SCALE_INIT):
        super().__init__()
        stem = nn.SequentialCell([
            nn.Conv2d(in_channels, dims[0], STEM_STRIDE, stride=STEM_STRIDE, pad_mode="valid", has_bias=True),
            ChannelsFirstLayerNorm(dims[0])])
        self.downsample_layers = nn.CellList([stem] + [
            nn.SequentialCell([ChannelsFirstLayerNorm(dims[i]),
                               nn.Conv2d(dims[i], dims[i + 1], (2, 1), stride=(2, 1), pad_mode="valid",
                                         has_bias=True)])
            for i in range(len(dims) - 1)])
        self.stages = nn.CellList([nn.SequentialCell([ConvNeXtBlock(dim, layer_scale_init) for _ in range(depth)])
                                   for depth, dim in zip(depths, dims)])

    def construct(self, x):
        for i in range(len(self.stages)):
            x = self.stages[i](self.downsample_layers[i](x))
        return x

