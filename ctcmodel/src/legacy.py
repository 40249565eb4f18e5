"""ctcmodel checkpoints of MindSpore <= 1.5 on Ascend (the official Hub checkpoint, MindSpore 1.3) -> ours.

Up to 1.5, ``nn.LSTM`` on Ascend ran ``P.DynamicRNN(forget_bias=0.0)`` per layer and direction and held, for
layer ``l``, ``weight_fw{l}`` / ``weight_bw{l}`` [in_l + H, 4H] (applied as ``[x, h] @ w``) and ``bias_fw{l}`` /
``bias_bw{l}`` [4H], float16, gate blocks i, j (the cell input), f, o; the backward direction read the whole
padded axis reversed.  Inside ``CTCModel`` they are named ``lstm.weight_fw0`` ...; ``embedding.*`` is unchanged.
Since 1.6 (and in ``network.CTCModel``) they are ``weight_ih`` [4H, in], ``weight_hh`` [4H, H], ``bias_ih`` and
``bias_hh`` [4H] (added), gates i, f, g, o: each direction converts with ``model_utils.weight_map``'s
``dynamic_rnn_to_lstm``.
The converted network equals the legacy one with ``pad_mode: full`` (the backward direction over the padding).

The flat ``lstm.weight`` [N, 1, 1] of MindSpore <= 1.5 on GPU/CPU is refused: GPU handed it to cuDNN as its
weight space, the CPU kernel read all layers' input weights, then all recurrent weights, then ONE bias per layer
and direction, so the same vector means different weights per device and the file does not say which.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

import mindspore as ms
import numpy as np

from .model_utils.checkpoint import is_train_state
from .model_utils.errors import CheckpointError
from .model_utils.weight_map import dynamic_rnn_to_lstm, misfit

PREFIX = "lstm."
LEGACY_KEY = re.compile(rf"^{re.escape(PREFIX)}(weight|bias)_(fw|bw)\d+$")
FLAT_KEY = PREFIX + "weight"
DIRECTIONS = (("fw", ""), ("bw", "_reverse"))
LSTM_TENSORS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")  # dynamic_rnn_to_lstm's order


def is_legacy(names: Iterable[str]) -> bool:
    """True when ``names`` hold LSTM parameters of MindSpore <= 1.5 (Ascend ``weight_fw0``... or flat ``weight``)."""
    return any(name == FLAT_KEY or LEGACY_KEY.match(name) for name in names)


def legacy_shapes(hidden_size: int, num_layers: int, input_size: int) -> dict[str, tuple[int, ...]]:
    """The Ascend LSTM parameters of a bidirectional ``num_layers``-layer LSTM, name -> shape."""
    shapes = {}
    for layer in range(num_layers):
        width = (input_size if layer == 0 else 2 * hidden_size) + hidden_size
        for direction, _ in DIRECTIONS:
            shapes[f"{PREFIX}weight_{direction}{layer}"] = (width, 4 * hidden_size)
            shapes[f"{PREFIX}bias_{direction}{layer}"] = (4 * hidden_size,)
    return shapes


def convert_legacy(params: Mapping[str, np.ndarray], hidden_size: int, num_layers: int, input_size: int,
                   forget_bias: float = 0.0) -> dict[str, np.ndarray]:
    """A legacy Ascend checkpoint dict (name -> array) -> our float32 parameters: LSTM tensors converted, training
    state (moments, ``global_step``, ``labels_indices``...) dropped, other names (``embedding.*``) kept as they are.

    Raises ``CheckpointError`` for the flat GPU/CPU layout and listing every unmapped ``lstm.*`` name, missing
    tensor and shape mismatch.
    """
    if FLAT_KEY in params:
        raise CheckpointError(f"{FLAT_KEY} {tuple(params[FLAT_KEY].shape)} is MindSpore <= 1.5's flat GPU/CPU LSTM "
                              "weight, whose layout depends on the device it was saved on: not converted")
    shapes = legacy_shapes(hidden_size, num_layers, input_size)
    lstm = {n: tuple(np.shape(v)) for n, v in params.items() if n.startswith(PREFIX)}
    problems = misfit(lstm, shapes)
    if problems:
        raise CheckpointError(f"not a MindSpore <= 1.5 Ascend ctcmodel checkpoint for hidden_size {hidden_size}, "
                              f"num_layers {num_layers}, input_size {input_size} ({problems})")
    out = {n: np.asarray(v, np.float32) for n, v in params.items() if n not in shapes and not is_train_state(n)}
    for layer in range(num_layers):
        width = input_size if layer == 0 else 2 * hidden_size
        for direction, suffix in DIRECTIONS:
            converted = dynamic_rnn_to_lstm(params[f"{PREFIX}weight_{direction}{layer}"],
                                            params[f"{PREFIX}bias_{direction}{layer}"], width, forget_bias)
            for kind, value in zip(LSTM_TENSORS, converted):
                out[f"{PREFIX}{kind}_l{layer}{suffix}"] = value
    return out


def convert_params(params: Mapping[str, ms.Parameter], hidden_size: int, num_layers: int,
                   input_size: int) -> dict[str, ms.Parameter]:
    """A checkpoint's name -> Parameter dict with the LSTM of a legacy Ascend checkpoint converted
    (``convert_legacy``) and the training state kept as it is (a strict load reports it as ignored); any other
    checkpoint unchanged."""
    if not is_legacy(params):
        return dict(params)
    converted = convert_legacy({n: p.asnumpy() for n, p in params.items() if not is_train_state(n)}, hidden_size,
                               num_layers, input_size)
    state = {n: p for n, p in params.items() if is_train_state(n)}
    return {**state, **{n: ms.Parameter(ms.Tensor(v), name=n) for n, v in converted.items()}}
