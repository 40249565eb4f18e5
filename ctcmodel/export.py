"""Export ctcmodel: MINDIR (dynamic batch), ONNX (static batch), AIR (Ascend only), or CKPT (network only).

    python export.py --checkpoint_path ctc-best.ckpt --file_format MINDIR
    python export.py --config_path cpu_small.yaml --checkpoint_path release/ctcmodel_cpu_small.ckpt \
        --device_target CPU --file_name ctcmodel_cpu_small

Inputs: features float32 [N, max_frames, 39] zero-padded (preprocess_data.py's MFCCs) and the valid frame
count of each utterance, int32 [N]; output: logits [N, max_frames, 62], zero after each utterance's frames.
(The official export takes masks [N, 1555, 256] instead of the counts and gives [1555, N, 62].)
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import export
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: export(load_config(description=__doc__), PARTS))
