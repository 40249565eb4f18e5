"""Recognise handwritten Chinese text lines in images with a checkpoint or an exported MINDIR.

    python infer.py --config_path cpu_small.yaml --checkpoint_path release/handwritten_zh_cpu_small.ckpt \
        --device_target CPU --input data/synth_hw/val/images                    # a folder
    python infer.py ... --input line_1.png,line_2.jpg                             # images
    python infer.py ... --input data/synth_hw/val/gt.txt --output preds.tsv       # a list with truth
    python infer.py ... --designated_characters digits.txt --top_k 20            # restrict the output

Below each line the ``alternatives`` best characters at each recognised character are printed with their
probabilities; ``--output FILE`` writes ``path<TAB>text<TAB>confidence<TAB>alternatives`` lines.  With labels
(a list file), 1 - CER and line accuracy are printed too.
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import infer
from src.model_utils.errors import run_cli
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: infer(load_config(description=__doc__), PARTS))
