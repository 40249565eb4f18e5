"""End to end through the entry scripts in graph mode: train, resume, eval, export, infer (bad inputs:
tests/test_bad_inputs.py)."""
from __future__ import annotations

import os
import pathlib
import shutil

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from cnnctc.src.model_utils.checkpoint import load_into, read_checkpoint
from cnnctc.src.cnn_ctc import CNNCTC
from cnnctc.src.model_utils.errors import ConfigError, UsageError
from conftest import assert_onnx_export_matches, assert_resume_reproduces, export_mindir, losses, run_script, train_run

SMALL = ["--config_path", "cpu_small.yaml"]
STEPS = 24


@pytest.fixture(scope="module")
def trained(synth_words, tmp_path_factory) -> dict:
    run = train_run("cnnctc", tmp_path_factory.mktemp("train"), STEPS, *SMALL,
                    "--train_dataset_path", os.path.join(synth_words, "train"),
                    "--eval_dataset_path", os.path.join(synth_words, "val"),
                    "--train_batch_size", "8", "--base_lr", "0.001", "--warmup_steps", "2",
                    "--save_checkpoint_steps", "12", "--eval_interval", "12", "--log_interval", "4")
    return {**run, "data": synth_words}


@pytest.fixture(scope="module")
def mindir(trained, tmp_path_factory) -> str:
    """The trained checkpoint exported to MINDIR (export.py's default format)."""
    return export_mindir("cnnctc", trained["ckpt"], tmp_path_factory.mktemp("mindir") / "cnnctc_small", *SMALL)


def test_training_logs_progress_and_loss_goes_down(trained):
    log = trained["log"]
    assert f"step {STEPS}/{STEPS}" in log and "img/s" in log and "ETA" in log
    assert "validation accuracy" in log and "model_utils " in log
    curve = losses(trained["dir"])
    assert len(curve) == STEPS
    # measured 0.65-0.71 of the first losses (the ratio moves with the CPU threads MindSpore gets: 1 or 2 cores)
    assert np.mean(curve[-6:]) < 0.8 * np.mean(curve[:6])
    assert os.path.getsize(os.path.join(trained["dir"], "loss.png")) > 1000
    assert os.path.isfile(os.path.join(trained["dir"], "best.ckpt"))


def test_checkpoint_holds_optimizer_state(trained):
    params = read_checkpoint(trained["ckpt"])
    assert int(params["global_step"].asnumpy().reshape(-1)[0]) == STEPS
    assert any(name.startswith("moment1.") for name in params)
    assert int(params["step"].asnumpy()) == STEPS
    assert not [f for f in os.listdir(os.path.join(trained["dir"], "ckpt")) if f.startswith(".tmp")]


def test_resume_continues_step_count_and_state(trained, tmp_path):
    """Resume is model_utils' (fit, the sampler): checked end to end here, on the smallest model, once.  Same
    weights, optimizer state and samples as the uninterrupted run: the same losses."""
    resumed = assert_resume_reproduces("cnnctc", trained, 12, tmp_path / "resumed", "--eval_interval", "0")
    assert "step 4/" not in resumed["log"] and f"step {STEPS}/{STEPS}" in resumed["log"]
    params = read_checkpoint(resumed["ckpt"])
    assert int(params["global_step"].asnumpy().reshape(-1)[0]) == STEPS


def test_resume_keeps_the_best_checkpoint_and_its_score(trained, tmp_path):
    """best.ckpt records its score; after --resume a worse evaluation does not replace it."""
    run_dir = tmp_path / "resumed_best"
    shutil.copytree(trained["dir"], run_dir)
    os.remove(run_dir / "ckpt" / f"CNNCTC-{STEPS}.ckpt")
    best = read_checkpoint(str(run_dir / "best.ckpt"))
    assert 0.0 <= float(best["best_score"].asnumpy()) <= 1.0 and int(best["step"].asnumpy()) in (12, STEPS)
    unbeatable = [{"name": n, "data": p} for n, p in best.items() if n != "best_score"]
    ms.save_checkpoint(unbeatable + [{"name": "best_score", "data": ms.Tensor(2.0, ms.float32)}],
                       str(run_dir / "best.ckpt"))
    before = (run_dir / "best.ckpt").stat().st_mtime_ns
    resumed = train_run("cnnctc", run_dir, STEPS, *trained["args"], "--resume", "true")
    assert f"step {STEPS}: validation accuracy" in resumed["log"]
    assert "best validation score 2.0000" in resumed["log"]
    assert (run_dir / "best.ckpt").stat().st_mtime_ns == before


def test_eval_prints_a_table(trained):
    proc = run_script("cnnctc", "eval.py", *SMALL, "--checkpoint_path", trained["ckpt"],
                      "--eval_dataset_path", os.path.join(trained["data"], "val"), "--eval_batch_size", "32")
    lines = proc.stdout.strip().splitlines()
    assert lines[-2].split() == ["dataset", "word", "acc", "1-N.E.D", "samples"]
    assert lines[-1].split()[-1] == "48"  # one dataset: no total row


