"""eval.py --report on synthesized words with the released checkpoint: the sheet decodes, errors.tsv holds
exactly the wrong samples of the table, confusions.tsv their edits; a report path that is a file is one
``error:`` line."""
from __future__ import annotations

import csv
import os
import re

from PIL import Image

from cnnctc.src.model_utils.confusions import align
from cnnctc.src.model_utils.metrics import NORMALIZERS
from conftest import run_script

ARGS = ["--config_path", "cpu_small.yaml", "--checkpoint_path", "release/cnnctc_cpu_small.ckpt"]


def _tsv(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_report_holds_the_wrong_samples_of_the_table(synth_words, tmp_path):
    val, folder = os.path.join(synth_words, "val"), str(tmp_path / "report")
    proc = run_script("cnnctc", "eval.py", *ARGS, "--eval_dataset_path", val, "--report", folder)
    total = proc.stdout.strip().splitlines()[-1].split()
    accuracy, samples = float(total[1].rstrip("%")), int(total[-1])
    wrong = samples - round(accuracy * samples / 100)
    assert 0 < wrong < samples

    errors = _tsv(os.path.join(folder, "errors.tsv"))
    assert len(errors) == wrong
    assert re.search(rf"report: {wrong} wrong samples", proc.stdout)
    clovaai = NORMALIZERS["lower_alnum"]
    for row in errors:
        assert row["truth"] == clovaai(row["truth"]) and row["truth"] != row["result"]
        assert row["sample"].startswith(val + "#image-") and 0 <= float(row["confidence"]) <= 1
        assert int(row["edits"]) == len([p for p in align(row["truth"], row["result"]) if p[0] != p[1]]) > 0
    rates = [int(r["edits"]) / len(r["truth"]) for r in errors]
    assert rates == sorted(rates, reverse=True)  # worst first

    confusions = _tsv(os.path.join(folder, "confusions.tsv"))
    edits = sum(int(r["edits"]) for r in errors)
    assert sum(int(r["count"]) for r in confusions) == edits < 100  # all listed below the top-100 cut
    assert {r["kind"] for r in confusions} <= {"substitution", "deletion", "insertion"}
    assert all(r["truth"] or r["result"] for r in confusions)

    with Image.open(os.path.join(folder, "worst_errors.png")) as sheet:
        sheet.load()
        assert sheet.width >= 1000 and sheet.height >= 400


def test_a_report_path_that_is_a_file_is_one_error_line(synth_words, tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("x")
    proc = run_script("cnnctc", "eval.py", *ARGS, "--eval_dataset_path", os.path.join(synth_words, "val"),
                      "--report", str(taken), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"error: --report {taken} is a file: give a folder to write the "
                                                "report into"]
