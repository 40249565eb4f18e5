"""Evaluate CRNN with MMOCR's metrics: one row per dataset (LMDB or MMOCR .json annotation file), then the average.

    python eval.py --checkpoint_path crnn_mmocr.ckpt --eval_dataset_path \
        data/IIIT5K/textrecog_test.json,data/SVT/textrecog_test.json,data/IC13/textrecog_test.json,\
        data/IC15/textrecog_test.json,data/SVTP/textrecog_test.json,data/CT80/textrecog_test.json
    python eval.py --config_path cpu_small.yaml --checkpoint_path release/crnn_cpu_small.ckpt \
        --eval_dataset_path data/synth/val

Columns: word_acc, word_acc_ignore_case, word_acc_ignore_case_symbol (the figure MMOCR reports),
char_recall, char_precision, 1-N.E.D, samples.  The average row is the mean of the datasets' figures,
as MMOCR's tables average the benchmarks.  Every figure is MMOCR's, rounded to 4 decimals as MMOCR rounds
it (shown as a percentage with 2 decimals).  Preprocessing is MMOCR's test pipeline (``test_keep_ratio``).
``--report DIR`` also writes the wrong samples, the most confused characters and a sheet of the worst
errors into DIR (``src/model_utils/report.py``).
"""
from __future__ import annotations

from src.metrics import mean_row
from src.model_utils.config import load_config
from src.model_utils.entry import evaluate
from src.model_utils.errors import run_cli
from src.model_utils.eval_table import print_results
from src.parts import PARTS

if __name__ == "__main__":
    run_cli(lambda: print_results(evaluate(load_config(description=__doc__), PARTS), mean_row))
