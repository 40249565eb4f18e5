"""Strict loading of a checkpoint into a network.

Every network parameter must be in the file with the same shape.  Keys of
training state that training scripts save beside the network (optimizer
moments, ``global_step``, the learning rate, the loss scale, ...) are ignored;
any other key the network does not have is an error.  Errors list the names.
"""
from __future__ import annotations

from typing import Callable, Optional

import mindspore as ms
from mindspore import nn

from .errors import WeightsError

# The same lists as every model folder's src/model_utils/checkpoint.py (the hub imports no model code;
# tests/test_hub.py keeps the two equal).
TRAIN_STATE_PREFIXES = ("moment.", "moment1.", "moment2.", "mean_grad.", "mean_square.", "accum.", "accum_update.",
                        "adam_m.", "adam_v.", "stat.")
TRAIN_STATE_NAMES = ("global_step", "learning_rate", "scale_sense", "beta1_power", "beta2_power", "momentum",
                     "step", "epoch", "epoch_num", "step_num", "best_score", "sequence_length", "labels_indices",
                     "classes_digest")


def is_train_state(name: str) -> bool:
    return name in TRAIN_STATE_NAMES or name.startswith(TRAIN_STATE_PREFIXES)


def _names(kind: str, names: list[str]) -> str:
    shown = ", ".join(names[:10]) + (f", ... ({len(names) - 10} more)" if len(names) > 10 else "")
    return f"{len(names)} {kind}: {shown}"


def read_checkpoint(path: str) -> dict:
    """The name -> Parameter dict of checkpoint ``path``; WeightsError when it cannot be read."""
    try:
        return ms.load_checkpoint(path)
    except (ValueError, RuntimeError, TypeError, OSError) as err:
        raise WeightsError(f"cannot read checkpoint {path}: {str(err).strip().splitlines()[0]}") from err


def load_strict(network: nn.Cell, path: str, convert: Optional[Callable[[dict], dict]] = None) -> list[str]:
    """Load checkpoint ``path`` into ``network``; return the training-state keys that were ignored.

    ``convert`` (a model's ``convert_checkpoint`` hook) maps the file's name -> Parameter dict first.
    """
    params = read_checkpoint(path)
    if convert is not None:
        try:
            params = convert(params)
        except Exception as err:  # the model's own error type: reported as the hub's
            raise WeightsError(f"cannot convert checkpoint {path}: {err}") from err
    wanted = {p.name: p for p in network.get_parameters()}
    extra = sorted(n for n in params if n not in wanted)
    ignored = [n for n in extra if is_train_state(n)]
    problems = []
    missing = sorted(n for n in wanted if n not in params)
    if missing:
        problems.append(_names("network parameters missing from the file", missing))
    unexpected = [n for n in extra if n not in ignored]
    if unexpected:
        problems.append(_names("unexpected keys in the file", unexpected))
    reshaped = [f"{n} {tuple(params[n].shape)} vs {tuple(p.shape)}" for n, p in wanted.items()
                if n in params and tuple(params[n].shape) != tuple(p.shape)]
    if reshaped:
        problems.append(_names("parameters with another shape (file vs network)", reshaped))
    if problems:
        raise WeightsError(f"checkpoint {path} does not fit {type(network).__name__}: {'; '.join(problems)}")
    not_loaded, file_unused = ms.load_param_into_net(network, {n: params[n] for n in wanted}, strict_load=True)
    if not_loaded or file_unused:
        raise WeightsError(f"checkpoint {path}: load_param_into_net left network parameters {not_loaded} "
                           f"not loaded and file entries {file_unused} unused")
    return ignored
