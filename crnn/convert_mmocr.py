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
nothing maps to, and shape mismatches are refused together in one error (``src/model_utils/weight_map.py``);
PyTorch reads the file (``src/model_utils/torch_weights.py``).  The network of
default_config.yaml is built, loaded strictly and saved (atomic write) to DST, which eval.py, export.py,
infer.py and ``--pretrained`` load.
"""
from __future__ import annotations

import argparse
import re
from typing import Mapping, Optional, Sequence

import mindspore as ms
import numpy as np

from src.crnn import build_network
from src.model_utils.checkpoint import load_into, load_params, save_atomic
from src.model_utils.config import load_config, resolve_path
from src.model_utils.errors import CheckpointError, UsageError, log, run_cli
from src.model_utils.torch_weights import read_state_dict
from src.model_utils.weight_map import misfit

BN_RENAMES = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}
BN_KEY = re.compile(r"^(?P<layer>backbone\.cnn\.batchnorm\d+)\.(?P<tensor>\w+)$")


def network_name(key: str) -> Optional[str]:
    """Our parameter name for an MMOCR key; None for ``num_batches_tracked`` (dropped); else the same name."""
    match = BN_KEY.match(key)
    if not match:
        return key
    tensor = match.group("tensor")
    if tensor == "num_batches_tracked":
        return None
    return f"{match.group('layer')}.{BN_RENAMES.get(tensor, tensor)}"


def map_state_dict(state: Mapping[str, np.ndarray], shapes: Mapping[str, tuple], path: str
                   ) -> dict[str, ms.Parameter]:
    """Our parameters from MMOCR's tensors (``shapes``: the network's name -> shape); one ``CheckpointError``
    lists every unmapped key, every network parameter nothing maps to and every shape mismatch.  A
    ``num_batches_tracked`` is dropped when its BatchNorm is the network's."""
    def dropped(key: str) -> bool:
        return network_name(key) is None and f"{key.rsplit('.', 1)[0]}.gamma" in shapes

    problems = misfit({key: value.shape for key, value in state.items()}, shapes, network_name, dropped)
    if problems:
        raise CheckpointError(f"{path} is not MMOCR's CRNN crnn_mini-vgg_5e_mj ({problems})")
    return {name: ms.Parameter(ms.Tensor(state[key]), name=name)
            for key, name in ((key, network_name(key)) for key in state) if name is not None}


def convert(src: str, dst: str) -> str:
    """Convert ``src`` (MMOCR .pth) to ``dst`` (MindSpore .ckpt); return ``dst``."""
    if not dst.endswith(".ckpt"):
        raise UsageError(f"the output file must end with .ckpt, got {dst}")
    state = read_state_dict(src)
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
