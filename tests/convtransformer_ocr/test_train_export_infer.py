"""ConvNextViT end to end through its entry scripts in graph mode on a tiny profile and synthesized plates:
training (falling loss, exact resume), the eval table, MINDIR export with a dynamic batch, ONNX, inference
from ckpt and MINDIR with the Recognizer, and bad inputs as one ``error:`` line."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from conftest import ROOT, assert_onnx_export_matches, run_script
from convtransformer_ocr.src.model_utils.checkpoint import load_into, read_checkpoint
from convtransformer_ocr.src.model_utils.config import MODEL_DIR, load_config
from convtransformer_ocr.src.network import build_network

MODEL = "convtransformer_ocr"
TINY = ["--config_path", "cpu_small.yaml", "--dims", "[8,8,8,8]", "--depths", "[1,1,1,1]", "--embed_dim", "8",
        "--vit_depth", "1", "--num_heads", "2", "--mlp_ratio", "2.0"]
STEPS = 24
TRAIN = ["--max_steps", str(STEPS), "--train_batch_size", "8", "--base_lr", "0.02", "--warmup_steps", "2",
         "--save_checkpoint_steps", "12", "--log_interval", "6"]


def _losses(run_dir) -> list[float]:
    with open(os.path.join(run_dir, "loss.csv"), encoding="utf-8") as f:
        return [float(row["loss"]) for row in csv.DictReader(f)]


@pytest.fixture(scope="module")
def plates(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("plates")
    subprocess.run([sys.executable, "synth_plates.py", "--out", str(out), "--train", "96", "--val", "16",
                    "--seed", "2", "--workers", "2"], cwd=os.path.join(ROOT, MODEL), check=True, capture_output=True)
    return str(out)


@pytest.fixture(scope="module")
def trained(plates, tmp_path_factory) -> dict:
    out = str(tmp_path_factory.mktemp("convtransformer_train"))
    proc = run_script(MODEL, "train.py", *TINY, *TRAIN, "--train_dataset_path", os.path.join(plates, "train"),
                      "--eval_dataset_path", os.path.join(plates, "val"), "--eval_interval", "12", "--save_dir", out)
    return {"dir": out, "log": proc.stdout, "ckpt": os.path.join(out, "ckpt", f"ConvNextViT-{STEPS}.ckpt"),
            "data": plates}


def _network(ckpt: str) -> nn.Cell:
    net = build_network(load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), *TINY[2:]]))
    load_into(net, ckpt)
    net.set_train(False)
    return net


def test_training_loss_falls_and_validation_reports_plate_metrics(trained):
    assert f"step {STEPS}/{STEPS}" in trained["log"] and "validation line_acc" in trained["log"]
    assert "1-CER" in trained["log"] and "per-position" in trained["log"]
    losses = _losses(trained["dir"])
    assert len(losses) == STEPS and np.mean(losses[-4:]) < 0.5 * np.mean(losses[:4])


def test_resume_reproduces_the_uninterrupted_run(trained, tmp_path):
    run_dir = tmp_path / "resumed"
    shutil.copytree(trained["dir"], run_dir)
    os.remove(run_dir / "ckpt" / f"ConvNextViT-{STEPS}.ckpt")
    proc = run_script(MODEL, "train.py", *TINY, *TRAIN, "--train_dataset_path",
                      os.path.join(trained["data"], "train"), "--eval_interval", "0", "--save_dir", str(run_dir),
                      "--resume", "true")
    assert "at step 12" in proc.stdout
    resumed = read_checkpoint(str(run_dir / "ckpt" / f"ConvNextViT-{STEPS}.ckpt"))
    straight = read_checkpoint(trained["ckpt"])
    names = [n for n in straight if n.startswith(("cnn_model.", "vitstr."))]
    assert names and all(np.array_equal(resumed[n].asnumpy(), straight[n].asnumpy()) for n in names)


def test_eval_prints_line_accuracy_cer_and_positions(trained):
    val, train = os.path.join(trained["data"], "val"), os.path.join(trained["data"], "train")
    proc = run_script(MODEL, "eval.py", *TINY, "--checkpoint_path", trained["ckpt"],
                      "--eval_dataset_path", f"{val},{train}")
    lines = proc.stdout.strip().splitlines()
    header = next(n for n, line in enumerate(lines) if line.split()[:2] == ["dataset", "line_acc"])
    assert lines[header].split() == ["dataset", "line_acc", "1-CER", "samples"]
    assert lines[header + 3].split()[0] == "total" and lines[header + 3].split()[-1] == str(16 + 96)
    assert lines[header + 4].split()[:4] == ["per-position", "accuracy", "pos1", "pos2"]


def test_mindir_has_a_dynamic_batch_and_onnx_runs_in_onnxruntime(trained, tmp_path):
    name = str(tmp_path / "tiny")
    run_script(MODEL, "export.py", *TINY, "--checkpoint_path", trained["ckpt"], "--file_name", name)
    graph, net = nn.GraphCell(ms.load(name + ".mindir")), _network(trained["ckpt"])
    rng = np.random.default_rng(0)
    for batch in (1, 3):
        x = ms.Tensor(rng.uniform(size=(batch, 3, 32, 128)).astype(np.float32))
        np.testing.assert_allclose(graph(x).asnumpy(), net(x).asnumpy(), rtol=1e-4, atol=1e-4)
    assert_onnx_export_matches(MODEL, [*TINY, "--checkpoint_path", trained["ckpt"]], net, (2, 3, 32, 128),
                               str(tmp_path))


def test_infer_from_checkpoint_and_mindir_agree_with_the_recognizer(trained, tmp_path):
    from convtransformer_ocr.src.recognizer import Recognizer

    gt = os.path.join(trained["data"], "val", "gt.txt")
    name = str(tmp_path / "m")
    run_script(MODEL, "export.py", *TINY, "--checkpoint_path", trained["ckpt"], "--file_name", name)
    rows = {}
    for model in (trained["ckpt"], name + ".mindir"):
        out = tmp_path / f"{os.path.basename(model)}.tsv"
        proc = run_script(MODEL, "infer.py", *TINY, "--checkpoint_path", model, "--input", gt, "--output", str(out),
                          "--infer_batch_size", "5")
        assert "labelled inputs: line_acc" in proc.stdout
        rows[model] = [line.split("\t")[:2] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows[trained["ckpt"]]) == 16 and rows[trained["ckpt"]] == rows[name + ".mindir"]
    cfg = load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), *TINY[2:]])
    texts = [p.text for p in Recognizer(trained["ckpt"], cfg, batch_size=4).predict([p for p, _ in rows[name + ".mindir"]])]
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
