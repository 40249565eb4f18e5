"""cnnctc/ copied alone to another folder trains, evaluates and exports there, and its requirements.txt
names every package its code imports."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys

from conftest import ROOT

MODEL = os.path.join(ROOT, "cnnctc")
DISTRIBUTIONS = {"cv2": "opencv-python-headless", "yaml": "PyYAML"}  # import name -> requirement name


def _run(folder: str, script: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, script, *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"{script}: {proc.stdout}\n{proc.stderr}"
    return proc


def test_train_eval_export_in_a_lone_copy(synth_words, tmp_path):
    folder = str(tmp_path / "elsewhere" / "cnnctc")
    shutil.copytree(MODEL, folder, ignore=shutil.ignore_patterns("__pycache__", "output*", "release"))
    where = _run(folder, "-c", "import src.model_utils, src.cnn_ctc; print(src.model_utils.__file__)")
    assert where.stdout.strip().startswith(folder)
    small = ["--config_path", "cpu_small.yaml"]
    train = _run(folder, "train.py", *small, "--train_dataset_path", os.path.join(synth_words, "train"),
                 "--eval_dataset_path", os.path.join(synth_words, "val"), "--max_steps", "4", "--train_batch_size",
                 "4", "--save_checkpoint_steps", "4", "--eval_interval", "4", "--save_dir", "out")
    assert "step 4/4" in train.stdout and "validation accuracy" in train.stdout
    ckpt = os.path.join(folder, "out", "ckpt", "CNNCTC-4.ckpt")
    evaluation = _run(folder, "eval.py", *small, "--checkpoint_path", ckpt,
                      "--eval_dataset_path", os.path.join(synth_words, "val"))
    assert evaluation.stdout.strip().splitlines()[-1].split()[-1] == "48"
    _run(folder, "export.py", *small, "--checkpoint_path", ckpt, "--file_name", "small")
    assert os.path.getsize(os.path.join(folder, "small.mindir")) > 100_000


def _imported_packages(folder: str) -> set[str]:
    names = set()
    for dirpath, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    tree = ast.parse(f.read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        names.update(alias.name.split(".")[0] for alias in node.names)
                    elif isinstance(node, ast.ImportFrom) and node.level == 0:
                        names.add(node.module.split(".")[0])
    local = {n[:-3] for n in os.listdir(folder) if n.endswith(".py")} | {"src"}
    return {n for n in names if n not in sys.stdlib_module_names and n not in local and n != "__future__"}


def test_requirements_cover_every_import():
    with open(os.path.join(MODEL, "requirements.txt"), encoding="utf-8") as f:
        required = {line.split("==")[0].strip().lower() for line in f if line.strip() and not line.startswith("#")}
    needed = {DISTRIBUTIONS.get(n, n).lower() for n in _imported_packages(MODEL)}
    assert needed <= required, f"imported but not in cnnctc/requirements.txt: {sorted(needed - required)}"
