"""Evaluate CNN-CTC on one or many LMDBs: a table of word accuracy, 1 - normalised edit distance, samples.

    python eval.py --checkpoint_path CNNCTC-70000.ckpt --eval_dataset_path data/evaluation
    python eval.py --config_path cpu_small.yaml --checkpoint_path release/cnnctc_cpu_small.ckpt \
        --eval_dataset_path data/synth/val

Each LMDB found under ``eval_dataset_path`` gets its own row (IIIT5K, SVT, IC03, IC13, IC15, SVTP,
CUTE80 in the clovaai layout), then the total of them all.  Ground truth and predictions are compared after
``metric_normalize`` (clovaai's protocol by default: case-insensitive, 0-9a-z only).  The
checkpoint may be one of ours (training state is ignored) or the official zoo file.
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
