"""CNN-CTC network: ResNet features -> per-column linear classifier (no RNN).

Output is raw logits [B, T=26, C=37] (batch-major), class C-1 is the CTC blank,
exactly as the MindSpore model-zoo ``CNNCTC_Model``.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Sequence

from mindspore import nn, ops

from .model_utils.ctc import CTCLabelConverter
from .resnet import ResNetFeatureExtractor


class CNNCTC(nn.Cell):
    """ResNet + CTC prediction head; ``FeatureExtraction`` and ``Prediction`` as in the zoo."""

    def __init__(self, num_class: int = 37, output_channel: int = 512, final_feature_width: int = 26,
                 input_channel: int = 3, layers: Sequence[int] = (1, 2, 5, 3), bn_momentum: float = 0.1):
        super().__init__()
        self.num_class = num_class
        self.hidden_size = output_channel
        self.final_feature_width = final_feature_width
        self.FeatureExtraction = ResNetFeatureExtractor(  # pylint: disable=invalid-name
            input_channel, output_channel, layers, bn_momentum)
        self.Prediction = nn.Dense(output_channel, num_class)  # pylint: disable=invalid-name

    def construct(self, x):
        x = self.FeatureExtraction(x)                       # [B, C, 1, W]
        x = ops.transpose(x, (0, 3, 1, 2))                  # [B, W, C, 1]
        x = self.Prediction(ops.reshape(x, (-1, self.hidden_size)))
        return ops.reshape(x, (-1, self.final_feature_width, self.num_class))


def label_converter(cfg: SimpleNamespace) -> CTCLabelConverter:
    """The classes: 0..N-1 are ``cfg.character``, N the blank; labels longer than ``max_label_length`` are skipped."""
    return CTCLabelConverter(cfg.character, cfg.max_label_length)


def build_network(cfg: SimpleNamespace) -> CNNCTC:
    """Build CNN-CTC from a config (see default_config.yaml)."""
    return CNNCTC(num_class=label_converter(cfg).num_class,
                  output_channel=cfg.output_channel,
                  final_feature_width=cfg.final_feature_width,
                  layers=tuple(cfg.resnet_layers),
                  bn_momentum=cfg.bn_momentum)
