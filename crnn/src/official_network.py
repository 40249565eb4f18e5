"""The MindSpore model zoo's CRNN networks (``official/cv/CRNN/src/crnn.py``), ``network: official_v2 / official_v1``.

* ``OfficialCRNNV2`` is the zoo's ``CRNNV2`` (``--model_version V2``): a VGG of 7 conv + BN + ReLU blocks,
  then ``rnn.0`` = BiLSTM(512, 256) + Dense(512, 256) and ``rnn.1`` = BiLSTM(256, 256) + Dense(512, 37).
  Its parameter names, shapes and order are those of the zoo's checkpoints on MindSpore >= 1.6 (8,338,661
  values), including the dead ``vgg.bn1`` (built, never called).  A 3x32x100 image gives 24 steps.
* ``OfficialCRNNV1`` computes what the zoo's default ``CRNNV1`` computes, with nn.LSTM instead of the
  Ascend-only ``P.DynamicRNN``: a bidirectional LSTM, dropout 0.1 (training only), a FORWARD-ONLY LSTM over
  the 512-d concatenation, and ``fc`` Dense(256, 37).  Its ``convert_checkpoint`` hook converts a zoo V1
  checkpoint on every load (``src/official_v1.py``).

Both return logits batch-major [B, T, C] like the repository's other networks (the zoo returns time-major
[T, B, C], fed straight to its CTC loss).  The zoo's charset is letters first (``a-z`` -> 0..25, ``0-9`` ->
26..35) and the blank is class 36.  ``channels`` and ``hidden`` scale the widths (64 and 256 in the zoo).
Their preprocessing: ``src/official_preprocess.py``.
"""
from __future__ import annotations

from types import SimpleNamespace

from mindspore import nn, ops
from mindspore.common.initializer import TruncatedNormal

from .official_v1 import convert_params

NETWORKS = ("official_v2", "official_v1")


class ConvBnRelu(nn.Cell):
    """The zoo's ``Conv``: conv (no bias, TruncatedNormal(0.02)) -> BN (eps 1e-4) -> ReLU."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int = 3, pad_mode: str = "same", bn_momentum: float = 0.9):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, kernel, pad_mode=pad_mode, has_bias=False,
                              weight_init=TruncatedNormal(0.02))
        self.bn = nn.BatchNorm2d(out_ch, eps=1e-4, momentum=bn_momentum)
        self.relu = nn.ReLU()

    def construct(self, x):
        return self.relu(self.bn(self.conv(x)))


class VGG(nn.Cell):
    """The zoo's VGG: [B, 3, 32, W] -> [B, 8c, 1, W / 4 - 1]; ``dead_bn`` keeps the unused ``bn1``."""

    def __init__(self, in_channels: int = 3, channels: int = 64, bn_momentum: float = 0.9, dead_bn: bool = True):
        super().__init__()
        c = channels
        self.conv1 = ConvBnRelu(in_channels, c, bn_momentum=bn_momentum)
        self.conv2 = ConvBnRelu(c, 2 * c, bn_momentum=bn_momentum)
        self.conv3 = ConvBnRelu(2 * c, 4 * c, bn_momentum=bn_momentum)
        self.conv4 = ConvBnRelu(4 * c, 4 * c, bn_momentum=bn_momentum)
        self.conv5 = ConvBnRelu(4 * c, 8 * c, bn_momentum=bn_momentum)
        self.conv6 = ConvBnRelu(8 * c, 8 * c, bn_momentum=bn_momentum)
        self.conv7 = ConvBnRelu(8 * c, 8 * c, kernel=2, pad_mode="valid", bn_momentum=bn_momentum)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2, pad_mode="same")
        self.pool_h = nn.MaxPool2d(kernel_size=(2, 1), stride=(2, 1), pad_mode="same")
        if dead_bn:
            self.bn1 = nn.BatchNorm2d(8 * c, eps=1e-4, momentum=bn_momentum)  # never called (checkpoint compat.)

    def construct(self, x):
        x = self.pool(self.conv1(x))
        x = self.pool(self.conv2(x))
        x = self.pool_h(self.conv4(self.conv3(x)))
        x = self.pool_h(self.conv6(self.conv5(x)))
        return self.conv7(x)


