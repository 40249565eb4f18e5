"""Checkpoints: atomic writes, keep-the-last-K rotation, resume lookup, strict loading with a report.

A training checkpoint holds the network, the optimizer state (moments,
``global_step``) and the loss scale, plus ``step`` and ``epoch`` as appended
info.  Evaluation, export and inference load only the network's parameters;
any other key (optimizer state, the zoo's ``learning_rate``) is reported as
"not network" and ignored, while a network parameter absent from the file is an
error that lists the missing names.
"""
from __future__ import annotations

import glob
import os
import re
from typing import Optional

import mindspore as ms
from mindspore import nn

TRAIN_STATE_PREFIXES = ("moment.", "moment1.", "moment2.", "mean_grad.", "mean_square.", "accum.", "stat.")
TRAIN_STATE_NAMES = ("global_step", "learning_rate", "scale_sense", "beta1_power", "beta2_power", "momentum",
                     "step", "epoch", "epoch_num", "step_num")


class CheckpointError(ValueError):
    """A checkpoint is unreadable or does not fit the network."""


def save_atomic(cell: nn.Cell, path: str, append_dict: Optional[dict] = None) -> str:
    """Write ``cell``'s parameters to ``path`` through a temporary file and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".tmp-{os.getpid()}-{os.path.basename(path)}")
    try:
        ms.save_checkpoint(cell, tmp, append_dict=append_dict)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _step_of(path: str) -> int:
    match = re.search(r"-(\d+)\.ckpt$", path)
    return int(match.group(1)) if match else -1


def list_checkpoints(directory: str, prefix: str) -> list[str]:
    """Step checkpoints ``{prefix}-{step}.ckpt`` in ``directory``, oldest first."""
    found = glob.glob(os.path.join(directory, f"{prefix}-*.ckpt"))
    return sorted((p for p in found if _step_of(p) >= 0), key=_step_of)


def latest_checkpoint(directory: str, prefix: str) -> Optional[str]:
    found = list_checkpoints(directory, prefix)
    return found[-1] if found else None


def prune(directory: str, prefix: str, keep: int) -> None:
    """Delete all but the newest ``keep`` step checkpoints."""
    for path in list_checkpoints(directory, prefix)[:-keep] if keep > 0 else []:
        os.remove(path)


def read_checkpoint(path: str) -> dict:
    """Load a checkpoint file to a name -> Parameter dict, with a clear error when unreadable."""
    if not path or not os.path.isfile(path):
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        return ms.load_checkpoint(path)
    except (ValueError, RuntimeError, TypeError, OSError) as err:
        raise CheckpointError(f"cannot read checkpoint {path}: {str(err).splitlines()[0]}") from err


def _is_train_state(name: str) -> bool:
    return name in TRAIN_STATE_NAMES or name.startswith(TRAIN_STATE_PREFIXES)


def load_into(cell: nn.Cell, path: str, allow_train_state: bool = True) -> tuple[dict, list[str]]:
    """Load ``path`` into ``cell`` strictly; return (the file's dict, names ignored as training state).

    Raises CheckpointError naming the missing parameters, the unexpected ones,
    and any shape mismatch.
    """
    params = read_checkpoint(path)
    wanted = {p.name: p for p in cell.get_parameters()}
    missing = sorted(n for n in wanted if n not in params)
    extra = sorted(n for n in params if n not in wanted)
    ignored = [n for n in extra if allow_train_state and _is_train_state(n)]
    unexpected = [n for n in extra if n not in ignored]
    mismatched = [f"{n}: file {tuple(params[n].shape)} vs network {tuple(wanted[n].shape)}"
                  for n in wanted if n in params and tuple(params[n].shape) != tuple(wanted[n].shape)]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing: {', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected: {', '.join(unexpected[:10])}"
                        f"{' ...' if len(unexpected) > 10 else ''}")
    if mismatched:
        problems.append(f"{len(mismatched)} with another shape: {'; '.join(mismatched[:5])}")
    if problems:
        raise CheckpointError(f"checkpoint {path} does not fit the network ({'; '.join(problems)}); "
                              "check --config_path (e.g. cpu_small.yaml for the small model)")
    subset = {n: params[n] for n in wanted}
    not_loaded, ckpt_not_loaded = ms.load_param_into_net(cell, subset, strict_load=True)
    if not_loaded or ckpt_not_loaded:
        raise CheckpointError(f"checkpoint {path}: parameters not loaded {not_loaded}, "
                              f"file entries not used {ckpt_not_loaded}")
    return params, ignored
