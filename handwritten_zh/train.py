"""Train the handwritten Chinese line recognizer on SCUT-EPT splits or gt.txt files in graph mode.

    python train.py --train_dataset_path /data/SCUT-EPT/train_img_id_gt.txt \
        --eval_dataset_path /data/SCUT-EPT/test_img_id_gt.txt --eval_interval 5000      # full size (Ascend)
    python synth_lines.py --out data/synth_hw --train 40000 --val 1000                   # synthesized lines
    python train.py --config_path cpu_small.yaml                                          # small model on a CPU
    python train.py ... --resume true                                                     # continue the last run

Lines are resized to height ``image_height``; each step holds lines of similar widths (``bucket_steps``),
edge-padded to a multiple of ``width_step``.  Checkpoints, resume, evaluation during training (1 - CER picks
``best.ckpt``), the sample order and the loss curve are those of ``src/model_utils/fit.py``.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import train
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: train(load_config(description=__doc__), PARTS))
