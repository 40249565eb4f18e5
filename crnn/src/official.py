"""The MindSpore model zoo's CRNN (``official/cv/CRNN/src/crnn.py``), its preprocessing, and a V1 converter.

* ``OfficialCRNNV2`` is the zoo's ``CRNNV2`` (``--model_version V2``): a VGG of 7 conv + BN + ReLU blocks,
  then ``rnn.0`` = BiLSTM(512, 256) + Dense(512, 256) and ``rnn.1`` = BiLSTM(256, 256) + Dense(512, 37).
  Its parameter names, shapes and order are those of the zoo's checkpoints on MindSpore >= 1.6 (8,338,661
  values), including the dead ``vgg.bn1`` (built, never called).  A 3x32x100 image gives 24 steps.
* ``OfficialCRNNV1`` computes what the zoo's default ``CRNNV1`` computes, with nn.LSTM instead of the
  Ascend-only ``P.DynamicRNN``: a bidirectional LSTM, dropout 0.1 (training only), a FORWARD-ONLY LSTM over
  the 512-d concatenation, and ``fc`` Dense(256, 37).  ``convert_v1_checkpoint`` maps a zoo V1 checkpoint
  (``w1, b1, w1_bw, b1_bw, w2, b2``, ``fc.*``, ``vgg.*``) onto it; ``w2_bw``, ``b2_bw`` and ``vgg.bn1``,
  dead in the zoo's forward, are reported as ignored.

Both return logits batch-major [B, T, C] like the repository's other networks (the zoo returns time-major
[T, B, C], fed straight to its CTC loss).  The zoo's charset is letters first (``a-z`` -> 0..25, ``0-9`` ->
26..35) and the blank is class 36.  ``channels`` and ``hidden`` scale the widths (64 and 256 in the zoo).

Gate layouts (MindSpore 2.10, checked against NumPy): nn.LSTM holds ``weight_ih`` [4H, in], ``weight_hh``
[4H, H], ``bias_ih`` and ``bias_hh`` [4H] (both added), gates in the order i, f, g, o, and the ``_reverse``
direction runs over the reversed sequence, its outputs concatenated after the forward ones at each step.
DynamicRNN holds ``w`` [in + H, 4H] applied as ``[x, h] @ w`` and one ``b`` [4H], gates i, j (= g), f, o,
forget bias 0 in the zoo.  So ``weight_ih = w[:in].T``, ``weight_hh = w[in:].T`` and ``bias_ih = b``, gate
blocks reordered i, j, f, o -> i, f, j, o, and ``bias_hh = 0``.

Preprocessing (the zoo's ``src/dataset.py``): BGR, resized to 32x100 ignoring the ratio (bilinear),
x / 127.5 - 1, CHW.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Callable, Mapping, NamedTuple, Optional

import cv2
import mindspore as ms
import numpy as np
from mindspore import nn, ops
from mindspore.common.initializer import TruncatedNormal
from mindspore.dataset import vision

from . import preprocess
from .model_utils.augment import Transform, transformed
from .model_utils.checkpoint import is_train_state, load_params, read_checkpoint, save_atomic
from .model_utils.errors import CheckpointError

CHARACTER = "abcdefghijklmnopqrstuvwxyz0123456789"
MEAN, STD = 127.5, 127.5
NETWORKS = ("official_v2", "official_v1")
V1_DEAD = ("w2_bw", "b2_bw", "vgg.bn1.moving_mean", "vgg.bn1.moving_variance", "vgg.bn1.gamma", "vgg.bn1.beta")


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
    ``fc``; [B, 3, 32, W] -> logits [B, W / 4 - 1, num_class].  Load zoo weights with ``load_official_v1``."""

    def __init__(self, num_class: int = 37, channels: int = 64, hidden: int = 256, in_channels: int = 3,
                 bn_momentum: float = 0.9, dropout: float = 0.1):
        super().__init__()
        self.input_size, self.hidden = 8 * channels, hidden
        self.vgg = VGG(in_channels, channels, bn_momentum, dead_bn=False)
        self.rnn1 = nn.LSTM(self.input_size, hidden, bidirectional=True)
        self.dropout = nn.Dropout(p=dropout)
        self.rnn2 = nn.LSTM(2 * hidden, hidden)
        self.fc = nn.Dense(hidden, num_class)

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


