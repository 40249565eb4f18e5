"""Export CNN-CTC: MINDIR (dynamic batch), ONNX (static batch), AIR (Ascend only), or CKPT (network only).

    python export.py --checkpoint_path CNNCTC-70000.ckpt --file_format MINDIR
    python export.py --config_path cpu_small.yaml --checkpoint_path release/cnnctc_cpu_small.ckpt \
        --device_target CPU --file_name cnnctc_cpu_small

Input: float32 [N, 3, 32, 100] normalised as in training; output: logits [N, 26, 37].
CKPT writes the network's parameters without the optimizer state (a release checkpoint).
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import export
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: export(load_config(description=__doc__), PARTS))
