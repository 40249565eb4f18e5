"""model_utils.flops: FLOPs per sample by kind, from forward hooks, under the multiply-add and OpenVINO rules."""
from __future__ import annotations

import mindspore as ms
from mindspore import nn, ops

from cnnctc.src.model_utils.flops import MULTIPLY_ADDS, OPENVINO, count_flops, per_element


class _Tiny(nn.Cell):
    """[B, 2, 8, 6] -> conv 3x3 (4 maps) -> BN -> ReLU -> max-pool 2 -> 2 layers of BiLSTM over 3 columns ->
    Dense; the ReLU cell runs twice."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, pad_mode="same")
        self.bn = nn.BatchNorm2d(4)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.lstm = nn.LSTM(16, 5, num_layers=2, bidirectional=True)
        self.fc = nn.Dense(10, 7)

    def construct(self, x):
        x = self.pool(self.relu(self.relu(self.bn(self.conv(x)))))        # [B, 4, 4, 3]
        seq = ops.transpose(x.reshape(x.shape[0], 16, 3), (2, 0, 1))      # [3, B, 16]
        y, _ = self.lstm(seq)                                             # [3, B, 10]
        return self.fc(y.reshape(-1, 10))


CONV = 2 * 2 * 9 * (4 * 8 * 6)                       # 2 x inputs per output x outputs
LSTM = 2 * 3 * 2 * 4 * 5 * ((16 + 5) + (10 + 5))     # 2 x steps x directions x gates x H x (in + H), both layers
DENSE = 2 * 10 * 7 * 3                               # 3 columns of Dense(10 -> 7)


def test_multiply_adds_count_conv_lstm_and_dense_per_sample():
    ms.set_context(mode=ms.GRAPH_MODE)
    flops = count_flops(_Tiny(), (2, 2, 8, 6), MULTIPLY_ADDS)
    assert flops == {"conv": CONV, "lstm": LSTM, "dense": DENSE}
    assert ms.get_context("mode") == ms.GRAPH_MODE  # the mode is given back


def test_openvino_rules_count_elementwise_layers_and_model_layers():
    flops = count_flops(_Tiny(), (1, 2, 8, 6), OPENVINO)  # no LSTM rule: not counted
    assert flops == {"conv": CONV, "batchnorm": 192, "relu": 2 * 2 * 192, "maxpool": 4 * 48,
                     "dense": (2 * 10 + 1) * 7 * 3}
    assert count_flops(_Tiny(), (1, 2, 8, 6), {_Tiny: per_element("net", lambda _cell: 1.0)}) == {"net": 21}
