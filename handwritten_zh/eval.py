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

from types import SimpleNamespace

from src.metrics import CharacterMetric
from src.model_utils.config import load_config
from src.model_utils.entry import evaluate, table
from src.model_utils.errors import log, run_cli
from src.parts import PARTS


def print_table(cfg: SimpleNamespace) -> dict[str, CharacterMetric]:
    """Evaluate, print a row per dataset (and the total over them), return the metrics."""
    results = evaluate(cfg, PARTS)
    rows = list(results.items())
    if len(results) > 1:
        total = CharacterMetric()
        for metric in results.values():
            for key in ("errors", "characters", "correct", "count", "skipped_wide"):
                setattr(total, key, getattr(total, key) + getattr(metric, key))
        rows.append(("total", total))
    cells = [(name, [f"{100 * m.accuracy:.2f}", f"{100 * m.line_accuracy:.2f}", str(m.count), str(m.characters),
                     str(m.skipped_wide)]) for name, m in rows]
    for line in table(["dataset", "1-CER", "line_acc", "lines", "characters", "too_wide"], cells):
        log(line)
    return results


if __name__ == "__main__":
    run_cli(lambda: print_table(load_config(description=__doc__)))
