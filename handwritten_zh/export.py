"""Export the handwritten Chinese line recognizer: MINDIR (dynamic batch), ONNX (static), AIR (Ascend only)
or CKPT (network only).

    python export.py --checkpoint_path handwritten_zh.ckpt --export_time_major true   # the reference's layout
    python export.py --config_path cpu_small.yaml --checkpoint_path release/handwritten_zh_cpu_small.ckpt \
        --device_target CPU --export_width 0                                          # MINDIR of any width

Input: float32 [N, 1, image_height, export_width] gray 0..255, lines resized to the height and edge-padded
(the reference's 1x1x96x2000; ``--export_width 0``: any width that is a multiple of 16, MINDIR only).  Output:
logits [N, width / 16, 4059], or the reference's [width / 16, N, 4059] with ``--export_time_major true``.
"""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from mindspore import nn

from src.model_utils.config import load_config
from src.model_utils.entry import export
from src.model_utils.errors import run_cli
from src.network import TimeMajor, build_network
from src.parts import PARTS


def build_export_network(cfg: SimpleNamespace) -> nn.Cell:
    """The network, with time-major outputs when ``export_time_major`` (parameter names unchanged)."""
    network = build_network(cfg)
    return TimeMajor(network) if cfg.export_time_major else network


if __name__ == "__main__":
    run_cli(lambda: export(load_config(description=__doc__), replace(PARTS, build_network=build_export_network)))
