"""A PyTorch twin of MMOCR's CRNN ``crnn_mini-vgg_5e_mj`` and of MMOCR's test preprocessing, written from
../shared/reference/peer_models_notes.md (section MMOCR CRNN), not copied from MMOCR.

``MmocrCrnn().state_dict()`` has MMOCR's 49 keys (``backbone.cnn.conv0.weight`` ...
``decoder.decoder.1.embedding.bias``); ``forward`` gives logits (N, T, C).  ``mmocr_test_input`` is MMOCR's
test pipeline on a gray image: RescaleToHeight(32, min_width=32, width_divisor=16), bilinear, then
(x - 127) / 127, computed here independently of ``crnn/src/preprocess.py``.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import cv2
import numpy as np
import torch
from torch import nn

WIDTHS = (1, 2, 4, 4, 8, 8, 8)  # conv0..conv6 widths, in units of the first one (64 in MMOCR)
BATCHNORM_AFTER = (2, 4, 6)
NUM_CLASS = 37  # 0-9a-z, then <PAD> (class 36), the CTC blank
BLANK = 36


def _mini_vgg_layers(in_channels: int = 1, channels: int = 64) -> "OrderedDict[str, nn.Module]":
    """MiniVGG(leaky_relu=False) as the notes list it: conv k3 p1 (conv6: k2 p0), BN after conv2/4/6,
    max-pools 2/2 after conv0 and conv1, k(2,2) s(2,1) p(0,1) after conv3 and conv5."""
    layers: "OrderedDict[str, nn.Module]" = OrderedDict()
    previous = in_channels
    for i, width in enumerate(w * channels for w in WIDTHS):
        kernel, pad = (2, 0) if i == 6 else (3, 1)
        layers[f"conv{i}"] = nn.Conv2d(previous, width, kernel, stride=1, padding=pad, bias=True)
        if i in BATCHNORM_AFTER:
            layers[f"batchnorm{i}"] = nn.BatchNorm2d(width, eps=1e-5)
        layers[f"relu{i}"] = nn.ReLU()
        if i in (0, 1):
            layers[f"pooling{i}"] = nn.MaxPool2d(2, 2)
        elif i in (3, 5):
            layers[f"pooling{i}"] = nn.MaxPool2d((2, 2), (2, 1), (0, 1))
        previous = width
    return layers


class MiniVGG(nn.Module):
    def __init__(self, in_channels: int = 1, channels: int = 64):
        super().__init__()
        self.cnn = nn.Sequential(_mini_vgg_layers(in_channels, channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.cnn(x)


class BidirectionalLSTM(nn.Module):
    """nn.LSTM(bidirectional) over (T, N, C), then nn.Linear on every step."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int):
        super().__init__()
        self.rnn = nn.LSTM(in_channels, hidden, bidirectional=True)
        self.embedding = nn.Linear(hidden * 2, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        recurrent, _ = self.rnn(x)
        steps, batch, width = recurrent.shape
        return self.embedding(recurrent.reshape(steps * batch, width)).reshape(steps, batch, -1)


class CRNNDecoder(nn.Module):
    """CRNNDecoder(in_channels=512, rnn_flag=True): (N, 512, 1, W) -> (N, W, classes)."""

    def __init__(self, in_channels: int = 512, hidden: int = 256, num_class: int = NUM_CLASS):
        super().__init__()
        self.decoder = nn.Sequential(BidirectionalLSTM(in_channels, hidden, hidden),
                                     BidirectionalLSTM(hidden, hidden, num_class))

    def forward(self, feature: torch.Tensor) -> torch.Tensor:
        x = feature.squeeze(2).permute(2, 0, 1)  # (W, N, C)
        return self.decoder(x).permute(1, 0, 2).contiguous()


class MmocrCrnn(nn.Module):
    """Gray (N, 1, 32, W) -> logits (N, W / 4 + 1, 37); ``channels`` and ``hidden`` scale it like our config's
    ``vgg_channels`` and ``hidden_size`` (MMOCR: 64, 256)."""

    def __init__(self, channels: int = 64, hidden: int = 256):
        super().__init__()
        self.backbone = MiniVGG(1, channels)
        self.decoder = CRNNDecoder(channels * 8, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.backbone(x))


def random_twin(seed: int) -> MmocrCrnn:
    """A twin in eval mode with random weights that keep activations O(1), and random BatchNorm statistics."""
    torch.manual_seed(seed)
    model = MmocrCrnn()
    with torch.no_grad():
        for name, module in model.backbone.cnn.named_children():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                module.bias.normal_(0.0, 0.1)
            elif isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.2)
                module.running_mean.normal_(0.0, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.num_batches_tracked.fill_(1000 + int(name[len("batchnorm"):]))
        for name, tensor in model.decoder.named_parameters():
            if ".rnn." in name:
                tensor.uniform_(-0.15, 0.15)  # gates far from their mean, so a wrong gate order shows
            else:
                tensor.normal_(0.0, 3.0 / tensor.shape[-1] ** 0.5 if tensor.dim() == 2 else 0.05)
    return model.eval()


def mmocr_test_width(height: int, width: int, target_height: int = 32, min_width: int = 32,
                     width_divisor: int = 16) -> int:
    """RescaleToHeight's new width, with MMOCR's arithmetic: ceil(float(32) / h * w), at least 32, then the
    nearest multiple of 16 (Python's round) when it is not one already."""
    new_width = math.ceil(float(target_height) / height * width)
    new_width = max(min_width, new_width)
    if new_width % width_divisor != 0:
        new_width = round(new_width / width_divisor) * width_divisor
    return new_width


def mmocr_test_input(gray: np.ndarray) -> np.ndarray:
    """A gray uint8 H x W image -> float32 (1, 32, W') as MMOCR's test pipeline and data preprocessor give it."""
    height, width = gray.shape[:2]
    resized = cv2.resize(gray, (mmocr_test_width(height, width), 32), interpolation=cv2.INTER_LINEAR)
    return ((resized.astype(np.float32) - 127.0) / 127.0)[None]


def logits_of(model: MmocrCrnn, gray: np.ndarray) -> np.ndarray:
    """The twin's logits (T, C) for one gray image after its own preprocessing."""
    with torch.no_grad():
        return model(torch.from_numpy(mmocr_test_input(gray))[None]).numpy()[0]


def greedy_text(logits: np.ndarray, alphabet: str = "0123456789abcdefghijklmnopqrstuvwxyz") -> str:
    """CTC best path: argmax per step, merge repeats, drop the blank (class 36)."""
    ids = logits.argmax(-1)
    kept = [int(c) for n, c in enumerate(ids) if c != BLANK and (n == 0 or c != ids[n - 1])]
    return "".join(alphabet[c] for c in kept)


def build_twin(cfg) -> MmocrCrnn:
    """The twin at the size of a crnn config (``vgg_channels``, ``hidden_size``), default initialisation
    (scripts/benchmark.py --vs-torch)."""
    return MmocrCrnn(cfg.vgg_channels, cfg.hidden_size)
