"""ConvNextViT end to end through its entry scripts in graph mode on a tiny profile and synthesized plates:
training (falling loss; resume is model_utils': checked once, on the smallest model), the eval table, MINDIR
export with a dynamic batch, ONNX, inference from ckpt and MINDIR with the Recognizer, and bad inputs as one
``error:`` line."""
from __future__ import annotations

import os
import subprocess
import sys

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from conftest import ROOT, assert_onnx_export_matches, export_mindir, losses, run_script, train_run
from convtransformer_ocr.src.model_utils.checkpoint import load_into
from convtransformer_ocr.src.model_utils.config import MODEL_DIR, load_config
from convtransformer_ocr.src.network import build_network

MODEL = "convtransformer_ocr"
TINY = ["--config_path", "cpu_small.yaml", "--dims", "[8,8,8,8]", "--depths", "[1,1,1,1]", "--embed_dim", "8",
        "--vit_depth", "1", "--num_heads", "2", "--mlp_ratio", "2.0"]
STEPS = 24
TRAIN = ["--train_batch_size", "8", "--base_lr", "0.02", "--warmup_steps", "2",
         "--save_checkpoint_steps", "12", "--log_interval", "6"]


@pytest.fixture(scope="module")
def plates(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("plates")
    subprocess.run([sys.executable, "synth_plates.py", "--out", str(out), "--train", "96", "--val", "16",
                    "--seed", "2", "--workers", "2"], cwd=os.path.join(ROOT, MODEL), check=True, capture_output=True)
    return str(out)


@pytest.fixture(scope="module")
def trained(plates, tmp_path_factory) -> dict:
    run = train_run(MODEL, tmp_path_factory.mktemp("convtransformer_train"), STEPS, *TINY, *TRAIN,
                    "--train_dataset_path", os.path.join(plates, "train"), "--eval_dataset_path",
                    os.path.join(plates, "val"), "--eval_interval", "12")
    return {**run, "data": plates}


@pytest.fixture(scope="module")
def mindir(trained, tmp_path_factory) -> str:
    """The trained checkpoint exported to MINDIR (export.py's default format)."""
    return export_mindir(MODEL, trained["ckpt"], tmp_path_factory.mktemp("mindir") / "tiny", *TINY)


def _network(ckpt: str) -> nn.Cell:
    net = build_network(load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), *TINY[2:]]))
    load_into(net, ckpt)
    net.set_train(False)
    return net


def test_training_loss_falls_and_validation_reports_plate_metrics(trained):
    assert f"step {STEPS}/{STEPS}" in trained["log"] and "validation line_acc" in trained["log"]
    assert "1-CER" in trained["log"] and "per-position" in trained["log"]
    curve = losses(trained["dir"])
    assert len(curve) == STEPS and np.mean(curve[-4:]) < 0.5 * np.mean(curve[:4])


def test_eval_prints_line_accuracy_cer_and_positions(trained):
    val, train = os.path.join(trained["data"], "val"), os.path.join(trained["data"], "train")
    proc = run_script(MODEL, "eval.py", *TINY, "--checkpoint_path", trained["ckpt"],
                      "--eval_dataset_path", f"{val},{train}")
    lines = proc.stdout.strip().splitlines()
    header = next(n for n, line in enumerate(lines) if line.split()[:2] == ["dataset", "line_acc"])
    assert lines[header].split() == ["dataset", "line_acc", "1-CER", "samples"]
    assert lines[header + 3].split()[0] == "total" and lines[header + 3].split()[-1] == str(16 + 96)
    assert lines[header + 4].split()[:4] == ["per-position", "accuracy", "pos1", "pos2"]


def test_mindir_has_a_dynamic_batch_and_onnx_runs_in_onnxruntime(trained, mindir, tmp_path):
    graph, net = nn.GraphCell(ms.load(mindir)), _network(trained["ckpt"])
    rng = np.random.default_rng(0)
    for batch in (1, 3):
        x = ms.Tensor(rng.uniform(size=(batch, 3, 32, 128)).astype(np.float32))
        np.testing.assert_allclose(graph(x).asnumpy(), net(x).asnumpy(), rtol=1e-4, atol=1e-4)
    assert_onnx_export_matches(MODEL, [*TINY, "--checkpoint_path", trained["ckpt"]], net, (2, 3, 32, 128),
                               str(tmp_path))


def test_infer_from_checkpoint_and_mindir_agree_with_the_recognizer(trained, mindir, tmp_path):
    from convtransformer_ocr.src.recognizer import Recognizer

    gt = os.path.join(trained["data"], "val", "gt.txt")
    rows = {}
    for model in (trained["ckpt"], mindir):
        out = tmp_path / f"{os.path.basename(model)}.tsv"
        proc = run_script(MODEL, "infer.py", *TINY, "--checkpoint_path", model, "--input", gt, "--output", str(out),
                          "--infer_batch_size", "5")
        assert "labelled inputs: line_acc" in proc.stdout
        rows[model] = [line.split("\t")[:2] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows[trained["ckpt"]]) == 16 and rows[trained["ckpt"]] == rows[mindir]
    cfg = load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), *TINY[2:]])
    texts = [p.text for p in Recognizer(trained["ckpt"], cfg, batch_size=4).predict([p for p, _ in rows[mindir]])]
    assert texts == [t for _, t in rows[trained["ckpt"]]]


@pytest.mark.parametrize("case", ["missing", "broken_gt"])
def test_bad_datasets_give_one_error_line(tmp_path, case):
    path = tmp_path / "data"
    if case == "broken_gt":
        path.mkdir()
        (path / "gt.txt").write_text("images/0.jpg 京A12345\n", encoding="utf-8")
    proc = run_script(MODEL, "train.py", *TINY, "--train_dataset_path", str(path), "--max_steps", "2", check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and str(path) in lines[0]
