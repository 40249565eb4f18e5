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

from types import SimpleNamespace

from src.metrics import NAMES, MmocrMetric
from src.model_utils.config import load_config
from src.model_utils.entry import evaluate, table
from src.model_utils.errors import log, run_cli
from src.parts import PARTS


def print_table(cfg: SimpleNamespace) -> dict[str, MmocrMetric]:
    """Evaluate, then print MMOCR's metrics per dataset and their mean over the datasets; return the metrics."""
    results = evaluate(cfg, PARTS)
    rows = [(path, [f"{100 * v:.2f}" for v in m.values().values()] + [str(m.count)]) for path, m in results.items()]
    if len(results) > 1:
        mean = [sum(m.values()[n] for m in results.values()) / len(results) for n in NAMES]
        rows.append(("average", [f"{100 * v:.2f}" for v in mean] + [str(sum(m.count for m in results.values()))]))
    for line in table(["dataset", *NAMES, "samples"], rows):
        log(line)
    return results


if __name__ == "__main__":
    run_cli(lambda: print_table(load_config(description=__doc__)))
