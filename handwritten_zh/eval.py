"""Evaluate the handwritten Chinese line recognizer with the reference's metric, one row per dataset.

    python eval.py --checkpoint_path handwritten_zh.ckpt --eval_dataset_path /data/SCUT-EPT/test_img_id_gt.txt
    python eval.py --config_path cpu_small.yaml --checkpoint_path release/handwritten_zh_cpu_small.ckpt \
        --eval_dataset_path data/synth_hw/val/gt.txt

Columns: 1-CER (1 - sum of edit distances / sum of truth lengths: the reference's 75.31 % on SCUT-EPT),
line accuracy, lines scored, characters, lines skipped as wider than ``max_width`` after resizing (the
reference's protocol).  Characters outside the charset stay in the truth and count as errors.
``--report DIR`` also writes the wrong samples, the most confused characters and a sheet of the worst
errors into DIR (``src/model_utils/report.py``).
"""
from __future__ import annotations

from src.model_utils.config import load_config
from src.model_utils.entry import evaluate
from src.model_utils.errors import run_cli
from src.model_utils.eval_table import print_results
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: print_results(evaluate(load_config(description=__doc__), PARTS)))
