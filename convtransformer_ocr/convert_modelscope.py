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
mismatches are refused together in one error (``src/model_utils/weight_map.py``); PyTorch reads the file
(``src/model_utils/torch_weights.py``).

``--vocab FILE`` is ModelScope's ``vocab.txt`` (line i is class i + 2): it must fit the head (7,644 classes),
and eval.py / infer.py decode with it through ``--charset FILE``.  Other ``--key value`` settings of
default_config.yaml (or ``--config_path``) describe another network size.  The network is built, loaded
strictly and saved (atomic write) to DST, then DST is loaded once more as eval.py will.
"""
from __future__ import annotations

import argparse
import re
from typing import Mapping, Optional, Sequence

import mindspore as ms
import numpy as np

from src.charset import read_charset
from src.model_utils.checkpoint import load_into, load_params, save_atomic
from src.model_utils.config import load_config, resolve_path
from src.model_utils.errors import CheckpointError, UsageError, log, run_cli
from src.model_utils.torch_weights import read_state_dict
from src.model_utils.weight_map import misfit
from src.network import build_network

PREFIXES = ("recognizer.", "module.")
LAYER_NORM_KEY = re.compile(r"^(?P<layer>cnn_model\.downsample_layers\.(0\.1|[1-9]\d*\.0)"
                            r"|cnn_model\.stages\.\d+\.\d+\.norm|vitstr\.blocks\.\d+\.norm[12]|vitstr\.norm)"
                            r"\.(?P<tensor>weight|bias)$")
LAYER_NORM_RENAMES = {"weight": "gamma", "bias": "beta"}


def network_name(key: str) -> str:
    """Our parameter name for a ModelScope key: LayerNorm ``weight``/``bias`` -> ``gamma``/``beta``, else the key."""
    match = LAYER_NORM_KEY.match(key)
    if not match:
        return key
    return f"{match.group('layer')}.{LAYER_NORM_RENAMES[match.group('tensor')]}"


def map_state_dict(state: Mapping[str, np.ndarray], shapes: Mapping[str, tuple], path: str
                   ) -> dict[str, ms.Parameter]:
    """Our parameters from ModelScope's tensors (``shapes``: the network's name -> shape); one ``CheckpointError``
    lists every unmapped key, every network parameter nothing maps to and every shape mismatch."""
    problems = misfit({key: value.shape for key, value in state.items()}, shapes, network_name)
    if problems:
        raise CheckpointError(f"{path} does not fit ModelScope's ConvNextViT as configured ({problems})")
    return {network_name(key): ms.Parameter(ms.Tensor(value), name=network_name(key)) for key, value in state.items()}


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
    state = read_state_dict(src, PREFIXES)
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