def to_sequence(feature):
    """[B, C, 1, W] -> [W, B, C], as the zoo's reshape (B, C, -1) + transpose (2, 0, 1)."""
    return ops.transpose(feature.reshape(feature.shape[0], feature.shape[1], -1), (2, 0, 1))


class BidirectionalLSTM(nn.Cell):
    """nn.LSTM(bidirectional) over [T, B, C], then ``embedding`` Dense(2H, out) at every step."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int):
        super().__init__()
        self.rnn = nn.LSTM(in_channels, hidden, bidirectional=True)
        self.embedding = nn.Dense(2 * hidden, out_channels)

    def construct(self, x):
        recurrent, _ = self.rnn(x)
        steps, batch, width = recurrent.shape
        return self.embedding(recurrent.reshape(steps * batch, width)).reshape(steps, batch, -1)


class OfficialCRNNV2(nn.Cell):
    """The zoo's CRNNV2: [B, 3, 32, W] -> logits [B, W / 4 - 1, num_class] (24 steps for W = 100)."""

    def __init__(self, num_class: int = 37, channels: int = 64, hidden: int = 256, in_channels: int = 3,
                 bn_momentum: float = 0.9):
        super().__init__()
        self.vgg = VGG(in_channels, channels, bn_momentum)
        self.rnn = nn.SequentialCell([BidirectionalLSTM(8 * channels, hidden, hidden),
                                      BidirectionalLSTM(hidden, hidden, num_class)])

    def construct(self, x):
        return ops.transpose(self.rnn(to_sequence(self.vgg(x))), (1, 0, 2))


class OfficialCRNNV1(nn.Cell):
    """The zoo's CRNNV1 on nn.LSTM: VGG -> ``rnn1`` (bidirectional) -> dropout -> ``rnn2`` (forward only) ->
    ``fc``; [B, 3, 32, W] -> logits [B, W / 4 - 1, num_class]; zoo V1 checkpoints load through
    ``convert_checkpoint``."""

    def __init__(self, num_class: int = 37, channels: int = 64, hidden: int = 256, in_channels: int = 3,
                 bn_momentum: float = 0.9, dropout: float = 0.1):
        super().__init__()
        self.input_size, self.hidden = 8 * channels, hidden
        self.vgg = VGG(in_channels, channels, bn_momentum, dead_bn=False)
        self.rnn1 = nn.LSTM(self.input_size, hidden, bidirectional=True)
        self.dropout = nn.Dropout(p=dropout)
        self.rnn2 = nn.LSTM(2 * hidden, hidden)
        self.fc = nn.Dense(hidden, num_class)

    def convert_checkpoint(self, params: dict) -> dict:
        """The checkpoint loaders' hook (``model_utils.checkpoint.load_into``, the hub): a zoo V1 checkpoint
        converted to this network's parameters (``src/official_v1.py``); any other checkpoint unchanged."""
        return convert_params(params, self)

    def recurrent(self, x):
        """The recurrent part: features [T, B, 8c] -> logits [T, B, num_class]."""
        y, _ = self.rnn1(x)
        y, _ = self.rnn2(self.dropout(y))
        steps, batch, width = y.shape
        return self.fc(y.reshape(steps * batch, width)).reshape(steps, batch, -1)

    def construct(self, x):
        return ops.transpose(self.recurrent(to_sequence(self.vgg(x))), (1, 0, 2))


def build_official(cfg: SimpleNamespace, num_class: int) -> nn.Cell:
    """``OfficialCRNNV2`` or ``OfficialCRNNV1`` as ``cfg.network`` says, at ``vgg_channels`` / ``hidden_size``."""
    network = {"official_v2": OfficialCRNNV2, "official_v1": OfficialCRNNV1}[cfg.network]
    return network(num_class=num_class, channels=cfg.vgg_channels, hidden=cfg.hidden_size,
                   bn_momentum=cfg.bn_momentum)
