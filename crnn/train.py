"""Train CRNN (MMOCR's crnn_mini-vgg_5e_mj) on word LMDBs or MMOCR annotation files in graph mode.

    python train.py --train_dataset_path /data/mjsynth_lmdb                      # MMOCR recipe (Ascend)
    python train.py --config_path cpu_small.yaml --train_dataset_path data/synth/train \
        --eval_dataset_path data/synth/val                                       # small model on a CPU
    python train.py ... --resume true                                            # continue the last run

MMOCR's recipe by default: Adadelta, lr 1.0 constant, batch 64, 5 epochs, images resized to 32x100.
Checkpoints, resume, evaluation during training, the sample order and the loss curve are those of
``src/model_utils/fit.py``.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import train
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: train(load_config(description=__doc__), PARTS))
