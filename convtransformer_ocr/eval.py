"""Evaluate ConvNextViT on plates: one row per dataset (gt.txt dataset or CCPD folder), then the total.

    python eval.py --config_path cpu_small.yaml --checkpoint_path output_cpu_small/best.ckpt \
        --eval_dataset_path data/synth_plates/val

Columns: line_acc (the whole plate right), 1-CER (1 - edit distances / truth characters) and samples; then the
accuracy of each character position per dataset.  Texts are compared exactly, Chinese characters included.
``--report DIR`` also writes the wrong samples, the most confused characters and a sheet of the worst
errors into DIR (``src/model_utils/report.py``).
"""
from __future__ import annotations

from types import SimpleNamespace

from src.metrics import PlateMetric
from src.model_utils.config import load_config
from src.model_utils.entry import evaluate
from src.model_utils.errors import log, run_cli
from src.model_utils.eval_table import merged, print_results, table
from src.parts import PARTS


def print_tables(cfg: SimpleNamespace) -> dict[str, PlateMetric]:
    """Evaluate, print line accuracy, 1 - CER and samples per dataset (and in total), then the per-position
    accuracies; return the metrics."""
    results = evaluate(cfg, PARTS)
    print_results(results)
    rows = list(results.items()) + ([("total", merged(list(results.values())))] if len(results) > 1 else [])
    longest = max(len(m.position_totals) for _, m in rows)
    for line in table(["per-position accuracy", *(f"pos{i + 1}" for i in range(longest))],
                      [(name, [f"{100 * a:.2f}" for a in m.position_accuracy()] + ["-"] * (
                          longest - len(m.position_totals))) for name, m in rows]):
        log(line)
    return results


if __name__ == "__main__":
    run_cli(lambda: print_tables(load_config(description=__doc__)))
