"""Convert an MMOCR CRNN checkpoint (``crnn_mini-vgg_5e_mj``, PyTorch) into a MindSpore checkpoint.

    pip install -r requirements-convert.txt
    python convert_mmocr.py crnn_mini-vgg_5e_mj_20220826_224120-8afbedbb.pth crnn_mmocr.ckpt
    python eval.py --checkpoint_path crnn_mmocr.ckpt --eval_dataset_path data/IIIT5K/textrecog_test.json

SRC may hold a bare state_dict or MMOCR's ``{'meta': ..., 'state_dict': ...}``; keys may start with
``module.``.  Names are MMOCR's in our network too, so the mapping only renames BatchNorm tensors
(weight, bias, running_mean, running_var -> gamma, beta, moving_mean, moving_variance) and drops
``num_batches_tracked``.  LSTM tensors are copied as they are: MindSpore 2.10's ``nn.LSTM`` stores
``weight_ih/weight_hh/bias_ih/bias_hh`` like PyTorch (gate blocks i, f, g, o; two biases that are added),
which tests/crnn/test_crnn_convert_mmocr.py checks.  Keys that map to nothing, network parameters that
nothing maps to, and shape mismatches are refused together in one error.  The network of
default_config.yaml is built, loaded strictly and saved (atomic write) to DST, which eval.py, export.py,
infer.py and ``--pretrained`` load.
"""
from __future__ import annotations

import argparse
import os
import pickle
import re
from typing import Any, Mapping, Optional, Sequence

import mindspore as ms
import numpy as np

from src.crnn import build_network
from src.model_utils.checkpoint import load_into, load_params, save_atomic
from src.model_utils.config import load_config, resolve_path
from src.model_utils.errors import CheckpointError, UsageError, log, run_cli

INSTALL_HINT = "converting needs PyTorch: pip install -r requirements-convert.txt"
BN_RENAMES = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}
BN_KEY = re.compile(r"^(?P<layer>backbone\.cnn\.batchnorm\d+)\.(?P<tensor>\w+)$")
TORCH_READ_ERRORS = (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, TypeError, AttributeError,
                     IndexError, KeyError, OSError)


def _import_torch() -> Any:
    """PyTorch, imported only when a checkpoint is read (the converter's sole use of it)."""
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
    except TORCH_READ_ERRORS as err:
        raise CheckpointError(f"cannot read {path} as a PyTorch checkpoint ({_first_line(err)})") from err


def state_dict_of(loaded: Any, path: str) -> dict[str, np.ndarray]:
    """The tensors (as float32 arrays) of a bare state_dict or of ``loaded['state_dict']``, ``module.`` prefixes
    removed."""
    state = loaded.get("state_dict", loaded) if isinstance(loaded, Mapping) else None
    if not isinstance(state, Mapping) or not state:
        raise CheckpointError(f"{path} holds no state_dict (a mapping of parameter names to tensors)")
    not_tensors = sorted(str(k) for k, v in state.items() if not hasattr(v, "detach"))
    if not_tensors:
        raise CheckpointError(f"{path}: state_dict entries that are not tensors: {', '.join(not_tensors)}")
    tensors = {_strip_module(str(k)): v.detach().cpu().float().numpy() for k, v in state.items()}
    if len(tensors) != len(state):
        raise CheckpointError(f"{path}: keys repeat once the module. prefix is removed")
    return tensors


def _strip_module(key: str) -> str:
    return key[len("module."):] if key.startswith("module.") else key


def network_name(key: str) -> Optional[str]:
    """Our parameter name for an MMOCR key; None for ``num_batches_tracked`` (dropped); else the same name."""
    match = BN_KEY.match(key)
    if not match:
        return key
    tensor = match.group("tensor")
    if tensor == "num_batches_tracked":
        return None
    return f"{match.group('layer')}.{BN_RENAMES.get(tensor, tensor)}"


def _fits(key: str, name: Optional[str], shapes: Mapping[str, tuple]) -> bool:
    """True when ``key`` maps to a network parameter, or is the ``num_batches_tracked`` of a BatchNorm of it."""
    if name is not None:
        return name in shapes
    return f"{key.rsplit('.', 1)[0]}.gamma" in shapes


def _problems(state: Mapping[str, np.ndarray], renamed: Mapping[str, Optional[str]],
              shapes: Mapping[str, tuple]) -> list[str]:
    """Every unmapped key, network parameter nothing maps to, and shape mismatch, grouped by kind."""
    unmapped = sorted(k for k, name in renamed.items() if not _fits(k, name, shapes))
    covered = set(renamed.values())
    missing = sorted(name for name in shapes if name not in covered)
    mismatched = [f"{k} {tuple(state[k].shape)} vs network {name} {shapes[name]}" for k, name in renamed.items()
                  if name in shapes and tuple(state[k].shape) != shapes[name]]
    return [f"{len(names)} {kind}: {', '.join(names)}" for kind, names in
            (("unmapped", unmapped), ("missing from the file", missing),
             ("with another shape", mismatched)) if names]


def map_state_dict(state: Mapping[str, np.ndarray], shapes: Mapping[str, tuple], path: str
                   ) -> dict[str, ms.Parameter]:
    """Our parameters from MMOCR's tensors (``shapes``: the network's name -> shape); one ``CheckpointError``
    lists every unmapped key, every network parameter nothing maps to and every shape mismatch."""
    renamed = {key: network_name(key) for key in state}
    problems = _problems(state, renamed, shapes)
    if problems:
        raise CheckpointError(f"{path} is not MMOCR's CRNN crnn_mini-vgg_5e_mj ({'; '.join(problems)})")
    return {name: ms.Parameter(ms.Tensor(state[key]), name=name)
            for key, name in renamed.items() if name is not None}


def convert(src: str, dst: str) -> str:
    """Convert ``src`` (MMOCR .pth) to ``dst`` (MindSpore .ckpt); return ``dst``."""
    if not dst.endswith(".ckpt"):
        raise UsageError(f"the output file must end with .ckpt, got {dst}")
    state = state_dict_of(read_torch_checkpoint(src), src)
    net = build_network(load_config([]))
    params = map_state_dict(state, {p.name: tuple(p.shape) for p in net.get_parameters()}, src)
    load_params(net, params, src)
    save_atomic(net, dst)
    load_into(build_network(load_config([])), dst)  # what eval.py and infer.py will do
    log(f"converted {len(params)} tensors of {src} ({len(state) - len(params)} num_batches_tracked dropped) "
        f"to {dst}")
    return dst


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", help="MMOCR CRNN checkpoint (.pth)")
    parser.add_argument("dst", help="MindSpore checkpoint to write (.ckpt)")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> str:
    args = parse_args(argv)
    return convert(resolve_path(args.src), resolve_path(args.dst))


if __name__ == "__main__":
    run_cli(main)
