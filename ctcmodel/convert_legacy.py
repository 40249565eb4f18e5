"""Convert a ctcmodel checkpoint of MindSpore <= 1.5 on Ascend (the official Hub checkpoint, MindSpore 1.3:
``lstm.weight_fw0`` ...) into a checkpoint of this network's names, without training state.  eval.py, export.py,
infer.py, ``--pretrained`` and the hub also load the legacy file directly (the network's ``convert_checkpoint``
hook converts it on every load); this writes the converted file once.

    python convert_legacy.py ctcmodel_ascend_v130_timit_research_audio_bestpathLER30.38_prefixsearchLER30.05.ckpt \
        ctcmodel_v130.ckpt
    python eval.py --checkpoint_path ctcmodel_v130.ckpt

The network of ``--config_path`` (default_config.yaml) is built, loaded strictly with the converted weights and
saved to DST; training state (Adam moments, ``global_step``, ``labels_indices``...) is left out.  See
src/legacy.py for the mapping.  The official network ran with ``pad_mode: full``, as default_config.yaml does.
"""
from __future__ import annotations

import argparse
from typing import Optional, Sequence

from src.model_utils.checkpoint import load_into, save_atomic
from src.model_utils.config import DEFAULT_CONFIG, load_config, resolve_path
from src.model_utils.errors import UsageError, log, run_cli
from src.network import build_network


def main(argv: Optional[Sequence[str]] = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", help="legacy checkpoint (.ckpt)")
    parser.add_argument("dst", help="checkpoint to write (.ckpt)")
    parser.add_argument("--config_path", default=DEFAULT_CONFIG, help="YAML config of the network")
    args = parser.parse_args(argv)
    if not args.dst.endswith(".ckpt"):
        raise UsageError(f"the output file must end with .ckpt, got {args.dst}")
    cfg = load_config(["--config_path", args.config_path])
    net = build_network(cfg)
    _, ignored = load_into(net, resolve_path(args.src))
    dst = save_atomic(net, resolve_path(args.dst))
    load_into(build_network(cfg), dst)  # what eval.py and infer.py will do
    log(f"converted {args.src} to {dst} ({len(ignored)} training-state entries left out)")
    return dst


if __name__ == "__main__":
    run_cli(main)
