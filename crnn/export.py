"""Export CRNN: MINDIR (dynamic batch), ONNX (static batch), AIR (Ascend only), or CKPT (network only).

    python export.py --checkpoint_path crnn_mmocr.ckpt --file_format MINDIR
    python export.py --config_path cpu_small.yaml --checkpoint_path release/crnn_cpu_small.ckpt \
        --device_target CPU --file_name crnn_cpu_small

Input: float32 [N, 1, 32, image_width] gray, (x - 127) / 127 (ONNX and AIR: N = export_batch_size); output:
logits [N, image_width / 4 + 1, 37].  The official zoo network (crnn_official.yaml) takes [N, 3, 32, 100]
BGR in [-1, 1].  infer.py with an exported model resizes every image to image_width (the network itself,
from a checkpoint, takes any width: MMOCR's keep-ratio test preprocessing).
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import export
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: export(load_config(description=__doc__), PARTS))
