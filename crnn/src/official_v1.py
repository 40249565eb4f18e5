"""The MindSpore model zoo's CRNN V1 checkpoints (Ascend ``P.DynamicRNN``) -> ``OfficialCRNNV1`` (nn.LSTM).

A zoo V1 checkpoint holds ``w1, b1, w1_bw, b1_bw`` (the bidirectional first LSTM), ``w2, b2`` (the forward-only
second LSTM), ``fc.*`` and ``vgg.*``; ``w2_bw``, ``b2_bw`` and ``vgg.bn1``, dead in the zoo's forward, are
dropped.  Each LSTM direction converts with ``model_utils.weight_map.dynamic_rnn_to_lstm`` (gate blocks i, j, f,
o -> i, f, g, o; forget bias 0 in the zoo).  ``OfficialCRNNV1.convert_checkpoint`` applies ``convert_params`` on
every load, so eval.py, export.py, infer.py and ``--pretrained`` read a V1 file directly.
"""
from __future__ import annotations

from typing import Mapping

import mindspore as ms
import numpy as np
from mindspore import nn

from .model_utils.checkpoint import is_train_state
from .model_utils.errors import CheckpointError
from .model_utils.weight_map import dynamic_rnn_to_lstm, misfit

V1_DEAD = ("w2_bw", "b2_bw", "vgg.bn1.moving_mean", "vgg.bn1.moving_variance", "vgg.bn1.gamma", "vgg.bn1.beta")
LSTM_TENSORS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")  # dynamic_rnn_to_lstm's order


def v1_layout(net: nn.Cell) -> dict[str, tuple]:
    """Names and shapes of the zoo's V1 checkpoint that fits ``net`` (an ``OfficialCRNNV1``; dead keys included)."""
    in_size, hidden = net.input_size, net.hidden
    gates = 4 * hidden
    layout = {"w1": (in_size + hidden, gates), "w2": (3 * hidden, gates),
              "w1_bw": (in_size + hidden, gates), "w2_bw": (3 * hidden, gates),
              "b1": (gates,), "b2": (gates,), "b1_bw": (gates,), "b2_bw": (gates,),
              "fc.weight": tuple(net.fc.weight.shape), "fc.bias": tuple(net.fc.bias.shape)}
    layout.update({p.name: tuple(p.shape) for p in net.vgg.get_parameters()})
    layout.update({f"vgg.bn1.{n}": (in_size,) for n in ("moving_mean", "moving_variance", "gamma", "beta")})
    return layout


def _numpy(value) -> np.ndarray:
    return value.asnumpy() if hasattr(value, "asnumpy") else np.asarray(value)


def convert_v1_checkpoint(params: Mapping, net: nn.Cell, source: str = "checkpoint"
                          ) -> tuple[dict[str, np.ndarray], list[str]]:
    """A zoo V1 checkpoint dict (name -> Parameter, Tensor or array) -> (``net``'s parameters as float32 arrays,
    the names ignored: dead ``w2_bw``/``b2_bw``/``vgg.bn1.*``, optimizer state and the loss cell's Parameters).

    Raises ``CheckpointError`` listing every unmapped, missing and mis-shaped key (``weight_map.misfit``).
    """
    arrays = {name: _numpy(value) for name, value in params.items()}
    layout = v1_layout(net)
    problems = misfit({n: a.shape for n, a in arrays.items()}, layout,
                      ignorable=lambda n: n in V1_DEAD or is_train_state(n), optional=lambda n: n in V1_DEAD)
    if problems:
        raise CheckpointError(f"{source} is not an official CRNN V1 checkpoint for this network ({problems})")
    out = {p.name: arrays[p.name] for p in net.vgg.get_parameters()}
    out["fc.weight"], out["fc.bias"] = arrays["fc.weight"], arrays["fc.bias"]
    for lstm, size, directions in (("rnn1", net.input_size, (("1", ""), ("1_bw", "_reverse"))),
                                   ("rnn2", 2 * net.hidden, (("2", ""),))):
        for key, suffix in directions:
            converted = dynamic_rnn_to_lstm(arrays[f"w{key}"], arrays[f"b{key}"], size)
            for kind, value in zip(LSTM_TENSORS, converted):
                out[f"{lstm}.{kind}_l0{suffix}"] = value
    out = {name: np.asarray(value, np.float32) for name, value in out.items()}
    assert sorted(out) == sorted(p.name for p in net.get_parameters()), "V1 mapping out of date"
    return out, sorted(n for n in arrays if n not in layout or n in V1_DEAD)


def is_v1(names) -> bool:
    """True when a checkpoint's ``names`` are a zoo V1 checkpoint's (its DynamicRNN weight ``w1``)."""
    return "w1" in names


def convert_params(params: Mapping[str, ms.Parameter], net: nn.Cell) -> dict[str, ms.Parameter]:
    """A checkpoint's name -> Parameter dict with a zoo V1 checkpoint converted for ``net``
    (``convert_v1_checkpoint``; its training state kept, which a strict load reports as ignored, its dead
    tensors dropped); any other checkpoint unchanged."""
    if not is_v1(params):
        return dict(params)
    converted, _ = convert_v1_checkpoint(params, net)
    state = {n: p for n, p in params.items() if is_train_state(n)}
    return {**state, **{n: ms.Parameter(ms.Tensor(v), name=n) for n, v in converted.items()}}
