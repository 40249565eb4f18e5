"""ctcmodel's eval.py --report on a tiny synthesized TIMIT with the released checkpoint: utterances named by
id, phones aligned as tokens, the MFCC picture sheet."""
from __future__ import annotations

import csv
import os

import pytest
from PIL import Image

from conftest import run_script
from ctcmodel.src.phones import PHONES_61

ARGS = ["--config_path", "cpu_small.yaml", "--checkpoint_path", "release/ctcmodel_cpu_small.ckpt", "--beam_width", "0"]


@pytest.fixture(scope="module")
def test_set(tmp_path_factory) -> str:
    """Features of 6 synthesized TEST utterances (2 speakers)."""
    root = tmp_path_factory.mktemp("ctc_report")
    timit, features = str(root / "timit"), str(root / "features")
    run_script("ctcmodel", "synth_speech.py", "--out", timit, "--train_speakers", "1", "--test_speakers", "2",
               "--utterances_per_speaker", "3", "--seed", "5", "--workers", "2")
    run_script("ctcmodel", "preprocess_data.py", "--dataset_dir", timit, "--out_dir", features, "--workers", "2")
    return os.path.join(features, "test.mindrecord")


def _tsv(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_report_lists_phone_errors_of_utterances(test_set, tmp_path):
    folder = str(tmp_path / "report")
    proc = run_script("ctcmodel", "eval.py", *ARGS, "--eval_dataset_path", test_set, "--report", folder)
    errors = _tsv(os.path.join(folder, "errors.tsv"))
    assert f"report: {len(errors)} wrong samples" in proc.stdout and 0 < len(errors) <= 6
    phones = set(PHONES_61)
    for row in errors:
        assert row["dataset"] == test_set and row["sample"].count("_") == 1  # an utterance id: speaker_sentence
        assert set(row["truth"].split()) <= phones and set(row["result"].split()) <= phones
        assert row["truth"] != row["result"] and 0 < float(row["confidence"]) <= 1
    confusions = _tsv(os.path.join(folder, "confusions.tsv"))
    assert all({r["truth"], r["result"]} - {""} <= phones for r in confusions)
    listed = sum(int(r["count"]) for r in confusions)
    assert listed == sum(int(r["edits"]) for r in errors) or len(confusions) == 100
    with Image.open(os.path.join(folder, "worst_errors.png")) as sheet:
        sheet.load()
        assert sheet.width >= 1000 and sheet.height >= 100 * len(errors)
