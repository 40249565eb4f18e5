"""Recognise plates in images with a ConvNextViT checkpoint or an exported MINDIR.

    python infer.py --config_path cpu_small.yaml --checkpoint_path output_cpu_small/best.ckpt \
        --device_target CPU --input plates/                                  # a folder
    python infer.py ... --input a.jpg,b.jpg                                  # images
    python infer.py ... --input data/synth_plates/val/gt.txt --output preds.tsv   # a list with truth

A list file has one image a line: ``path<TAB>label`` (or just ``path``), relative paths from the list's
folder.  With labels, line accuracy, 1 - CER and the per-position accuracy are printed too.
``--output FILE`` writes ``path<TAB>text<TAB>confidence`` lines.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import infer
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: infer(load_config(description=__doc__), PARTS))
