"""CRNN end to end through its entry scripts in graph mode: training (falling loss), the MMOCR metric table,
MINDIR export with a dynamic batch, ONNX, inference from ckpt and MINDIR (resume is model_utils': checked once,
on the smallest model, and in tests/model_utils)."""
from __future__ import annotations

import os

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from conftest import assert_onnx_export_matches, export_mindir, losses, run_script, train_run
from crnn.src.crnn import CRNN
from crnn.src.model_utils.checkpoint import load_into
from crnn.src.model_utils.config import MODEL_DIR, load_config

SMALL = ["--config_path", "cpu_small.yaml"]
STEPS = 30
TRAIN = ["--train_batch_size", "8", "--base_lr", "0.002", "--warmup_steps", "2", "--save_checkpoint_steps", "15",
         "--log_interval", "5"]


@pytest.fixture(scope="module")
def trained(synth_words, tmp_path_factory) -> dict:
    run = train_run("crnn", tmp_path_factory.mktemp("crnn_train"), STEPS, *SMALL, *TRAIN, "--train_dataset_path",
                    os.path.join(synth_words, "train"), "--eval_dataset_path", os.path.join(synth_words, "val"),
                    "--eval_interval", "15")
    return {**run, "data": synth_words}


@pytest.fixture(scope="module")
def mindir(trained, tmp_path_factory) -> str:
    """The trained checkpoint exported to MINDIR (export.py's default format)."""
    return export_mindir("crnn", trained["ckpt"], tmp_path_factory.mktemp("mindir") / "crnn_small", *SMALL)


def _network(ckpt: str) -> nn.Cell:
    net = CRNN(channels=16, hidden=128)
    load_into(net, ckpt)
    net.set_train(False)
    return net


def test_training_loss_falls_and_validation_uses_mmocr_metrics(trained):
    assert f"step {STEPS}/{STEPS}" in trained["log"] and "word_acc_ignore_case_symbol" in trained["log"]
    curve = losses(trained["dir"])
    assert len(curve) == STEPS and np.mean(curve[-5:]) < 0.7 * np.mean(curve[:5])


def test_eval_prints_mmocr_table_with_average(trained):
    val = os.path.join(trained["data"], "val")
    proc = run_script("crnn", "eval.py", *SMALL, "--checkpoint_path", trained["ckpt"],
                      "--eval_dataset_path", f"{val},{os.path.join(trained['data'], 'train')}")
    lines = proc.stdout.strip().splitlines()
    assert lines[-4].split() == ["dataset", "word_acc", "word_acc_ignore_case", "word_acc_ignore_case_symbol",
                                 "char_recall", "char_precision", "1-N.E.D", "samples"]
    assert lines[-1].split()[0] == "average" and lines[-1].split()[-1] == str(48 + 96)


def test_mindir_has_a_dynamic_batch(trained, mindir):
    graph, net = nn.GraphCell(ms.load(mindir)), _network(trained["ckpt"])
    rng = np.random.default_rng(0)
    for batch in (1, 3):
        x = ms.Tensor(rng.normal(size=(batch, 1, 32, 100)).astype(np.float32))
        np.testing.assert_allclose(graph(x).asnumpy(), net(x).asnumpy(), rtol=1e-4, atol=1e-4)


def test_onnx_export_runs_in_onnxruntime(trained, tmp_path):
    assert_onnx_export_matches("crnn", [*SMALL, "--checkpoint_path", trained["ckpt"]], _network(trained["ckpt"]),
                               (2, 1, 32, 100), str(tmp_path))


def test_infer_from_checkpoint_and_mindir_agree_with_the_recognizer(trained, mindir, tmp_path):
    from crnn.src.recognizer import Recognizer

    gt = os.path.join(trained["data"], "val_images", "gt.txt")
    rows = {}
    for model in (trained["ckpt"], mindir):  # a MINDIR takes 32x100: the checkpoint run resizes so too
        out = tmp_path / f"{os.path.basename(model)}.tsv"
        proc = run_script("crnn", "infer.py", *SMALL, "--checkpoint_path", model, "--input", gt, "--output", str(out),
                          "--infer_batch_size", "3", "--test_keep_ratio", "false")
        assert "labelled inputs: word_acc_ignore_case_symbol" in proc.stdout
        rows[model] = [line.split("\t")[:2] for line in out.read_text().splitlines()]
    assert len(rows[trained["ckpt"]]) == 8 and rows[trained["ckpt"]] == rows[mindir]
    cfg = load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), "--test_keep_ratio", "false"])
    recognizer = Recognizer(trained["ckpt"], cfg, batch_size=5)
    texts = [p.text for p in recognizer.predict([path for path, _ in rows[mindir]])]
    assert texts == [t for _, t in rows[trained["ckpt"]]]