def _network(ckpt: str) -> nn.Cell:
    net = CNNCTC(output_channel=128, bn_momentum=0.9)
    load_into(net, ckpt)
    net.set_train(False)
    return net


def test_mindir_export_has_a_dynamic_batch(trained, mindir):
    graph = nn.GraphCell(ms.load(mindir))
    net = _network(trained["ckpt"])
    rng = np.random.default_rng(0)
    for batch in (1, 5):
        x = ms.Tensor(rng.normal(size=(batch, 3, 32, 100)).astype(np.float32))
        np.testing.assert_allclose(graph(x).asnumpy(), net(x).asnumpy(), rtol=1e-4, atol=1e-4)


def test_onnx_export_runs_in_onnxruntime_and_keeps_the_folder_mode(trained, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o775)
    assert_onnx_export_matches("cnnctc", [*SMALL, "--checkpoint_path", trained["ckpt"]], _network(trained["ckpt"]),
                               (4, 3, 32, 100), str(folder))
    assert folder.stat().st_mode & 0o777 == 0o775  # MindSpore's ONNX export would leave it 0700


def test_infer_from_checkpoint_and_mindir_agree(trained, mindir, tmp_path):
    gt = os.path.join(trained["data"], "val_images", "gt.txt")
    out_ckpt, out_mindir = tmp_path / "ckpt.tsv", tmp_path / "mindir.tsv"
    proc = run_script("cnnctc", "infer.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--input", gt,
                      "--output", str(out_ckpt), "--infer_batch_size", "4")
    assert "labelled inputs: accuracy" in proc.stdout and "recognized" in proc.stdout
    run_script("cnnctc", "infer.py", *SMALL, "--checkpoint_path", mindir,
               "--input", os.path.join(trained["data"], "val_images"), "--output", str(out_mindir))
    rows_ckpt = [line.split("\t") for line in out_ckpt.read_text().splitlines()]
    rows_mindir = [line.split("\t") for line in out_mindir.read_text().splitlines()]
    assert len(rows_ckpt) == len(rows_mindir) == 8
    assert [r[0] for r in rows_ckpt] == [r[0] for r in rows_mindir]  # word_1..word_8 in both
    assert [r[1] for r in rows_ckpt] == [r[1] for r in rows_mindir]


def test_recognizer_api_matches_network(trained):
    from cnnctc.src.model_utils.config import MODEL_DIR, load_config
    from cnnctc.src.model_utils.ctc import CTCLabelConverter
    from cnnctc.src.preprocess import to_network_input
    from cnnctc.src.model_utils.images import read_image
    from cnnctc.src.recognizer import Recognizer

    folder = os.path.join(trained["data"], "val_images")
    paths = sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".jpg"))
    cfg = load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml")])
    rec = Recognizer(trained["ckpt"], cfg, batch_size=3)
    predictions = rec.predict(paths[:4] + [pathlib.Path(p) for p in paths[4:]])
    net = _network(trained["ckpt"])
    logits = net(ms.Tensor(np.stack([to_network_input(read_image(p, 3), 32, 100) for p in paths]))).asnumpy()
    expected = CTCLabelConverter("0123456789abcdefghijklmnopqrstuvwxyz", 13).decode(logits)
    assert [p.text for p in predictions] == [t for t, _ in expected]
    np.testing.assert_allclose([p.confidence for p in predictions], [c for _, c in expected], rtol=1e-4)
    # the same images as other unambiguous arrays: float in [0, 1], uint16, RGBA
    rgb = [read_image(p, 3) for p in paths[:3]]
    as_float = rec.predict([i.astype(np.float32) / 255 for i in rgb])
    as_uint16 = rec.predict([i.astype(np.uint16) * 257 for i in rgb])
    as_rgba = rec.predict([np.dstack([i, np.full(i.shape[:2], 255, np.uint8)]) for i in rgb])
    assert [p.text for p in as_float] == [p.text for p in as_uint16] == [p.text for p in as_rgba] == \
        [p.text for p in predictions[:3]]
    with pytest.raises(UsageError, match=r"image 0: a float image must hold values in \[0, 1\]"):
        rec.predict([rgb[0].astype(np.float32)])
    with pytest.raises(ConfigError, match="Recognizer: unknown config keys colour"):
        Recognizer(trained["ckpt"], cfg, colour="red")


def test_infer_keeps_command_line_overrides(trained):
    """--output_channel reaches the network infer.py builds: the trained checkpoint no longer fits it."""
    proc = run_script("cnnctc", "infer.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--output_channel", "64",
                      "--input", os.path.join(trained["data"], "val_images"), check=False)
    assert proc.returncode == 2 and "does not fit the network" in proc.stderr


def test_ckpt_export_strips_the_training_state(trained, tmp_path):
    run_script("cnnctc", "export.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--file_format", "CKPT",
               "--file_name", str(tmp_path / "release"))
    net = CNNCTC(output_channel=128, bn_momentum=0.9)
    params, ignored = load_into(net, str(tmp_path / "release.ckpt"))
    assert ignored == [] and len(params) == len(net.parameters_dict())
