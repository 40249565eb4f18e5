"""Convert ModelScope's ConvNextViT checkpoint (``cv_convnextTiny_ocr-recognition-*_damo``, PyTorch) into a
MindSpore checkpoint.

    pip install -r requirements-convert.txt
    python convert_modelscope.py pytorch_model.pt convnextvit_modelscope.ckpt --vocab vocab.txt

SRC may hold a bare state_dict or ``{'state_dict': ...}``; keys may start with ``recognizer.`` and/or
``module.``, which are removed as ModelScope does on load.  Our parameters carry ModelScope's names, so the
mapping is one to one and renames only LayerNorm tensors: ``weight``/``bias`` -> ``gamma``/``beta`` for the
stem's and downsampling layers' channels-first LayerNorms (``cnn_model.downsample_layers.0.1``,
``cnn_model.downsample_layers.{1,2,3}.0``), the blocks' ``cnn_model.stages.*.*.norm``,
``vitstr.blocks.*.norm1``/``norm2`` and ``vitstr.norm``.  Every other tensor keeps its name and layout: the
depthwise convolutions ([C, 1, 7, 7]), the attention's fused ``qkv`` (q, k, v blocks of ``nn.Dense``'s
[out, in] weight, as ``nn.Linear``), the position embedding [1, 75, 192], ``cls_token`` (stored, unused) and
the layer scales ``gamma``.  Keys that map to nothing, network parameters that nothing maps to and shape
mismatches are refused together in one error.

``--vocab FILE`` is ModelScope's ``vocab.txt`` (line i is class i + 2): it must fit the head (7,644 classes),
and eval.py / infer.py decode with it through ``--charset FILE``.  Other ``--key value`` settings of
default_config.yaml (or ``--config_path``) describe another network size.  The network is built, loaded
strictly and saved (atomic write) to DST, then DST is loaded once more as eval.py will.
"""
from __future__ import annotations

import argparse
import os
import pickle
import re
from typing import Any, Mapping, Optional, Sequence

import mindspore as ms
import numpy as np

from src.charset import read_charset
from src.model_utils.checkpoint import load_into, load_params, save_atomic
from src.model_utils.config import load_config, resolve_path
from src.model_utils.errors import CheckpointError, UsageError, log, run_cli
from src.network import build_network

INSTALL_HINT = "converting needs PyTorch: pip install -r requirements-convert.txt"
PREFIXES = ("recognizer.", "module.")
LAYER_NORM_KEY = re.compile(r"^(?P<layer>cnn_model\.downsample_layers\.(0\.1|[1-9]\d*\.0)"
                            r"|cnn_model\.stages\.\d+\.\d+\.norm|vitstr\.blocks\.\d+\.norm[12]|vitstr\.norm)"
                            r"\.(?P<tensor>weight|bias)$")
LAYER_NORM_RENAMES = {"weight": "gamma", "bias": "beta"}
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


def strip_prefixes(key: str) -> str:
    """``key`` without leading ``recognizer.`` / ``module.`` (in any order, any number)."""
    while key.startswith(PREFIXES):
        key = key.split(".", 1)[1]
    return key


def state_dict_of(loaded: Any, path: str) -> dict[str, np.ndarray]:
    """The tensors (as float32 arrays) of a bare state_dict or of ``loaded['state_dict']``, prefixes removed."""
    state = loaded.get("state_dict", loaded) if isinstance(loaded, Mapping) else None
    if not isinstance(state, Mapping) or not state:
        raise CheckpointError(f"{path} holds no state_dict (a mapping of parameter names to tensors)")
    not_tensors = sorted(str(k) for k, v in state.items() if not hasattr(v, "detach"))
    if not_tensors:
        raise CheckpointError(f"{path}: state_dict entries that are not tensors: {', '.join(not_tensors)}")
    tensors = {strip_prefixes(str(k)): v.detach().cpu().float().numpy() for k, v in state.items()}
    if len(tensors) != len(state):
        raise CheckpointError(f"{path}: keys repeat once the recognizer. / module. prefixes are removed")
    return tensors


def network_name(key: str) -> str:
    """Our parameter name for a ModelScope key: LayerNorm ``weight``/``bias`` -> ``gamma``/``beta``, else the key."""
    match = LAYER_NORM_KEY.match(key)
    if not match:
        return key
    return f"{match.group('layer')}.{LAYER_NORM_RENAMES[match.group('tensor')]}"


def _listed(kind: str, names: list[str], most: int = 20) -> str:
    return f"{len(names)} {kind}: {', '.join(names[:most])}{' ...' if len(names) > most else ''}"


def map_state_dict(state: Mapping[str, np.ndarray], shapes: Mapping[str, tuple], path: str
                   ) -> dict[str, ms.Parameter]:
    """Our parameters from ModelScope's tensors (``shapes``: the network's name -> shape); one ``CheckpointError``
    lists every unmapped key, every network parameter nothing maps to and every shape mismatch."""
    renamed = {key: network_name(key) for key in state}
    unmapped = sorted(k for k, name in renamed.items() if name not in shapes)
    missing = sorted(set(shapes) - set(renamed.values()))
    mismatched = [f"{k} {tuple(state[k].shape)} vs network {name} {shapes[name]}" for k, name in renamed.items()
                  if name in shapes and tuple(state[k].shape) != shapes[name]]
    problems = [_listed(kind, names) for kind, names in
                (("unmapped", unmapped), ("missing from the file", missing), ("with another shape", mismatched))
                if names]
    if problems:
        raise CheckpointError(f"{path} does not fit ModelScope's ConvNextViT as configured ({'; '.join(problems)})")
    return {name: ms.Parameter(ms.Tensor(state[key]), name=name) for key, name in renamed.items()}


def convert(src: str, dst: str, vocab: str = "", overrides: Sequence[str] = ()) -> str:
    """Convert ``src`` (ModelScope .pt/.pth) to ``dst`` (MindSpore .ckpt) for the network of the config with
    ``overrides`` and, if given, the charset ``vocab``; return ``dst``."""
    if not dst.endswith(".ckpt"):
        raise UsageError(f"the output file must end with .ckpt, got {dst}")
    cfg = load_config(list(overrides))
    if vocab:
        cfg.charset = vocab
        log(f"vocabulary {vocab}: {len(read_charset(vocab))} characters")
    net = build_network(cfg)  # checks the config (and the vocabulary against the head) before reading SRC
    state = state_dict_of(read_torch_checkpoint(src), src)
    params = map_state_dict(state, {p.name: tuple(p.shape) for p in net.get_parameters()}, src)
    load_params(net, params, src)
    save_atomic(net, dst)
    load_into(build_network(cfg), dst)  # what eval.py and infer.py will do
    log(f"converted {len(params)} tensors of {src} to {dst}"
        + (f"; decode with --charset {vocab}" if vocab else ""))
    return dst


def parse_args(argv: Optional[Sequence[str]] = None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", help="ModelScope ConvNextViT checkpoint (pytorch_model.pt)")
    parser.add_argument("dst", help="MindSpore checkpoint to write (.ckpt)")
    parser.add_argument("--vocab", default="", help="ModelScope's vocab.txt (line i is class i + 2)")
    return parser.parse_known_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> str:
    args, overrides = parse_args(argv)
    vocab = resolve_path(args.vocab)
    return convert(resolve_path(args.src), resolve_path(args.dst), vocab, overrides)


if __name__ == "__main__":
    run_cli(main)
