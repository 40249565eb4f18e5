"""Recognise words in images with a checkpoint or an exported MINDIR.

    python infer.py --checkpoint_path release/cnnctc_cpu_small.ckpt --config_path cpu_small.yaml \
        --device_target CPU --input data/synth/val_images            # a folder
    python infer.py ... --input word_1.jpg,word_2.jpg                  # images
    python infer.py ... --input data/synth/val_images/gt.txt --output preds.tsv   # a list with truth

A list file is a gt.txt (../README.md): one image a line, ``path<TAB>label`` or just ``path``;
relative paths are taken from the list's folder.  With labels, word accuracy is printed too.
``--output FILE`` writes ``path<TAB>text<TAB>confidence`` lines.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import infer
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: infer(load_config(description=__doc__), PARTS))
