"""Train ctcmodel (two-layer BiLSTM + CTC over 61 TIMIT phones) on MindRecord features in graph mode.

    python preprocess_data.py --dataset_dir /data/TIMIT --out_dir data/timit_features   # once
    python train.py                                                  # official recipe (Ascend)
    python train.py --config_path cpu_small.yaml                     # synthesized speech on a CPU
    python train.py ... --resume true                                # continue the last run

The official recipe by default: Adam (eps 1e-3), lr 0.005 cosine per epoch, clip 5, batch 64, 300 epochs,
every utterance padded to 1555 frames (``pad_mode full``); ``--pad_mode bucket`` batches utterances of
similar length instead.  Checkpoints, resume, evaluation during training (best-path LER, best.ckpt), the
sample order and the loss curve are those of ``src/model_utils/fit.py``.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import train
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: train(load_config(description=__doc__), PARTS))
