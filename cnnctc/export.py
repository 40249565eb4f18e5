"""Export CNN-CTC: MINDIR (dynamic batch), ONNX (static batch), AIR (Ascend only), or CKPT (network only).

    python export.py --checkpoint_path CNNCTC-70000.ckpt --file_format MINDIR
    python export.py --config_path cpu_small.yaml --checkpoint_path release/cnnctc_cpu_small.ckpt \
        --device_target CPU --file_name cnnctc_cpu_small

Input: float32 [N, 3, 32, 100] normalised as in training; output: logits [N, 26, 37].
CKPT writes the network's parameters without the optimizer state (a release checkpoint).
"""
from __future__ import annotations

import os

import mindspore as ms
import numpy as np

from src.checkpoint import load_into, save_atomic
from src.cli import UsageError, log, run_cli
from src.cnn_ctc import build_network
from src.config import load_config, resolve_path
from src.context import setup_context

FORMATS = {"MINDIR": ".mindir", "ONNX": ".onnx", "AIR": ".air", "CKPT": ".ckpt"}


def export(cfg) -> str:
    """Export ``cfg.checkpoint_path`` to ``cfg.file_name`` + extension; return the file path."""
    file_format = cfg.file_format.upper()
    if file_format not in FORMATS:
        raise UsageError(f"file_format must be one of {', '.join(FORMATS)}, got {cfg.file_format!r}")
    if file_format == "AIR" and cfg.device_target != "Ascend":
        raise UsageError(f"AIR export needs an Ascend device (device_target is {cfg.device_target}); "
                         "export MINDIR or ONNX here, or run on Ascend with --device_target Ascend")
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path")
    setup_context(cfg)
    net = build_network(cfg)
    load_into(net, resolve_path(cfg.checkpoint_path))
    net.set_train(False)
    file_name = resolve_path(cfg.file_name)
    if file_format == "CKPT":
        path = save_atomic(net, file_name + FORMATS[file_format])
        log(f"exported {path} (network parameters only)")
        return path
    shape = [cfg.export_batch_size, 3, cfg.image_height, cfg.image_width]
    if file_format == "MINDIR":
        example = ms.Tensor(shape=[None] + shape[1:], dtype=ms.float32)
    else:
        example = ms.Tensor(np.zeros(shape, np.float32))
    try:
        ms.export(net, example, file_name=file_name, file_format=file_format)
    except (RuntimeError, ValueError, TypeError) as err:
        raise UsageError(f"MindSpore cannot export this network to {file_format}: "
                         f"{str(err).strip().splitlines()[0]}") from err
    path = file_name + FORMATS[file_format]
    if not os.path.isfile(path):
        raise UsageError(f"export to {file_format} wrote no file {path}")
    batch = "dynamic batch" if file_format == "MINDIR" else f"batch {cfg.export_batch_size}"
    log(f"exported {path} ({batch}, input [N,3,{cfg.image_height},{cfg.image_width}])")
    return path


if __name__ == "__main__":
    run_cli(lambda: export(load_config(description=__doc__)))
