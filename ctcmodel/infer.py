"""Recognise TIMIT phones in 16 kHz speech files (SPHERE or RIFF WAV) with a ctcmodel checkpoint or MINDIR.

    python infer.py --config_path cpu_small.yaml --checkpoint_path release/ctcmodel_cpu_small.ckpt \
        --device_target CPU --input data/synth_timit/TEST/DR1/MDAB0/SX139.WAV   # files
    python infer.py ... --input speech_folder --output phones.tsv                # a folder
    python infer.py ... --input list.txt                                         # path<TAB>phones lines

Prints each file's phones and, below them, the time (seconds) at which each phone was emitted
(``phone@seconds``); with reference phones (a list file) the phone error rate on 39 folded phones.
``--output FILE`` writes ``path<TAB>phones<TAB>confidence<TAB>phone@seconds ...`` lines.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import infer
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: infer(load_config(description=__doc__), PARTS))