# ---------------------------------------------------------------- V1 checkpoints (DynamicRNN) -> nn.LSTM

def v1_layout(net: OfficialCRNNV1) -> dict[str, tuple]:
    """Names and shapes of the zoo's V1 checkpoint that fits ``net`` (dead keys included)."""
    in_size, hidden = net.input_size, net.hidden
    gates = 4 * hidden
    layout = {"w1": (in_size + hidden, gates), "w2": (3 * hidden, gates),
              "w1_bw": (in_size + hidden, gates), "w2_bw": (3 * hidden, gates),
              "b1": (gates,), "b2": (gates,), "b1_bw": (gates,), "b2_bw": (gates,),
              "fc.weight": tuple(net.fc.weight.shape), "fc.bias": tuple(net.fc.bias.shape)}
    layout.update({p.name: tuple(p.shape) for p in net.vgg.get_parameters()})
    layout.update({f"vgg.bn1.{n}": (in_size,) for n in ("moving_mean", "moving_variance", "gamma", "beta")})
    return layout


def _ijfo_to_ifgo(array: np.ndarray, axis: int) -> np.ndarray:
    i, j, f, o = np.split(array, 4, axis=axis)
    return np.concatenate([i, f, j, o], axis=axis)


def _lstm_direction(w: np.ndarray, b: np.ndarray, input_size: int) -> tuple[np.ndarray, ...]:
    """DynamicRNN ``w`` [in + H, 4H], ``b`` [4H] (i, j, f, o) -> nn.LSTM weight_ih, weight_hh, bias_ih, bias_hh."""
    w, b = _ijfo_to_ifgo(w, 1), _ijfo_to_ifgo(b, 0)
    return (np.ascontiguousarray(w[:input_size].T), np.ascontiguousarray(w[input_size:].T), b,
            np.zeros_like(b))


def _numpy(value) -> np.ndarray:
    return value.asnumpy() if hasattr(value, "asnumpy") else np.asarray(value)


def _ignorable(name: str) -> bool:
    return name in V1_DEAD or is_train_state(name)


def convert_v1_checkpoint(params: Mapping, net: OfficialCRNNV1, source: str = "checkpoint"
                          ) -> tuple[dict[str, np.ndarray], list[str]]:
    """A zoo V1 checkpoint dict (name -> Parameter, Tensor or array) -> (``net``'s parameters as float32 arrays,
    the names ignored: dead ``w2_bw``/``b2_bw``/``vgg.bn1.*``, optimizer state and the loss cell's Parameters).

    Raises ``CheckpointError`` listing every missing, unmapped and mis-shaped key.
    """
    arrays = {name: _numpy(value) for name, value in params.items()}
    layout = v1_layout(net)
    missing = [n for n in layout if n not in arrays and n not in V1_DEAD]
    unmapped = sorted(n for n in arrays if n not in layout and not _ignorable(n))
    misshaped = [f"{n}: file {tuple(arrays[n].shape)} vs {layout[n]}"
                 for n in layout if n in arrays and tuple(arrays[n].shape) != layout[n]]
    problems = [f"{len(names)} {kind}: {', '.join(names[:10])}{' ...' if len(names) > 10 else ''}" for kind, names in
                (("missing", missing), ("unmapped", unmapped), ("with another shape", misshaped)) if names]
    if problems:
        raise CheckpointError(f"{source} is not an official CRNN V1 checkpoint for this network "
                              f"({'; '.join(problems)})")
    out = {p.name: arrays[p.name] for p in net.vgg.get_parameters()}
    out["fc.weight"], out["fc.bias"] = arrays["fc.weight"], arrays["fc.bias"]
    for lstm, size, directions in (("rnn1", net.input_size, (("1", ""), ("1_bw", "_reverse"))),
                                   ("rnn2", 2 * net.hidden, (("2", ""),))):
        for key, suffix in directions:
            converted = _lstm_direction(arrays[f"w{key}"], arrays[f"b{key}"], size)
            for kind, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), converted):
                out[f"{lstm}.{kind}_l0{suffix}"] = value
    out = {name: np.asarray(value, np.float32) for name, value in out.items()}
    assert sorted(out) == sorted(p.name for p in net.get_parameters()), "V1 mapping out of date"
    return out, sorted(n for n in arrays if n not in layout or n in V1_DEAD)


