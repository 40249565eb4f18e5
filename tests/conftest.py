"""Shared fixtures and helpers: the repository layout, graph mode on the CPU, small synthesized word LMDBs,
the loss-curve reader, a short training run of a model (the trained-model fixtures) and the resume check."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
sys.path[:0] = [ROOT, TESTS, os.path.join(ROOT, "scripts")]  # model folders as namespace packages
# (cnnctc.src.model_utils), test helpers, the repository scripts
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
os.environ.setdefault("GLOG_v", "3")


def _pin_xdist_worker() -> None:
    """Under pytest-xdist (``-n N``, scripts/run_tests.sh), worker gwK keeps to the K-th CPU pytest may use, it and
    every process it starts, so that the workers' MindSpore processes do not compete for cores: on this
    machine a training run fell from 90 to 11 img/s while other jobs shared its two cores, and ran as fast
    pinned to one core as on two."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[int(worker[2:]) % len(cpus)]})


_pin_xdist_worker()  # before anything starts a thread

from zoo_registry import model, model_names  # noqa: E402  (scripts/ is on the path now)

SMALLEST = model_names()[0]  # the registry's first model: the generic checks run once, on it


def pytest_collection_modifyitems(items: list) -> None:
    """The generic test files of tests/ (each training and exporting several models) before the model folders'
    ones: pytest-xdist hands out whole files in this order, so the longest start first and the short ones
    fill the end."""
    items.sort(key=lambda item: os.path.dirname(str(item.path)) != TESTS)


@pytest.fixture(scope="session", autouse=True)
def graph_mode_cpu():
    import mindspore as ms

    ms.set_context(mode=ms.GRAPH_MODE)
    ms.set_device("CPU")


def run_script(model: str, script: str, *args: str, check: bool = True, timeout: int = 600
               ) -> subprocess.CompletedProcess:
    """Run ``python SCRIPT ARGS`` inside a model folder; return the completed process (text output)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.run([sys.executable, script, *args], cwd=os.path.join(ROOT, model), env=env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{script} {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def synth_words(tmp_path_factory) -> str:
    """A small synthesized dataset (train 96 / val 48 images) made by the word models' synth_words.py."""
    from zoo_registry import synthesizer

    out = tmp_path_factory.mktemp("synth")
    subprocess.run([sys.executable, synthesizer("words"), "--out", str(out),
                    "--train", "96", "--val", "48", "--seed", "3", "--workers", "2",
                    "--export_val_images", "8"], check=True, capture_output=True)
    return str(out)


def error_line(proc: subprocess.CompletedProcess, unwritten: str = "") -> str:
    """The one ``error: ...`` line of a script refusing bad input (exit 2, nothing else on stderr); ``unwritten``:
    an output file it must not have written."""
    report = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 2, report
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), report
    assert not unwritten or not os.path.exists(unwritten), f"{unwritten} may not be written on error"
    return lines[0]


def assert_onnx_export_matches(model: str, args: list[str], net, shape: tuple, folder: str) -> None:
    """Export ``model`` to ONNX in ``folder`` with ``args`` (config, checkpoint) for inputs of ``shape`` and
    check that onnxruntime gives ``net``'s outputs."""
    import mindspore as ms
    import numpy as np
    import onnxruntime

    name = os.path.join(folder, "exported")
    run_script(model, "export.py", *args, "--file_format", "ONNX", "--export_batch_size", str(shape[0]),
               "--file_name", name)
    session = onnxruntime.InferenceSession(name + ".onnx", providers=["CPUExecutionProvider"])
    x = np.random.default_rng(3).normal(size=shape).astype(np.float32)
    onnx_out = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(onnx_out, net(ms.Tensor(x)).asnumpy(), rtol=1e-4, atol=1e-4)


def losses(run_dir) -> list[float]:
    """The loss curve of a training run: ``loss.csv``'s loss per step."""
    with open(os.path.join(run_dir, "loss.csv"), encoding="utf-8") as f:
        return [float(row["loss"]) for row in csv.DictReader(f)]


def train_run(name: str, out, steps: int, *args: str) -> dict:
    """``train.py ARGS --max_steps STEPS --save_dir OUT`` in the model folder ``name``: the trained-model
    fixture's record, {dir, log, ckpt (the last step's), steps, args}."""
    proc = run_script(name, "train.py", *args, "--max_steps", str(steps), "--save_dir", str(out))
    return {"dir": str(out), "log": proc.stdout, "steps": steps, "args": list(args),
            "ckpt": os.path.join(str(out), "ckpt", f"{model(name).checkpoint_prefix}-{steps}.ckpt")}


def export_mindir(name: str, ckpt: str, stem, *args: str) -> str:
    """``export.py ARGS --checkpoint_path CKPT --file_name STEM`` in the model folder ``name`` (export.py's
    default format): the MINDIR file's path, for a module fixture shared by the export and infer tests."""
    run_script(name, "export.py", *args, "--checkpoint_path", ckpt, "--file_name", str(stem))
    return f"{stem}.mindir"


def assert_resume_reproduces(name: str, trained: dict, at_step: int, folder: Path, *args: str) -> dict:
    """Resume ``trained`` (a ``train_run``) from its step-``at_step`` checkpoint (the last one removed) in a copy
    at ``folder`` with its own arguments and ``args``: it says so, its loss curve has every step once, and it
    takes the same steps (losses) to the same end.  Returns the resumed run's record."""
    shutil.copytree(trained["dir"], folder)
    os.remove(os.path.join(folder, "ckpt", os.path.basename(trained["ckpt"])))
    resumed = train_run(name, folder, trained["steps"], *trained["args"], *args, "--resume", "true")
    assert f"at step {at_step}" in resumed["log"], resumed["log"]
    with open(os.path.join(folder, "loss.csv"), encoding="utf-8") as f:
        assert [int(row["step"]) for row in csv.DictReader(f)] == list(range(1, trained["steps"] + 1))
    np.testing.assert_allclose(losses(folder)[at_step:], losses(trained["dir"])[at_step:], rtol=1e-3)
    return resumed
