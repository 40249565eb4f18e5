"""handwritten_zh end to end through its entry scripts in graph mode on synthesized lines: training (falling
loss; resume is model_utils': checked once, on the smallest model), the metric table, exports (the reference's
fixed 2000-px input at cpu_small's height 64: 1328 px, any width, time-major, ONNX), inference from ckpt and
MINDIR with alternatives and designated characters (hub load: tests/test_hub.py)."""
from __future__ import annotations

import os
import subprocess
import sys

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from conftest import ROOT, assert_onnx_export_matches, export_mindir, losses, run_script, train_run
from handwritten_zh.src.model_utils.checkpoint import load_into
from handwritten_zh.src.model_utils.config import MODEL_DIR, load_config
from handwritten_zh.src.network import build_network

SMALL = ["--config_path", "cpu_small.yaml"]
STEPS = 30
TRAIN = ["--train_batch_size", "8", "--base_lr", "0.002", "--warmup_steps", "2",
         "--save_checkpoint_steps", "15", "--log_interval", "5", "--bucket_steps", "3", "--width_step", "256"]


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> str:
    """Synthesized lines of 2 to 5 characters: train 64, val 16 (a held-out font)."""
    out = str(tmp_path_factory.mktemp("hw_lines"))
    subprocess.run([sys.executable, os.path.join(ROOT, "handwritten_zh", "synth_lines.py"), "--out", out,
                    "--train", "64", "--val", "16", "--seed", "5", "--workers", "2", "--min_chars", "2",
                    "--max_chars", "5"], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def trained(lines, tmp_path_factory) -> dict:
    run = train_run("handwritten_zh", tmp_path_factory.mktemp("hw_train"), STEPS, *SMALL, *TRAIN,
                    "--train_dataset_path", os.path.join(lines, "train", "gt.txt"), "--eval_dataset_path",
                    os.path.join(lines, "val", "gt.txt"), "--eval_interval", "15")
    return {**run, "data": lines}


@pytest.fixture(scope="module")
def mindir(trained, tmp_path_factory) -> str:
    """The trained checkpoint exported to MINDIR (export.py's default: the fixed 1328-px width)."""
    return export_mindir("handwritten_zh", trained["ckpt"], tmp_path_factory.mktemp("mindir") / "fixed", *SMALL)


def _cfg(*args: str):
    return load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), *args])


def _network(ckpt: str) -> nn.Cell:
    net = build_network(_cfg())
    load_into(net, ckpt)
    net.set_train(False)
    return net


def test_training_loss_falls_and_validation_prints_one_minus_cer(trained):
    assert f"step {STEPS}/{STEPS}" in trained["log"] and "validation 1-CER" in trained["log"]
    curve = losses(trained["dir"])
    assert len(curve) == STEPS and np.mean(curve[-5:]) < 0.7 * np.mean(curve[:5])


def test_eval_table_has_the_reference_metric_and_a_total(trained):
    val, train = (os.path.join(trained["data"], split, "gt.txt") for split in ("val", "train"))
    proc = run_script("handwritten_zh", "eval.py", *SMALL, "--checkpoint_path", trained["ckpt"],
                      "--eval_dataset_path", f"{val},{train}")
    lines = proc.stdout.strip().splitlines()
    assert lines[-4].split() == ["dataset", "1-CER", "line_acc", "lines", "characters", "too_wide"]
    total = lines[-1].split()
    assert total[0] == "total" and total[3] == str(16 + 64) and total[5] == "0"


def test_exports_fixed_width_any_width_and_time_major(trained, mindir, tmp_path):
    net, rng = _network(trained["ckpt"]), np.random.default_rng(0)
    dynamic, time_major = (str(tmp_path / name) for name in ("dynamic", "time_major"))
    run_script("handwritten_zh", "export.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--file_name", dynamic,
               "--export_width", "0")
    run_script("handwritten_zh", "export.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--file_name",
               time_major, "--export_time_major", "true")
    x = ms.Tensor(rng.uniform(0, 255, (2, 1, 64, 1328)).astype(np.float32))
    expected = net(x).asnumpy()
    assert expected.shape == (2, 83, 4059)
    np.testing.assert_allclose(nn.GraphCell(ms.load(mindir))(x).asnumpy(), expected, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(nn.GraphCell(ms.load(time_major + ".mindir"))(x).asnumpy(),
                               expected.transpose(1, 0, 2), rtol=1e-4, atol=1e-3)
    graph = nn.GraphCell(ms.load(dynamic + ".mindir"))
    for batch, width in ((1, 128), (3, 320)):
        x = ms.Tensor(rng.uniform(0, 255, (batch, 1, 64, width)).astype(np.float32))
        np.testing.assert_allclose(graph(x).asnumpy(), net(x).asnumpy(), rtol=1e-4, atol=1e-3)
    proc = run_script("handwritten_zh", "export.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--file_name",
                      dynamic, "--export_width", "0", "--file_format", "ONNX", check=False)
    assert proc.returncode != 0 and proc.stderr.strip().startswith("error: ONNX export needs a fixed input shape")


def test_onnx_export_runs_in_onnxruntime(trained, tmp_path):
    assert_onnx_export_matches("handwritten_zh", [*SMALL, "--checkpoint_path", trained["ckpt"], "--export_width",
                                                  "128"], _network(trained["ckpt"]), (2, 1, 64, 128), str(tmp_path))


def test_infer_from_checkpoint_and_mindir_agree_and_list_alternatives(trained, mindir, tmp_path):
    from handwritten_zh.src.recognizer import Recognizer

    gt = os.path.join(trained["data"], "val", "gt.txt")
    rows = {}
    for model in (trained["ckpt"], mindir):  # the MINDIR pads to 1328 px: so does the checkpoint run
        out = tmp_path / f"{os.path.basename(model)}.tsv"
        proc = run_script("handwritten_zh", "infer.py", *SMALL, "--checkpoint_path", model, "--input", gt,
                          "--output", str(out), "--infer_batch_size", "3", "--pad_to_max_width", "true")
        assert "labelled inputs: 1-CER" in proc.stdout
        rows[model] = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows[trained["ckpt"]]) == 16
    assert [r[:2] for r in rows[trained["ckpt"]]] == [r[:2] for r in rows[mindir]]
    for path, text, _, *details in rows[trained["ckpt"]]:
        assert len(details[0].split(" ")) == len(text) if text else not details
    recognizer = Recognizer(trained["ckpt"], _cfg(), batch_size=5, pad_to_max_width=True)
    assert [p.text for p in recognizer.predict([r[0] for r in rows[trained["ckpt"]]])] == \
        [r[1] for r in rows[trained["ckpt"]]]
    designated = tmp_path / "chars.txt"
    designated.write_text("的一", encoding="utf-8")
    restricted = Recognizer(trained["ckpt"], _cfg(), designated_characters=str(designated))
    assert all(set(p.text) <= set("的一") for p in restricted.predict([r[0] for r in rows[trained["ckpt"]]]))


def test_too_wide_lines_are_reported_not_recognised(trained):
    from handwritten_zh.src.recognizer import Recognizer

    wide = np.full((64, 1400), 230, np.uint8)  # 1400 px at height 64: more than max_width 1328
    prediction = Recognizer(trained["ckpt"], _cfg()).predict([wide])[0]
    assert prediction.text == "" and prediction.details.startswith("skipped: 1400 px wide")

