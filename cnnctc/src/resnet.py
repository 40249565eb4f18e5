"""ResNet feature extractor of CNN-CTC (clovaai ``ResNet_FeatureExtractor``).

A 32x100 image becomes a [B, C, 1, 26] feature map.  Parameter names and shapes
match the MindSpore model-zoo network (``FeatureExtraction.ConvNet.*``), so the
official checkpoint loads unchanged.  ``output_channel`` scales every width:
512 is the published model, 128 the ``cpu_small`` profile.
"""
from __future__ import annotations

from typing import Optional, Sequence

from mindspore import nn, ops
from mindspore.common.initializer import TruncatedNormal


def _conv(in_ch: int, out_ch: int, kernel: int, stride=1, pad: int = 0) -> nn.Conv2d:
    """Bias-free conv, TruncatedNormal(0.02) init, explicit padding as in the zoo."""
    return nn.Conv2d(in_ch, out_ch, kernel_size=kernel, stride=stride, padding=pad,
                     pad_mode="pad" if pad else "valid", has_bias=False,
                     weight_init=TruncatedNormal(0.02))


def _bn(channels: int, momentum: float) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, momentum=momentum)


class BasicBlock(nn.Cell):
    """Two 3x3 convs with an identity (or 1x1 projection) shortcut."""

    def __init__(self, in_ch: int, out_ch: int, bn_momentum: float, downsample: Optional[nn.Cell] = None):
        super().__init__()
        self.conv1 = _conv(in_ch, out_ch, 3, pad=1)
        self.bn1 = _bn(out_ch, bn_momentum)
        self.conv2 = _conv(out_ch, out_ch, 3, pad=1)
        self.bn2 = _bn(out_ch, bn_momentum)
        self.relu = nn.ReLU()
        self.downsample = downsample

    def construct(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        residual = x if self.downsample is None else self.downsample(x)
        return self.relu(out + residual)


class ResNet(nn.Cell):
    """ResNet(input_channel, output_channel, BasicBlock, layers) of deep-text-recognition-benchmark."""

    def __init__(self, input_channel: int, output_channel: int, layers: Sequence[int], bn_momentum: float):
        super().__init__()
        widths = [output_channel // 4, output_channel // 2, output_channel, output_channel]
        self._momentum = bn_momentum
        self._inplanes = output_channel // 8
        self.conv0_1 = _conv(input_channel, output_channel // 16, 3, pad=1)
        self.bn0_1 = _bn(output_channel // 16, bn_momentum)
        self.conv0_2 = _conv(output_channel // 16, self._inplanes, 3, pad=1)
        self.bn0_2 = _bn(self._inplanes, bn_momentum)
        self.relu = nn.ReLU()

        self.maxpool1 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.layer1 = self._make_layer(widths[0], layers[0])
        self.conv1 = _conv(widths[0], widths[0], 3, pad=1)
        self.bn1 = _bn(widths[0], bn_momentum)

        self.maxpool2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.layer2 = self._make_layer(widths[1], layers[1])
        self.conv2 = _conv(widths[1], widths[1], 3, pad=1)
        self.bn2 = _bn(widths[1], bn_momentum)

        self.maxpool3 = nn.MaxPool2d(kernel_size=2, stride=(2, 1))
        self.layer3 = self._make_layer(widths[2], layers[2])
        self.conv3 = _conv(widths[2], widths[2], 3, pad=1)
        self.bn3 = _bn(widths[2], bn_momentum)

        self.layer4 = self._make_layer(widths[3], layers[3])
        self.pad_width = ops.Pad(((0, 0), (0, 0), (0, 0), (2, 2)))  # the ONNX-exportable Pad primitive
        self.conv4_1 = _conv(widths[3], widths[3], 2, stride=(2, 1))
        self.bn4_1 = _bn(widths[3], bn_momentum)
        self.conv4_2 = _conv(widths[3], widths[3], 2)
        self.bn4_2 = _bn(widths[3], bn_momentum)

    def _make_layer(self, planes: int, blocks: int) -> nn.SequentialCell:
        downsample = None
        if self._inplanes != planes:
            downsample = nn.SequentialCell([_conv(self._inplanes, planes, 1), _bn(planes, self._momentum)])
        cells = [BasicBlock(self._inplanes, planes, self._momentum, downsample)]
        self._inplanes = planes
        cells += [BasicBlock(planes, planes, self._momentum) for _ in range(1, blocks)]
        return nn.SequentialCell(cells)

    def construct(self, x):
        x = self.relu(self.bn0_1(self.conv0_1(x)))
        x = self.relu(self.bn0_2(self.conv0_2(x)))
        x = self.layer1(self.maxpool1(x))
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.maxpool2(x))
        x = self.relu(self.bn2(self.conv2(x)))
        x = self.layer3(self.maxpool3(x))
        x = self.relu(self.bn3(self.conv3(x)))
        x = self.pad_width(self.layer4(x))
        x = self.relu(self.bn4_1(self.conv4_1(x)))
        return self.relu(self.bn4_2(self.conv4_2(x)))


class ResNetFeatureExtractor(nn.Cell):
    """Holds the ResNet as ``ConvNet`` so names read ``FeatureExtraction.ConvNet.*``."""

    def __init__(self, input_channel: int, output_channel: int, layers: Sequence[int], bn_momentum: float):
        super().__init__()
        self.ConvNet = ResNet(input_channel, output_channel, layers, bn_momentum)  # pylint: disable=invalid-name

    def construct(self, x):
        return self.ConvNet(x)
