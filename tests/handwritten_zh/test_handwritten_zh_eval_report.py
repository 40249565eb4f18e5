"""handwritten_zh's eval.py --report on synthesized lines with the released checkpoint: the character errors
add up to the table's 1 - CER, and every wrong line is listed by its image path."""
from __future__ import annotations

import csv
import os
import subprocess
import sys

from PIL import Image

from conftest import ROOT, run_script

ARGS = ["--config_path", "cpu_small.yaml", "--checkpoint_path", "release/handwritten_zh_cpu_small.ckpt"]


def _tsv(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_report_errors_add_up_to_the_character_error_rate(tmp_path):
    data, folder = str(tmp_path / "lines"), str(tmp_path / "report")
    subprocess.run([sys.executable, os.path.join(ROOT, "handwritten_zh", "synth_lines.py"), "--out", data,
                    "--train", "4", "--val", "12", "--seed", "5", "--workers", "2", "--min_chars", "4",
                    "--max_chars", "10"], check=True, capture_output=True)
    proc = run_script("handwritten_zh", "eval.py", *ARGS, "--eval_dataset_path", os.path.join(data, "val"),
                      "--report", folder)
    _, one_minus_cer, line_acc, lines, characters, _ = proc.stdout.strip().splitlines()[-1].split()
    errors = _tsv(os.path.join(folder, "errors.tsv"))
    assert len(errors) == int(lines) - round(float(line_acc) * int(lines) / 100)
    edits = sum(int(r["edits"]) for r in errors)
    assert round(100 * (1 - edits / int(characters)), 2) == float(one_minus_cer)
    assert all(os.path.isfile(r["sample"]) and r["truth"] != r["result"] for r in errors)
    assert sum(int(r["count"]) for r in _tsv(os.path.join(folder, "confusions.tsv"))) == edits
    with Image.open(os.path.join(folder, "worst_errors.png")) as sheet:
        sheet.load()
        assert sheet.width >= 1000
