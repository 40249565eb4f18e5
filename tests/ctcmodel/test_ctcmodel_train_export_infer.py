"""ctcmodel end to end in graph mode: a corpus synthesized in TIMIT's layout -> preprocess_data.py ->
train.py (falling loss, in both padding modes) -> eval.py's table -> export (MINDIR with a dynamic batch,
ONNX) -> infer.py from the checkpoint and the MINDIR, with phone times (resume is model_utils': checked once, on
the smallest model, bucketed sample orders in tests/model_utils/test_sampler.py)."""
from __future__ import annotations

import os

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from conftest import losses, run_script, train_run
from ctcmodel.src.model_utils.checkpoint import load_into
from ctcmodel.src.network import CTCModel

SMALL = ["--config_path", "cpu_small.yaml"]
STEPS = 24
TRAIN = ["--train_batch_size", "4", "--save_checkpoint_steps", "12", "--log_interval", "4", "--bucket_steps", "3"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    """A tiny synthesized TIMIT (3 train speakers, 2 test speakers) and its features."""
    root = tmp_path_factory.mktemp("ctc_corpus")
    timit, features = str(root / "timit"), str(root / "features")
    run_script("ctcmodel", "synth_speech.py", "--out", timit, "--train_speakers", "3", "--test_speakers", "2",
               "--utterances_per_speaker", "4", "--seed", "5", "--workers", "2")
    run_script("ctcmodel", "preprocess_data.py", "--dataset_dir", timit, "--out_dir", features, "--workers", "2")
    return {"timit": timit, "train": os.path.join(features, "train.mindrecord"),
            "test": os.path.join(features, "test.mindrecord"), "lm": os.path.join(features, "phone_bigram.npz")}


def _train(corpus: dict, out, steps: int, *extra: str) -> dict:
    return train_run("ctcmodel", out, steps, *SMALL, *TRAIN, "--train_dataset_path", corpus["train"],
                     "--eval_dataset_path", corpus["test"], "--lm_path", corpus["lm"], *extra)


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory) -> dict:
    return _train(corpus, tmp_path_factory.mktemp("ctc_train"), STEPS, "--eval_interval", "12")


def test_training_loss_falls_and_validation_reports_phone_error_rates(trained):
    assert f"step {STEPS}/{STEPS}" in trained["log"] and "best path, 39 phones: LER" in trained["log"]
    curve = losses(trained["dir"])
    assert len(curve) == STEPS and np.mean(curve[-4:]) < 0.7 * np.mean(curve[:4])


def test_official_full_padding_trains_too(corpus, tmp_path):
    run = _train(corpus, tmp_path, 4, "--pad_mode", "full", "--max_frames", "900", "--eval_interval", "0")
    assert "step 4/4" in run["log"] and len(losses(tmp_path)) == 4


def test_eval_prints_both_decoders_on_61_and_39_phones(corpus, trained):
    proc = run_script("ctcmodel", "eval.py", *SMALL, "--checkpoint_path", trained["ckpt"],
                      "--eval_dataset_path", corpus["test"], "--lm_path", corpus["lm"])
    lines = proc.stdout.strip().splitlines()[-5:]
    assert lines[0].split()[1:] == ["LER", "%", "(kaldi)", "corpus", "LER", "%", "utterances", "empty", "references"]
    assert [" ".join(line.split()[:4]).rstrip(",") for line in lines[1:]] == [
        "best path, 61 phones", "best path, 39 phones", "prefix search, 61 phones", "prefix search, 39 phones"]
    assert all(line.split()[-2:] == ["8", "0"] for line in lines[1:])
    official = run_script("ctcmodel", "eval.py", *SMALL, "--checkpoint_path", trained["ckpt"],
                          "--eval_dataset_path", corpus["test"], "--beam_width", "0", "--ler", "official")
    header, *rows = official.stdout.strip().splitlines()[-3:]
    assert "LER % (official)" in header and [row.split()[-2:] for row in rows] == [["8", "0"], ["8", "0"]]


def _network(ckpt: str) -> nn.Cell:
    net = CTCModel(use_lengths=True)
    load_into(net, ckpt)
    net.set_train(False)
    return net


def test_exports_give_the_network_outputs(trained, tmp_path):
    import onnxruntime

    net = _network(trained["ckpt"])
    rng = np.random.default_rng(0)
    name = str(tmp_path / "ctc")
    for fmt in ("MINDIR", "ONNX"):
        run_script("ctcmodel", "export.py", *SMALL, "--checkpoint_path", trained["ckpt"], "--file_name", name,
                   "--file_format", fmt, "--max_frames", "200", "--export_batch_size", "2")
    graph = nn.GraphCell(ms.load(name + ".mindir"))
    session = onnxruntime.InferenceSession(name + ".onnx", providers=["CPUExecutionProvider"])
    for batch in (1, 2, 3):
        x = rng.normal(size=(batch, 200, 39)).astype(np.float32)
        frames = rng.integers(50, 201, batch).astype(np.int32)
        expected = net(ms.Tensor(x), ms.Tensor(frames)).asnumpy()
        np.testing.assert_allclose(graph(ms.Tensor(x), ms.Tensor(frames)).asnumpy(), expected, atol=1e-4)
        if batch == 2:
            inputs = dict(zip([i.name for i in session.get_inputs()], (x, frames)))
            np.testing.assert_allclose(session.run(None, inputs)[0], expected, atol=1e-4)


def test_infer_gives_phones_with_times_from_checkpoint_and_mindir(corpus, tmp_path):
    """The released checkpoint (a briefly trained one emits no phone yet) and its MINDIR on TEST speech."""
    released = "release/ctcmodel_cpu_small.ckpt"
    wavs = sorted(os.path.join(d, f) for d, _, files in os.walk(os.path.join(corpus["timit"], "TEST"))
                  for f in files if f.endswith(".WAV"))[:3]
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"{w}\t{' '.join(line.split()[2] for line in open(w[:-4] + '.PHN'))}\n"
                               for w in wavs))
    name = str(tmp_path / "ctc")
    run_script("ctcmodel", "export.py", *SMALL, "--checkpoint_path", released, "--file_name", name)
    rows = {}
    for model in (released, name + ".mindir"):
        out = tmp_path / f"{os.path.basename(model)}.tsv"
        proc = run_script("ctcmodel", "infer.py", *SMALL, "--checkpoint_path", model, "--input", str(listing),
                          "--output", str(out), "--infer_batch_size", "2")
        assert "labelled inputs: LER" in proc.stdout
        rows[model] = [line.split("\t") for line in out.read_text().splitlines()]
    assert len(rows[released]) == 3
    for (_, phones, _, timed), (_, phones_mindir, _, _) in zip(rows[released], rows[name + ".mindir"]):
        assert phones == phones_mindir and phones.split()[0] == "h#"
        times = [float(item.rsplit("@", 1)[1]) for item in timed.split()]
        assert [item.rsplit("@", 1)[0] for item in timed.split()] == phones.split() and times == sorted(times)
