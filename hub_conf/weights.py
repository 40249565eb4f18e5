"""Strict loading of a checkpoint into a card's network, by the model folder's own loader.

The hub reads a checkpoint as the model's scripts do (``src/model_utils/checkpoint.py`` of the card's folder,
imported in isolation): every network parameter in the file with its shape, training state saved beside the
network (optimizer moments, ``global_step``, the learning rate, ...) ignored, any other key an error, every
mismatch listed in one line (``weight_map.misfit``), weights that are not finite refused.  Its errors are the
hub's ``WeightsError``.
"""
from __future__ import annotations

from typing import Callable, Optional

import mindspore as ms
from mindspore import nn

from .errors import WeightsError
from .isolation import import_isolated


def read_checkpoint(path: str) -> dict:
    """The name -> Parameter dict of checkpoint ``path``; WeightsError when it cannot be read."""
    try:
        return ms.load_checkpoint(path)
    except (ValueError, RuntimeError, TypeError, OSError) as err:
        raise WeightsError(f"cannot read checkpoint {path}: {str(err).strip().splitlines()[0]}") from err


def load_strict(network: nn.Cell, path: str, model_folder: str,
                convert: Optional[Callable[[dict], dict]] = None) -> list[str]:
    """Load checkpoint ``path`` into ``network`` (of ``model_folder``); return the training-state keys ignored.

    ``convert`` (a model's ``convert_checkpoint`` hook) maps the file's name -> Parameter dict first.
    """
    params = read_checkpoint(path)
    if convert is not None:
        try:
            params = convert(params)
        except Exception as err:  # the model's own error type: reported as the hub's
            raise WeightsError(f"cannot convert checkpoint {path}: {err}") from err
    checkpoint, = import_isolated(model_folder, "src.model_utils.checkpoint")
    try:
        return checkpoint.load_params(network, params, f"checkpoint {path}",
                                      hint=f"it is not a checkpoint of {type(network).__name__} as this card builds it")
    except checkpoint.CheckpointError as err:
        raise WeightsError(str(err)) from err
