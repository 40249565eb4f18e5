"""Export CNN-CTC: MINDIR (dynamic batch), ONNX (static batch), AIR (Ascend only), or CKPT (network only).

    python export.py --checkpoint_path CNNCTC-70000.ckpt --file_format MINDIR
    python export.py --config_path cpu_small.yaml --checkpoint_path release/cnnctc_cpu_small.ckpt \
        --device_target CPU --file_name cnnctc_cpu_small

Input: float32 [N, 3, 32, 100] normalised as in training; output: logits [N, 26, 37].
CKPT writes the network's parameters without the optimizer state (a release checkpoint).
"""
from __future__ import annotations

from types import SimpleNamespace

from src.cnn_ctc import build_network
from src.model_utils.checkpoint import load_into
from src.model_utils.config import load_config, require_positive, resolve_path
from src.model_utils.context import setup_context
from src.model_utils.errors import UsageError, log, run_cli
from src.model_utils.export import check_format, export_network


def export(cfg: SimpleNamespace) -> str:
    """Export ``cfg.checkpoint_path`` to ``cfg.file_name`` + extension; return the file path."""
    file_format = check_format(cfg.file_format, cfg.device_target)
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path")
    require_positive(cfg, "export_batch_size")
    setup_context(cfg)
    net = build_network(cfg)
    load_into(net, resolve_path(cfg.checkpoint_path))
    shape = (3, cfg.image_height, cfg.image_width)
    path = export_network(net, shape, resolve_path(cfg.file_name), file_format, cfg.export_batch_size)
    batch = {"MINDIR": "dynamic batch", "CKPT": "network parameters only"}.get(file_format,
                                                                              f"batch {cfg.export_batch_size}")
    log(f"exported {path} ({batch}, input [N,{','.join(map(str, shape))}])")
    return path


if __name__ == "__main__":
    run_cli(lambda: export(load_config(description=__doc__)))
