"""Export ConvNextViT: MINDIR (dynamic batch), ONNX (static batch), AIR (Ascend only), or CKPT (network only).

    python export.py --config_path cpu_small.yaml --checkpoint_path output_cpu_small/best.ckpt \
        --file_name convtransformer_ocr_cpu_small

Input: float32 [N, 3, 32, line_width] RGB in [0, 1] (the image resized to height 32 keeping its ratio and
padded right with black; ONNX and AIR: N = export_batch_size); output: logits [N, steps, num_classes]
(steps: 201 for ModelScope's 804-px line, 75 for a 300-px plate), class 0 the CTC blank.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import export
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: export(load_config(description=__doc__), PARTS))
