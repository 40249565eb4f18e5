"""CRNN of MMOCR (``crnn_mini-vgg_5e_mj``): MiniVGG -> two bidirectional LSTMs (each followed by a linear
layer) -> logits [B, T, C].

Parameter names follow MMOCR's state_dict (``backbone.cnn.conv0.weight``, ``decoder.decoder.0.rnn.*``,
``decoder.decoder.1.embedding.*``), so that ``convert_mmocr.py`` maps keys one to one (only BatchNorm
statistics and LSTM gate blocks are renamed or reordered).  A 1x32x100 grayscale image gives T = 26 steps
(W / 4 + 1) of 37 classes: ``0-9a-z``, then class 36, MMOCR's padding class, used as the CTC blank.
``channels`` scales the widths (64 official) for the ``cpu_small`` profile.
"""
from __future__ import annotations

from collections import OrderedDict
from types import SimpleNamespace

from mindspore import nn, ops

from .model_utils.ctc import CTCLabelConverter
from .official_network import NETWORKS, build_official


def _conv(in_ch: int, out_ch: int, kernel: int, pad: int) -> nn.Conv2d:
    return nn.Conv2d(in_ch, out_ch, kernel, pad_mode="pad" if pad else "valid", padding=pad, has_bias=True,
                     weight_init="HeUniform", bias_init="zeros")


class PaddedMaxPool(nn.Cell):
    """PyTorch's MaxPool2d(kernel 2, stride (2, 1), padding (0, 1)) after a ReLU: zero columns on both sides
    (never larger than a ReLU output, as PyTorch's -inf padding), then a valid pool; the ``Pad`` primitive
    exports to ONNX, where a padded MaxPool2d does not."""

    def __init__(self):
        super().__init__()
        self.pad = ops.Pad(((0, 0), (0, 0), (0, 0), (1, 1)))
        self.pool = nn.MaxPool2d(kernel_size=2, stride=(2, 1))

    def construct(self, x):
        return self.pool(self.pad(x))


class MiniVGG(nn.Cell):
    """MMOCR's MiniVGG(leaky_relu=False): 7 convolutions (biases), BatchNorm after conv2, 4 and 6, 4 max-pools;
    held as ``cnn`` so that names read ``backbone.cnn.*``."""

    def __init__(self, in_channels: int = 1, channels: int = 64, bn_momentum: float = 0.9):
        super().__init__()
        c = [channels, channels * 2, channels * 4, channels * 4, channels * 8, channels * 8, channels * 8]
        layers = OrderedDict()
        previous = in_channels
        for i, width in enumerate(c):
            layers[f"conv{i}"] = _conv(previous, width, 2 if i == 6 else 3, 0 if i == 6 else 1)
            if i in (2, 4, 6):
                layers[f"batchnorm{i}"] = nn.BatchNorm2d(width, eps=1e-5, momentum=bn_momentum)
            layers[f"relu{i}"] = nn.ReLU()
            if i in (0, 1):
                layers[f"pooling{i}"] = nn.MaxPool2d(kernel_size=2, stride=2)
            elif i in (3, 5):
                layers[f"pooling{i}"] = PaddedMaxPool()
            previous = width
        self.cnn = nn.SequentialCell(layers)

    def construct(self, x):
        return self.cnn(x)


class BidirectionalLSTM(nn.Cell):
    """nn.LSTM(bidirectional) over [T, B, C], then a linear layer per step (``rnn``, ``embedding``)."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int):
        super().__init__()
        self.rnn = nn.LSTM(in_channels, hidden, num_layers=1, bidirectional=True)
        self.embedding = nn.Dense(2 * hidden, out_channels)

    def construct(self, x):
        recurrent, _ = self.rnn(x)
        steps, batch, width = recurrent.shape
        out = self.embedding(recurrent.reshape(steps * batch, width))
        return out.reshape(steps, batch, -1)


class Decoder(nn.Cell):
    """MMOCR's CRNNDecoder(rnn_flag=True): ``decoder.0`` BiLSTM(C, H, H), ``decoder.1`` BiLSTM(H, H, classes)."""

    def __init__(self, in_channels: int, hidden: int, num_class: int):
        super().__init__()
        self.decoder = nn.SequentialCell([BidirectionalLSTM(in_channels, hidden, hidden),
                                          BidirectionalLSTM(hidden, hidden, num_class)])

    def construct(self, feature):
        x = ops.transpose(ops.squeeze(feature, 2), (2, 0, 1))     # [B, C, 1, W] -> [W, B, C]
        return ops.transpose(self.decoder(x), (1, 0, 2))          # [T, B, classes] -> [B, T, classes]


class CRNN(nn.Cell):
    """Grayscale [B, 1, 32, W] -> logits [B, W / 4 + 1, num_class]."""

    def __init__(self, num_class: int = 37, channels: int = 64, hidden: int = 256, in_channels: int = 1,
                 bn_momentum: float = 0.9):
        super().__init__()
        self.backbone = MiniVGG(in_channels, channels, bn_momentum)
        self.decoder = Decoder(channels * 8, hidden, num_class)

    def construct(self, x):
        return self.decoder(self.backbone(x))


def label_converter(cfg: SimpleNamespace) -> CTCLabelConverter:
    """MMOCR's dictionary: ``cfg.character`` are classes 0..N-1, class N (``<PAD>``) is the CTC blank."""
    return CTCLabelConverter(cfg.character, cfg.max_label_length)


def build_network(cfg: SimpleNamespace) -> nn.Cell:
    """Build the network ``cfg.network`` names (see default_config.yaml): MMOCR's CRNN, or the zoo's V2 / V1
    (``src/official_network.py``)."""
    num_class = label_converter(cfg).num_class
    if cfg.network in NETWORKS:
        return build_official(cfg, num_class)
    return CRNN(num_class=num_class, channels=cfg.vgg_channels, hidden=cfg.hidden_size, bn_momentum=cfg.bn_momentum)
