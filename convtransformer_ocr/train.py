"""Train ConvNextViT (ModelScope's licence-plate recognizer) on gt.txt datasets or CCPD folders in graph mode.

    python synth_plates.py --out data/synth_plates --train 200000 --val 5000
    python train.py --config_path cpu_small.yaml                     # the small plate model on a CPU
    python train.py --train_dataset_path data/ccpd/train --eval_dataset_path data/ccpd/val   # ModelScope's
    python train.py ... --resume true                                # continue the last run

AdamW with a linear warm-up and a cosine decay by default.  Checkpoints, resume, evaluation during training
(line accuracy picks best.ckpt), the sample order and the loss curve are those of ``src/model_utils/fit.py``.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import train
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: train(load_config(description=__doc__), PARTS))