def load_official_v1(net: OfficialCRNNV1, path: str) -> list[str]:
    """Load a zoo V1 checkpoint file into ``net`` (converted); return the names ignored."""
    converted, ignored = convert_v1_checkpoint(read_checkpoint(path), net, f"checkpoint {path}")
    parameters = {name: ms.Parameter(ms.Tensor(value), name=name) for name, value in converted.items()}
    load_params(net, parameters, f"converted V1 checkpoint {path}")
    return ignored


def convert_v1_file(source: str, target: str, net: Optional[OfficialCRNNV1] = None) -> list[str]:
    """Write the zoo V1 checkpoint ``source`` as a MindSpore checkpoint of ``OfficialCRNNV1`` (``network:
    official_v1``) at ``target``; return the names ignored."""
    net = net or OfficialCRNNV1()
    ignored = load_official_v1(net, source)
    save_atomic(net, target)
    return ignored


# ---------------------------------------------------------------- preprocessing

def decode_bgr(data: bytes) -> Optional[np.ndarray]:
    """Encoded image bytes -> BGR uint8 H x W x 3 (EXIF orientation ignored, as PIL); None if not an image."""
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    return None if image is None or image.size == 0 else image


def _resize_bgr(image: np.ndarray, height: int, width: int, keep_ratio: bool) -> np.ndarray:
    """BGR uint8 -> ``height`` x ``width`` x 3, bilinear, the ratio ignored (the zoo); with ``keep_ratio``, the
    width of MMOCR's test rescale instead."""
    if keep_ratio:
        width = preprocess.rescaled_width(image.shape[0], image.shape[1], height)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


def prepare_image(data: bytes, height: int, width: int, keep_ratio: bool = False,
                  augment: Optional[Transform] = None) -> Optional[np.ndarray]:
    """Encoded bytes -> BGR (``augment``ed when given) resized to uint8 H x W x 3 (``_resize_bgr``); None if
    not an image."""
    image = transformed(decode_bgr(data), augment)
    return None if image is None else _resize_bgr(image, height, width, keep_ratio)


def resize_rgb(image: np.ndarray, height: int, width: int, keep_ratio: bool = False) -> np.ndarray:
    """An RGB uint8 array (``Recognizer`` input) resized as ``prepare_image`` resizes a decoded file."""
    return _resize_bgr(np.ascontiguousarray(image[:, :, ::-1]), height, width, keep_ratio)


def normalize_ops() -> list:
    """C++ ops: x / 127.5 - 1, HWC -> CHW."""
    return [vision.Normalize(mean=[MEAN] * 3, std=[STD] * 3), vision.HWC2CHW()]


def to_network_input(image: np.ndarray) -> np.ndarray:
    """A resized H x W x 3 BGR uint8 image as float32 [3, H, W] in [-1, 1] (outside a dataset pipeline)."""
    return ((image.astype(np.float32) - MEAN) / STD).transpose(2, 0, 1)


class Preprocessing(NamedTuple):
    """The preprocessing of a network family, as ``src.data`` and ``src.recognizer`` use it."""

    prepare_image: Callable[..., Optional[np.ndarray]]       # encoded bytes -> resized uint8 H x W x C
    normalize_ops: Callable[[], list]                         # C++ ops of the pipeline
    to_network_input: Callable[[np.ndarray], np.ndarray]     # resized image -> float32 [C, H, W]
    channels: int                                             # 1: gray input; 3: RGB arrays (the zoo: BGR)
    resize: Callable[..., np.ndarray]                         # a uint8 array of ``channels`` -> resized H x W x C


OFFICIAL = Preprocessing(prepare_image, normalize_ops, to_network_input, 3, resize_rgb)
MMOCR = Preprocessing(preprocess.prepare_image, preprocess.normalize_ops, preprocess.to_network_input, 1,
                      preprocess.resize)


def preprocessing(cfg: SimpleNamespace) -> Preprocessing:
    """The zoo's preprocessing for ``network: official_*``, MMOCR's (``src.preprocess``) otherwise."""
    return OFFICIAL if cfg.network in NETWORKS else MMOCR
