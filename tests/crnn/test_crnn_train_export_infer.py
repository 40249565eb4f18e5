"""CRNN end to end through its entry scripts in graph mode: training (falling loss, exact resume), the MMOCR
metric table, MINDIR export with a dynamic batch, ONNX, inference from ckpt and MINDIR."""
from __future__ import annotations

import csv
import os
import shutil

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from conftest import assert_onnx_export_matches, run_script
from crnn.src.crnn import CRNN
from crnn.src.model_utils.checkpoint import load_into
from crnn.src.model_utils.config import MODEL_DIR, load_config

SMALL = ["--config_path", "cpu_small.yaml"]
STEPS = 30
TRAIN = ["--max_steps", str(STEPS), "--train_batch_size", "8", "--base_lr", "0.002", "--warmup_steps", "2",
         "--save_checkpoint_steps", "15", "--log_interval", "5"]


def _losses(run_dir) -> list[float]:
    with open(os.path.join(run_dir, "loss.csv"), encoding="utf-8") as f:
        return [float(row["loss"]) for row in csv.DictReader(f)]


@pytest.fixture(scope="module")
def trained(synth_words, tmp_path_factory) -> dict:
    out = str(tmp_path_factory.mktemp("crnn_train"))
    proc = run_script("crnn", "train.py", *SMALL, *TRAIN, "--train_dataset_path", os.path.join(synth_words, "train"),
                      "--eval_dataset_path", os.path.join(synth_words, "val"), "--eval_interval", "15",
                      "--save_dir", out)
    return {"dir": out, "log": proc.stdout, "ckpt": os.path.join(out, "ckpt", f"CRNN-{STEPS}.ckpt"),
            "data": synth_words}


def _network(ckpt: str) -> nn.Cell:
    net = CRNN(channels=16, hidden=128)
    load_into(net, ckpt)
    net.set_train(False)
    return net


def test_training_loss_falls_and_validation_uses_mmocr_metrics(trained):
    assert f"step {STEPS}/{STEPS}" in trained["log"] and "word_acc_ignore_case_symbol" in trained["log"]
    losses = _losses(trained["dir"])
    assert len(losses) == STEPS and np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])


def test_resume_reproduces_the_uninterrupted_run(trained, tmp_path):
    run_dir = tmp_path / "resumed"
    shutil.copytree(trained["dir"], run_dir)
    os.remove(run_dir / "ckpt" / f"CRNN-{STEPS}.ckpt")
    proc = run_script("crnn", "train.py", *SMALL, *TRAIN, "--train_dataset_path",
                      os.path.join(trained["data"], "train"), "--eval_interval", "0", "--save_dir", str(run_dir),
                      "--resume", "true")
    assert "at step 15" in proc.stdout
    np.testing.assert_allclose(_losses(run_dir)[15:], _losses(trained["dir"])[15:], rtol=1e-3)


def test_eval_prints_mmocr_table_with_average(trained):
    val = os.path.join(trained["data"], "val")
    proc = run_script("crnn", "eval.py", *SMALL, "--checkpoint_path", trained["ckpt"],
                      "--eval_dataset_path", f"{val},{os.path.join(trained['data'], 'train')}")
    lines = proc.stdout.strip().splitlines()
    assert lines[-4].split() == ["dataset", "word_acc", "word_acc_ignore_case", "word_acc_ignore_case_symbol",
                                 "char_recall", "char_precision", "1-N.E.D", "samples"]
    assert lines[-1].split()[0] == "average" and lines[-1].split()[-1] == str(48 + 96)


def test_mindir_has_a_dynamic_batch(trained, tmp_path):
    name = str(tmp_path / "crnn_small")
    run_script("crnn", "export.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--file_name", name)
    graph, net = nn.GraphCell(ms.load(name + ".mindir")), _network(trained["ckpt"])
    rng = np.random.default_rng(0)
    for batch in (1, 3):
        x = ms.Tensor(rng.normal(size=(batch, 1, 32, 100)).astype(np.float32))
        np.testing.assert_allclose(graph(x).asnumpy(), net(x).asnumpy(), rtol=1e-4, atol=1e-4)


def test_onnx_export_runs_in_onnxruntime(trained, tmp_path):
    assert_onnx_export_matches("crnn", [*SMALL, "--checkpoint_path", trained["ckpt"]], _network(trained["ckpt"]),
                               (2, 1, 32, 100), str(tmp_path))


def test_infer_from_checkpoint_and_mindir_agree_with_the_recognizer(trained, tmp_path):
    from crnn.src.recognizer import Recognizer

    gt = os.path.join(trained["data"], "val_images", "gt.txt")
    name = str(tmp_path / "m")
    run_script("crnn", "export.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--file_name", name)
    rows = {}
    for model in (trained["ckpt"], name + ".mindir"):  # a MINDIR takes 32x100: the checkpoint run resizes so too
        out = tmp_path / f"{os.path.basename(model)}.tsv"
        proc = run_script("crnn", "infer.py", *SMALL, "--checkpoint_path", model, "--input", gt, "--output", str(out),
                          "--infer_batch_size", "3", "--test_keep_ratio", "false")
        assert "labelled inputs: word_acc_ignore_case_symbol" in proc.stdout
        rows[model] = [line.split("\t")[:2] for line in out.read_text().splitlines()]
    assert len(rows[trained["ckpt"]]) == 8 and rows[trained["ckpt"]] == rows[name + ".mindir"]
    cfg = load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), "--test_keep_ratio", "false"])
    recognizer = Recognizer(trained["ckpt"], cfg, batch_size=5)
    texts = [p.text for p in recognizer.predict([path for path, _ in rows[name + ".mindir"]])]
    assert texts == [t for _, t in rows[trained["ckpt"]]]
