"""Residual CNN + flatten + fully connected classifier, the architecture of OpenVINO's
``handwritten-simplified-chinese-recognition-0001`` (a gray [B, 1, 96, W] line -> logits [B, W / 16, 4059]).

Layout (default widths, ``default_config.yaml``)::

    stem    conv3x3(1->32) conv3x3(32->32), each + BN + ReLU; max-pool (2, 1)        96 x W  -> 48 x W
    stage i residual blocks (two conv3x3 + BN, identity or 1x1-projection shortcut),
            conv3x3 + BN + ReLU, max-pool 2x2; widths 64, 128, 256, 512, blocks 1, 3, 3, 1   -> 3 x W/16
    head    per column: flatten channels x height (512 x 3 = 1536, channel-major) -> Dense(1536 -> 4059)

17,215,867 trainable parameters (-0.3 %) and 134.43 GFLOPs (-0.06 %, ``FLOP_RULES``) for one
96 x 2000 line, against the reference's 17.270 M and 134.513 G.  The reference's layer list is not
published; this layout was chosen to fit its description (residual CNN, flatten, FC), its input and output
shapes and both figures, in the style of the CNN-only recognizer of Intel's training code behind it (a stem,
VGG-like stages of basic blocks each closed by a conv3x3 and a max-pool, five height halvings).  That code's
blocks also hold squeeze-and-excitation (a global average over the whole line): left out here, so that a
column's features do not depend on how far the line is padded (bucket widths in training, 2000 at inference).
No layer depends on the width, so any multiple of 16 gives W / 16 steps.  ``stem_channels``,
``stage_channels`` and ``stage_blocks`` give the narrower ``cpu_small`` profile the same architecture.
Output is batch-major [B, T, C]; ``TimeMajor`` wraps a network for the reference's [T, B, C] layout.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Sequence

from mindspore import nn, ops

from .charset import label_converter
from .model_utils.errors import ConfigError
from .model_utils.flops import OPENVINO, per_element


def _conv(in_ch: int, out_ch: int, kernel: int) -> nn.Conv2d:
    """Bias-free "same" convolution (a BatchNorm follows)."""
    return nn.Conv2d(in_ch, out_ch, kernel, pad_mode="pad" if kernel > 1 else "valid", padding=kernel // 2,
                     has_bias=False, weight_init="HeUniform")


class ConvBnRelu(nn.Cell):
    """conv3x3 -> BatchNorm -> ReLU."""

    def __init__(self, in_ch: int, out_ch: int, bn_momentum: float):
        super().__init__()
        self.conv = _conv(in_ch, out_ch, 3)
        self.bn = nn.BatchNorm2d(out_ch, momentum=bn_momentum)
        self.relu = nn.ReLU()

    def construct(self, x):
        return self.relu(self.bn(self.conv(x)))


class ResidualBlock(nn.Cell):
    """ResNet basic block: relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)), a 1x1 projection when widths differ."""

    def __init__(self, in_ch: int, out_ch: int, bn_momentum: float):
        super().__init__()
        self.conv1 = _conv(in_ch, out_ch, 3)
        self.bn1 = nn.BatchNorm2d(out_ch, momentum=bn_momentum)
        self.conv2 = _conv(out_ch, out_ch, 3)
        self.bn2 = nn.BatchNorm2d(out_ch, momentum=bn_momentum)
        self.relu = nn.ReLU()
        self.project = in_ch != out_ch
        if self.project:
            self.shortcut = nn.SequentialCell([_conv(in_ch, out_ch, 1), nn.BatchNorm2d(out_ch, momentum=bn_momentum)])

    def construct(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        residual = self.shortcut(x) if self.project else x
        return self.relu(out + residual)


# FLOPs of this network in OpenVINO's convention (``model_utils.flops.count_flops``): its layers, plus a residual
# block's "out + residual" (1 per output element; the block's own layers are counted by their rules)
FLOP_RULES = {**OPENVINO, ResidualBlock: per_element("add", lambda _cell: 1.0)}


class Stage(nn.Cell):
    """``blocks`` residual blocks, a conv3x3 + BN + ReLU, then a 2x2 max-pool (halves height and width)."""

    def __init__(self, in_ch: int, out_ch: int, blocks: int, bn_momentum: float):
        super().__init__()
        widths = [in_ch] + [out_ch] * blocks
        self.blocks = nn.SequentialCell([ResidualBlock(a, b, bn_momentum) for a, b in zip(widths, widths[1:])])
        self.conv = ConvBnRelu(widths[-1], out_ch, bn_momentum)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)

    def construct(self, x):
        return self.pool(self.conv(self.blocks(x)))


class HandwrittenZhNet(nn.Cell):
    """Gray [B, 1, image_height, W] (W a multiple of 2 ** len(stages)) -> logits [B, W / 2 ** len(stages), classes]."""

    def __init__(self, num_classes: int, stem_channels: int = 32, stage_channels: Sequence[int] = (64, 128, 256, 512),
                 stage_blocks: Sequence[int] = (1, 3, 3, 1), image_height: int = 96, bn_momentum: float = 0.9):
        super().__init__()
        if len(stage_channels) != len(stage_blocks) or not stage_channels:
            raise ConfigError(f"stage_channels {list(stage_channels)} and stage_blocks {list(stage_blocks)} must "
                              "name the same number (at least one) of stages")
        height_stride = 2 ** (len(stage_channels) + 1)
        if image_height % height_stride:
            raise ConfigError(f"image_height {image_height} must be a multiple of {height_stride} (the stem and "
                              f"{len(stage_channels)} stages halve it {len(stage_channels) + 1} times)")
        widths = [stem_channels, *stage_channels]
        self.stem = nn.SequentialCell([ConvBnRelu(1, stem_channels, bn_momentum),
                                       ConvBnRelu(stem_channels, stem_channels, bn_momentum),
                                       nn.MaxPool2d(kernel_size=(2, 1), stride=(2, 1))])
        self.stages = nn.SequentialCell([Stage(a, b, n, bn_momentum)
                                         for a, b, n in zip(widths, widths[1:], stage_blocks)])
        self.classifier = nn.Dense(stage_channels[-1] * (image_height // height_stride), num_classes)

    def construct(self, x):
        features = self.stages(self.stem(x))                            # [B, C, H', T]
        columns = ops.flatten(ops.transpose(features, (0, 3, 1, 2)), start_dim=2)  # [B, T, C * H']
        return self.classifier(columns)


class TimeMajor(nn.Cell):
    """A batch-major network's logits [B, T, C] as the reference's [T, B, C]."""

    def __init__(self, network: nn.Cell):
        super().__init__(auto_prefix=False)
        self.network = network

    def construct(self, x):
        return ops.transpose(self.network(x), (1, 0, 2))


def build_network(cfg: SimpleNamespace) -> HandwrittenZhNet:
    """The network of a config: classes from ``cfg.charset`` (blank + characters), widths from
    ``stem_channels``, ``stage_channels``, ``stage_blocks``, input height ``image_height``."""
    return HandwrittenZhNet(num_classes=label_converter(cfg).num_class, stem_channels=cfg.stem_channels,
                            stage_channels=tuple(cfg.stage_channels), stage_blocks=tuple(cfg.stage_blocks),
                            image_height=cfg.image_height, bn_momentum=cfg.bn_momentum)
