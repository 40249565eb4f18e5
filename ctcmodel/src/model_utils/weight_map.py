"""Mapping weights from one layout to another: the report of what does not fit, and the LSTM gate reorder.

``misfit`` is the one report of a strict load or a conversion: the file's keys that map to no network
parameter, the network parameters no key maps to, and the shape mismatches, in one line.  Every strict load
(``checkpoint.load_params``), the models' checkpoint converters and their ``convert_checkpoint`` hooks use it.

``dynamic_rnn_to_lstm`` converts one direction of an LSTM of MindSpore <= 1.5 on Ascend (``P.DynamicRNN``:
``w`` [in + H, 4H] applied as ``[x, h] @ w``, one bias ``b`` [4H], gate blocks i, j (the cell input), f, o) to
``nn.LSTM``'s tensors since 1.6 (``weight_ih`` [4H, in], ``weight_hh`` [4H, H], ``bias_ih`` and ``bias_hh``
[4H], added, gate blocks i, f, g, o): the blocks reordered, ``weight_ih = w[:in].T``, ``weight_hh = w[in:].T``,
``bias_ih = b`` (plus DynamicRNN's ``forget_bias`` on the f block) and ``bias_hh = 0``.
"""
from __future__ import annotations

from typing import Callable, Mapping, Optional, Sequence

import numpy as np

MOST_LISTED = 10  # names listed per kind of problem; the count says how many there are


def _listed(kind: str, names: Sequence[str]) -> str:
    more = f", ... ({len(names) - MOST_LISTED} more)" if len(names) > MOST_LISTED else ""
    return f"{len(names)} {kind}: {', '.join(names[:MOST_LISTED])}{more}"


def _never(_name: str) -> bool:
    return False


def misfit(found: Mapping[str, tuple], wanted: Mapping[str, tuple],
           name_of: Optional[Callable[[str], Optional[str]]] = None, ignorable: Callable[[str], bool] = _never,
           optional: Callable[[str], bool] = _never) -> str:
    """What keeps the shapes ``found`` (a file's key -> shape) from filling ``wanted`` (name -> shape), as
    ``N unmapped: ...; N missing from the file: ...; N with another shape: ...`` ('' when everything fits).

    ``name_of``: the wanted name a key maps to (default: the key itself; None: the key is dropped, which is
    fine when ``ignorable``).  ``ignorable``: keys that may map to nothing (e.g. training state).
    ``optional``: wanted names that may be absent from the file.
    """
    names = {key: (name_of(key) if name_of else key) for key in found}
    unmapped = sorted(k for k, name in names.items() if name not in wanted and not ignorable(k))
    covered = set(names.values())
    missing = [name for name in wanted if name not in covered and not optional(name)]
    mismatched = [f"{key}{'' if name == key else f' -> {name}'}: file {tuple(found[key])} vs network "
                  f"{tuple(wanted[name])}" for key, name in names.items()
                  if name in wanted and tuple(found[key]) != tuple(wanted[name])]
    return "; ".join(_listed(kind, items) for kind, items in
                     (("unmapped", unmapped), ("missing from the file", sorted(missing)),
                      ("with another shape", mismatched)) if items)


def _ijfo_to_ifjo(array: np.ndarray, axis: int) -> np.ndarray:
    i, j, f, o = np.split(array, 4, axis=axis)
    return np.concatenate([i, f, j, o], axis=axis)


def dynamic_rnn_to_lstm(w: np.ndarray, b: np.ndarray, input_size: int, forget_bias: float = 0.0
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One direction's DynamicRNN ``w`` [in + H, 4H] and ``b`` [4H] (gates i, j, f, o) -> float32 nn.LSTM
    ``weight_ih`` [4H, in], ``weight_hh`` [4H, H], ``bias_ih`` (with ``forget_bias`` on the f block) and
    ``bias_hh`` (zeros), gates i, f, g, o."""
    w = _ijfo_to_ifjo(np.asarray(w, np.float32), 1)
    b = _ijfo_to_ifjo(np.asarray(b, np.float32), 0)
    if forget_bias:
        hidden = b.shape[0] // 4
        b[hidden:2 * hidden] += forget_bias
    return (np.ascontiguousarray(w[:input_size].T), np.ascontiguousarray(w[input_size:].T), b,
            np.zeros_like(b))
