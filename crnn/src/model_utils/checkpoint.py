"""Checkpoints: atomic writes, keep-the-last-K rotation, resume lookup, strict loading with a report.

A training checkpoint holds the network, the optimizer state (moments, ``global_step``) and the
loss scale, plus ``step``, ``epoch`` and ``best_score`` as appended info (the official zoo's CRNN also saves
its loss cell's ``sequence_length`` and ``labels_indices``).  Evaluation, export and
inference load only the network's parameters: keys of training state (``TRAIN_STATE_*``, the
same lists as ``hub_conf/weights.py``, a test keeps them equal) are reported as ignored, while a
network parameter absent from the file, an unknown key, a shape mismatch or a weight that is not finite is
an error that lists the names.
"""
from __future__ import annotations

import glob
import hashlib
import os
import re
from typing import Optional, Sequence

import mindspore as ms
import numpy as np
from mindspore import nn

from .errors import CheckpointError
from .weight_map import misfit

TRAIN_STATE_PREFIXES = ("moment.", "moment1.", "moment2.", "mean_grad.", "mean_square.", "accum.", "accum_update.",
                        "adam_m.", "adam_v.", "stat.")
TRAIN_STATE_NAMES = ("global_step", "learning_rate", "scale_sense", "beta1_power", "beta2_power", "momentum",
                     "step", "epoch", "epoch_num", "step_num", "best_score", "sequence_length", "labels_indices",
                     "classes_digest")
CONVERT_HOOK = "convert_checkpoint"  # a network method mapping older checkpoint layouts to its own
CLASSES_KEY = "classes_digest"  # what training saves of its class list (``classes_digest``)


def classes_digest(tokens: Sequence[str]) -> int:
    """48 bits of the sha256 of a class list (characters, phones) in order: a checkpoint trained with one list
    read with the same classes in another order would give wrong text."""
    return int(hashlib.sha256("\n".join(tokens).encode("utf-8")).hexdigest()[:12], 16)


