"""The released cpu_small checkpoint: intact (sha256), loads strictly, and really reads unseen words."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from cnnctc.src.model_utils.config import MODEL_DIR
from conftest import ROOT, run_script

RELEASE = os.path.join(MODEL_DIR, "release", "cnnctc_cpu_small.ckpt")


def test_sha256_matches_the_recorded_digest():
    with open(RELEASE + ".sha256", encoding="utf-8") as f:
        expected, name = f.read().split()
    assert name == os.path.basename(RELEASE)
    with open(RELEASE, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == expected


def test_released_checkpoint_loads_strictly():
    from cnnctc.src.model_utils.checkpoint import load_into
    from cnnctc.src.cnn_ctc import CNNCTC

    _, ignored = load_into(CNNCTC(output_channel=128, bn_momentum=0.9), RELEASE)
    assert ignored == []  # the release holds the network only


@pytest.fixture(scope="module")
def fresh_val(tmp_path_factory) -> str:
    """300 validation images drawn with a seed not used for training: unseen words and fonts."""
    out = str(tmp_path_factory.mktemp("release_val"))
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "synth_text.py"), "--out", out,
                    "--train", "0", "--val", "300", "--seed", "11", "--export_val_images", "0"],
                   check=True, capture_output=True)
    return os.path.join(out, "val")


def test_released_checkpoint_reads_unseen_words(fresh_val):
    proc = run_script("cnnctc", "eval.py", "--config_path", "cpu_small.yaml", "--checkpoint_path", RELEASE,
                      "--eval_dataset_path", fresh_val, "--eval_batch_size", "100")
    total = proc.stdout.strip().splitlines()[-1].split()
    assert total[0] == "total" and total[-1] == "300"
    accuracy = float(total[1].rstrip("%"))
    assert accuracy >= 75.0, proc.stdout  # measured 2000-image figure is in cnnctc/README.md
