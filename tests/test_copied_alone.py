"""A model folder copied alone to another folder makes its own data, trains, evaluates and exports there, and
its requirements files name every package its code imports.  Only what a lone copy changes is run: its imports,
its synthesizer, a 4-step training (evaluation during training is fit's, run by every model's round-trip test),
eval.py's sample count and export.py."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from sync_model_utils import model_folders, utils_dir
from zoo_registry import model, model_names

DISTRIBUTIONS = {"cv2": "opencv-python-headless", "yaml": "PyYAML", "PIL": "pillow"}  # import name -> requirement name
# model_utils modules that import a package only some folders need: required where the folder's own code uses them
OPTIONAL_MODULES = {"torch_weights": "torch",  # the converters' PyTorch reader (requirements-convert.txt)
                    "word_synth": "fontTools"}  # the word synthesizer's font discovery (synth_words.py)
VAL = 8  # validation samples made for a lone copy


def _run(folder: str, script: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, script, *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"{script}: {proc.stdout}\n{proc.stderr}"
    return proc


def _speech_features(folder: str) -> tuple[str, str]:
    """Train (12) and validation (VAL) utterances of random features in ctcmodel's MindRecord schema."""
    import numpy as np

    from ctcmodel.src.feature_store import Record, write_records

    rng = np.random.default_rng(1)
    paths = []
    for name, count in (("train", 12), ("val", VAL)):
        path = os.path.join(folder, f"{name}.mindrecord")
        write_records(path, [Record(f"u{i}", rng.normal(size=(80, 39)).astype(np.float32),
                                    rng.integers(0, 61, 6).astype(np.int32)) for i in range(count)])
        paths.append(path)
    return paths[0], paths[1]


@pytest.mark.parametrize("name", sorted(model_names()))
def test_train_eval_export_in_a_lone_copy(name, tmp_path):
    entry = model(name)  # its zoo.yaml: checkpoint prefix, input kind, own arguments, where eval.py prints the count
    folder = str(tmp_path / "elsewhere" / name)
    shutil.copytree(os.path.join(ROOT, name), folder,
                    ignore=shutil.ignore_patterns("__pycache__", "output*", "release", "data"))
    where = _run(folder, "-c", "import src.model_utils, train, export, infer, mindspore_hub_conf; "
                               "print(src.model_utils.__file__)")
    assert where.stdout.strip().startswith(folder)
    small = ["--config_path", entry.cpu_config, *entry.lone_copy_args]
    count = VAL
    if entry.input_kind == "speech":
        train_path, val_path = _speech_features(str(tmp_path))
    elif entry.input_kind == "lines":
        _run(folder, "synth_lines.py", "--out", "lines", "--train", "16", "--val", str(VAL), "--workers", "1",
             "--min_chars", "2", "--max_chars", "3")
        train_path, val_path = (os.path.join(folder, "lines", split, "gt.txt") for split in ("train", "val"))
    elif entry.input_kind == "plates":
        _run(folder, "synth_plates.py", "--out", "plates", "--train", "16", "--val", str(VAL), "--workers", "1")
        train_path, val_path = (os.path.join(folder, "plates", split) for split in ("train", "val"))
    else:  # words: the folder's own synth_words.py
        _run(folder, "synth_words.py", "--out", "words", "--train", "16", "--val", str(VAL), "--workers", "1",
             "--export_val_images", "0")
        train_path, val_path = (os.path.join(folder, "words", split) for split in ("train", "val"))
    train = _run(folder, "train.py", *small, "--train_dataset_path", train_path, "--max_steps", "4",
                 "--train_batch_size", "4", "--save_checkpoint_steps", "4", "--eval_interval", "0", "--save_dir", "out")
    assert "step 4/4" in train.stdout
    ckpt = os.path.join(folder, "out", "ckpt", f"{entry.checkpoint_prefix}-4.ckpt")
    evaluation = _run(folder, "eval.py", *small, "--checkpoint_path", ckpt, "--eval_dataset_path", val_path)
    line, column = entry.count_cell
    assert evaluation.stdout.strip().splitlines()[line].split()[column] == str(count)
    _run(folder, "export.py", *small, "--checkpoint_path", ckpt, "--file_name", "small")
    assert os.path.getsize(os.path.join(folder, "small.mindir")) > 100_000


def _imports(path: str) -> set[str]:
    """Top-level names of the absolute imports of a file, and the ``OPTIONAL_MODULES`` it imports."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0:
                names.add(module.split(".")[0])
            names.update(OPTIONAL_MODULES[m] for m in module.split(".") + [a.name for a in node.names]
                         if m in OPTIONAL_MODULES)
    return names


def _imported_packages(folder: str) -> set[str]:
    """Packages the folder's code imports; an ``OPTIONAL_MODULES`` module's package only where it is used."""
    names = set()
    for dirpath, dirnames, files in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in ("data", "release") and not d.startswith("output")]
        for name in files:
            if name.endswith(".py"):
                names |= _imports(os.path.join(dirpath, name)) - {OPTIONAL_MODULES.get(name[:-3])}
    local = {n[:-3] for n in os.listdir(folder) if n.endswith(".py")} | {"src"}
    return {n for n in names if n not in sys.stdlib_module_names and n not in local and n != "__future__"}


def test_optional_modules_import_their_package():
    """An ``OPTIONAL_MODULES`` module imports its package: a folder using it must require it (its other imports
    count for every folder)."""
    folder = utils_dir(model_folders()[0])
    for module, package in OPTIONAL_MODULES.items():
        assert package in _imports(os.path.join(folder, f"{module}.py")), module


@pytest.mark.parametrize("model", model_folders())
def test_requirements_cover_every_import(model):
    folder = os.path.join(ROOT, model)
    required = set()
    for name in os.listdir(folder):
        if name.startswith("requirements") and name.endswith(".txt"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                required |= {line.split("==")[0].strip().lower() for line in f
                             if line.strip() and not line.startswith(("#", "-r"))}
    needed = {DISTRIBUTIONS.get(n, n).lower() for n in _imported_packages(folder)}
    assert needed <= required, f"imported but not in {model}/requirements*.txt: {sorted(needed - required)}"