def save_atomic(cell: nn.Cell, path: str, append_dict: Optional[dict] = None) -> str:
    """Write ``cell``'s parameters to ``path`` through a temporary file and a rename.

    A failed write (disk full, no permission) leaves neither the temporary file nor a partial
    ``path`` behind and raises ``CheckpointError``; an existing ``path`` is kept until the new one is whole.
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as err:
        raise CheckpointError(f"cannot create the checkpoint folder {directory}: {err.strerror}") from err
    tmp = os.path.join(directory, f".tmp-{os.getpid()}-{os.path.basename(path)}")
    leftovers = (tmp, os.path.splitext(tmp)[0] + ".tmp")  # ms.save_checkpoint writes NAME.tmp, then renames
    try:
        ms.save_checkpoint(cell, tmp, append_dict=append_dict)
        os.replace(tmp, path)
    except (OSError, RuntimeError, ValueError) as err:
        raise CheckpointError(f"cannot write checkpoint {path}: {str(err).strip().splitlines()[0]}") from err
    finally:
        for leftover in leftovers:
            if os.path.exists(leftover):
                os.remove(leftover)
    return path


def _step_of(path: str) -> int:
    match = re.search(r"-(\d+)\.ckpt$", path)
    return int(match.group(1)) if match else -1


def list_checkpoints(directory: str, prefix: str) -> list[str]:
    """Step checkpoints ``{prefix}-{step}.ckpt`` in ``directory``, oldest first."""
    found = glob.glob(os.path.join(glob.escape(directory), f"{glob.escape(prefix)}-*.ckpt"))
    return sorted((p for p in found if _step_of(p) >= 0), key=_step_of)


def latest_checkpoint(directory: str, prefix: str) -> Optional[str]:
    """The newest step checkpoint in ``directory``, or None."""
    found = list_checkpoints(directory, prefix)
    return found[-1] if found else None


def prune(directory: str, prefix: str, keep: int) -> None:
    """Delete all but the newest ``keep`` step checkpoints (``keep`` <= 0 keeps all)."""
    for path in list_checkpoints(directory, prefix)[:-keep] if keep > 0 else []:
        os.remove(path)


def read_checkpoint(path: str) -> dict:
    """Load a checkpoint file to a name -> Parameter dict, with a clear error when unreadable."""
    if not path or not os.path.isfile(path):
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        return ms.load_checkpoint(path)
    except (ValueError, RuntimeError, TypeError, OSError) as err:
        raise CheckpointError(f"cannot read checkpoint {path}: {str(err).strip().splitlines()[0]}") from err


def is_train_state(name: str) -> bool:
    """True for keys a training checkpoint holds beside the network (optimizer, loss scale, counters)."""
    return name in TRAIN_STATE_NAMES or name.startswith(TRAIN_STATE_PREFIXES)


def _listed(kind: str, names: list[str], most: int = 10) -> str:
    return f"{len(names)} {kind}: {', '.join(names[:most])}{' ...' if len(names) > most else ''}"


CONFIG_HINT = "check --config_path (e.g. cpu_small.yaml for the small model)"  # what a script's user can change


def check_fit(params: dict, cell: nn.Cell, source: str, keep: Sequence[str] = (), hint: str = CONFIG_HINT
              ) -> list[str]:
    """Raise ``CheckpointError`` listing every mismatch between ``params`` and ``cell`` (its parameters named in
    ``keep`` excepted; ``weight_map.misfit``), then ``hint``; return the keys ignored as training state."""
    wanted = {p.name: tuple(p.shape) for p in cell.get_parameters() if p.name not in keep}
    problems = misfit({n: tuple(v.shape) for n, v in params.items()}, wanted, ignorable=is_train_state)
    if problems:
        raise CheckpointError(f"{source} does not fit the network ({problems}){'; ' + hint if hint else ''}")
    return sorted(n for n in params if n not in wanted and is_train_state(n))


def load_into(cell: nn.Cell, path: str, keep: Sequence[str] = (), classes: Optional[int] = None
              ) -> tuple[dict, list[str]]:
    """Load ``path`` into ``cell`` strictly; return (the file's dict, names ignored as training state).

    A network whose class defines ``convert_checkpoint(params) -> params`` (``CONVERT_HOOK``: checkpoints of
    its own published in an older layout, e.g. another MindSpore version's names) gets the file's dict through
    it first, wherever it is loaded (evaluation, export, inference, ``--pretrained``, the hub).
    ``keep``: parameters of ``cell`` that keep their built value (e.g. the learning-rate schedule, which
    comes from the config when a run is resumed with another number of steps).
    ``classes``: the ``classes_digest`` of the configured class list; a checkpoint trained with another one (its
    ``CLASSES_KEY``; files without it are not checked) is an error.
    """
    params = read_checkpoint(path)
    if classes is not None and CLASSES_KEY in params and int(scalar(params, CLASSES_KEY, 0)) != classes:
        raise CheckpointError(f"checkpoint {path} was trained with another class list (its digest "
                              f"{int(scalar(params, CLASSES_KEY, 0)):012x}, this config's {classes:012x}): set the "
                              "charset or characters it was trained with, in the same order")
    convert = getattr(cell, CONVERT_HOOK, None)
    if convert is not None:
        try:
            params = convert(params)
        except CheckpointError as err:
            raise CheckpointError(f"checkpoint {path}: {err}") from err
    return params, load_params(cell, params, f"checkpoint {path}", keep)


def load_params(cell: nn.Cell, params: dict, source: str, keep: Sequence[str] = (), hint: str = CONFIG_HINT
                ) -> list[str]:
    """Load a name -> Parameter dict (a file's, or converted weights) into ``cell`` strictly, as ``load_into``;
    ``source`` names it in errors, ``hint`` follows a mismatch.  Return the names ignored as training state."""
    ignored = check_fit(params, cell, source, keep, hint)
    subset = {p.name: params[p.name] for p in cell.get_parameters() if p.name not in keep}
    nonfinite = [name for name, value in subset.items() if not np.isfinite(value.asnumpy()).all()]
    if nonfinite:
        raise CheckpointError(f"{source} holds weights that are not finite ({_listed('parameters', nonfinite, 3)}): "
                              "it was saved by a diverged run")
    not_loaded, file_unused = ms.load_param_into_net(cell, subset, strict_load=True)
    not_loaded = [n for n in not_loaded if n not in keep]
    if not_loaded or file_unused:
        raise CheckpointError(f"{source}: network parameters not loaded {not_loaded}, "
                              f"entries not used {file_unused}")
    return ignored


def scalar(params: dict, name: str, default: float) -> float:
    """A scalar stored in a checkpoint (``step``, ``best_score``...), or ``default`` when absent."""
    return float(params[name].asnumpy().reshape(-1)[0]) if name in params else default
