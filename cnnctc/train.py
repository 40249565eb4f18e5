"""Train CNN-CTC on word-image LMDBs in graph mode (Ascend, GPU or CPU).

    python train.py --train_dataset_path /data/ST_MJ                 # zoo config (Ascend)
    python train.py --config_path cpu_small.yaml --train_dataset_path data/synth/train \
        --eval_dataset_path data/synth/val                           # small model on a CPU
    python train.py ... --resume true                                # continue the last run

Checkpoints (network + optimizer state) go to ``save_dir/ckpt`` every ``save_checkpoint_steps``
and at the end, written atomically, the last ``keep_checkpoint_max`` kept; ``save_dir/loss.png``
is the loss curve.  The sample order is a seeded stream, so ``--resume`` also continues the data
where it stopped; ``train_mix`` schedules the share of each training path (e.g. an easy dataset
early, the target domain at the end).  The loop is ``src/model_utils/fit.py``.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import train
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: train(load_config(description=__doc__), PARTS))
