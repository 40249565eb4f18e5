"""Reading PyTorch checkpoints, for the converters of published PyTorch weights (``convert_*.py``).

Converter-only: this is the one module of ``model_utils`` that needs PyTorch, imported when a checkpoint is
read, so a model folder that converts PyTorch weights names ``torch`` in its ``requirements-convert.txt``
(tests/test_copied_alone.py knows this module as needing it) and the other folders need not install it.
Files are loaded on the CPU with ``torch.load(..., weights_only=True)``: no code of the file runs.  A file
that is not a PyTorch checkpoint is one ``CheckpointError`` line.
"""
from __future__ import annotations

import os
import pickle
from typing import Any, Mapping, Sequence

import numpy as np

from .errors import CheckpointError, UsageError

INSTALL_HINT = "converting needs PyTorch: pip install -r requirements-convert.txt"
READ_ERRORS = (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, TypeError, AttributeError, IndexError,
               KeyError, OSError)


def _import_torch() -> Any:
    try:
        import torch  # pylint: disable=import-outside-toplevel
    except ImportError as err:
        raise UsageError(INSTALL_HINT) from err
    return torch


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0]}" if text else type(err).__name__


def read_torch_checkpoint(path: str) -> Any:
    """The object stored in ``path`` by ``torch.save``, loaded on the CPU with ``weights_only=True``."""
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint {path} does not exist")
    torch = _import_torch()
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except READ_ERRORS as err:
        raise CheckpointError(f"cannot read {path} as a PyTorch checkpoint ({_first_line(err)})") from err


def strip_prefixes(key: str, prefixes: Sequence[str]) -> str:
    """``key`` without leading ``prefixes`` (in any order, any number), e.g. ``module.`` of DataParallel."""
    while key.startswith(tuple(prefixes)):
        key = key.split(".", 1)[1]
    return key


def state_dict_of(loaded: Any, path: str, prefixes: Sequence[str] = ("module.",)) -> dict[str, np.ndarray]:
    """The tensors (as float32 arrays) of a bare state_dict or of ``loaded['state_dict']``, ``prefixes``
    removed from the keys."""
    state = loaded.get("state_dict", loaded) if isinstance(loaded, Mapping) else None
    if not isinstance(state, Mapping) or not state:
        raise CheckpointError(f"{path} holds no state_dict (a mapping of parameter names to tensors)")
    not_tensors = sorted(str(k) for k, v in state.items() if not hasattr(v, "detach"))
    if not_tensors:
        raise CheckpointError(f"{path}: state_dict entries that are not tensors: {', '.join(not_tensors)}")
    tensors = {strip_prefixes(str(k), prefixes): v.detach().cpu().float().numpy() for k, v in state.items()}
    if len(tensors) != len(state):
        raise CheckpointError(f"{path}: keys repeat once the {' / '.join(prefixes)} prefixes are removed")
    return tensors


def read_state_dict(path: str, prefixes: Sequence[str] = ("module.",)) -> dict[str, np.ndarray]:
    """``state_dict_of`` the PyTorch checkpoint ``path``."""
    return state_dict_of(read_torch_checkpoint(path), path, prefixes)
