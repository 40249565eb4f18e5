"""ctcmodel checkpoints of MindSpore <= 1.5 on Ascend (``lstm.weight_fw0`` ..., DynamicRNN layout) convert to
``CTCModel`` parameters whose logits equal a NumPy forward of the legacy cell; the CLI refuses broken files in one
line; the entry scripts load legacy files directly (the network's hook); official >= 1.6 training checkpoints (names
of ``CTCModel`` plus Adam state) load unchanged."""
from __future__ import annotations

import mindspore as ms
import numpy as np
import pytest

from conftest import run_script
from ctcmodel.src.legacy import convert_legacy, is_legacy, legacy_shapes
from ctcmodel.src.model_utils.checkpoint import load_into, load_params, read_checkpoint
from ctcmodel.src.model_utils.errors import CheckpointError
from ctcmodel.src.network import CTCModel

INPUT, HIDDEN, LAYERS, CLASSES = 39, 128, 2, 62
STEPS, LENGTHS = 10, (10, 7)
OPTIMIZER_EXTRAS = {"beta1_power": np.float32(0.9), "beta2_power": np.float32(0.99),
                    "global_step": np.array([3000], np.int32), "learning_rate": np.full(30, 5e-3, np.float32),
                    "labels_indices": np.zeros((48, 2), np.int64)}


def _save(path, arrays: dict) -> str:
    ms.save_checkpoint([{"name": n, "data": ms.Tensor(v)} for n, v in arrays.items()], str(path))
    return str(path)


def _with_adam_state(params: dict) -> dict:
    moments = {f"{kind}.{n}": np.zeros_like(v) for kind in ("moment1", "moment2") for n, v in params.items()}
    return {**params, **moments, **OPTIMIZER_EXTRAS}


@pytest.fixture(scope="module")
def legacy() -> dict:
    """Random weights in MindSpore 1.3's Ascend layout (float16 LSTM tensors, as nn.LSTM created them)."""
    rng = np.random.default_rng(0)
    bound = 1 / np.sqrt(HIDDEN)
    params = {n: rng.uniform(-bound, bound, shape).astype(np.float16)
              for n, shape in legacy_shapes(HIDDEN, LAYERS, INPUT).items()}
    params["embedding.weight"] = rng.normal(0, 0.1, (CLASSES, 2 * HIDDEN)).astype(np.float32)
    params["embedding.bias"] = rng.normal(0, 0.1, CLASSES).astype(np.float32)
    return params


@pytest.fixture(scope="module")
def legacy_file(legacy, tmp_path_factory) -> str:
    return _save(tmp_path_factory.mktemp("legacy") / "ctcmodel_ascend_v130.ckpt", _with_adam_state(legacy))


@pytest.fixture(scope="module")
def features() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(len(LENGTHS), STEPS, INPUT)).astype(np.float32)


@pytest.fixture(scope="module")
def net() -> CTCModel:
    return CTCModel(INPUT, HIDDEN, CLASSES, LAYERS, use_lengths=False)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _dynamic_rnn(x: np.ndarray, w: np.ndarray, b: np.ndarray, forget_bias: float) -> np.ndarray:
    """P.DynamicRNN over time-major x [T, B, in]: gates [x, h] @ w + b in the order i, j, f, o."""
    h = c = np.zeros((x.shape[1], HIDDEN), np.float64)
    out = []
    for x_t in x:
        i, j, f, o = np.split(np.concatenate([x_t, h], 1) @ w + b, 4, axis=1)
        c = _sigmoid(f + forget_bias) * c + _sigmoid(i) * np.tanh(j)
        h = _sigmoid(o) * np.tanh(c)
        out.append(h)
    return np.stack(out)


def _legacy_logits(params: dict, features: np.ndarray, forget_bias: float) -> np.ndarray:
    """The MindSpore 1.3 Ascend network: per layer, forward and whole-axis-reversed backward DynamicRNN, outputs
    concatenated; then the embedding per frame, zeroed past each length."""
    x = features.transpose(1, 0, 2).astype(np.float64)
    for layer in range(LAYERS):
        run = {d: (params[f"lstm.weight_{d}{layer}"].astype(np.float64), params[f"lstm.bias_{d}{layer}"])
               for d in ("fw", "bw")}
        x = np.concatenate([_dynamic_rnn(x, *run["fw"], forget_bias),
                            _dynamic_rnn(x[::-1], *run["bw"], forget_bias)[::-1]], 2)
    logits = x.transpose(1, 0, 2) @ params["embedding.weight"].T + params["embedding.bias"]
    return logits * (np.arange(STEPS)[None, :, None] < np.array(LENGTHS)[:, None, None])


def _logits(net: CTCModel, features: np.ndarray) -> np.ndarray:
    return net(ms.Tensor(features), ms.Tensor(np.array(LENGTHS, np.int32))).asnumpy()


def test_detector_tells_legacy_names():
    assert is_legacy(legacy_shapes(HIDDEN, LAYERS, INPUT))
    assert is_legacy(["lstm.weight", "embedding.weight"])  # MindSpore <= 1.5 GPU/CPU
    assert not is_legacy(p.name for p in CTCModel().get_parameters())
    assert not is_legacy(["moment1.lstm.weight_fw0"])


def test_legacy_file_loads_with_the_logits_of_the_legacy_cell(net, legacy, legacy_file, features):
    _, ignored = load_into(net, legacy_file)  # the network's convert_checkpoint hook converts it
    assert sorted(ignored) == sorted(set(_with_adam_state(legacy)) - set(legacy))
    np.testing.assert_allclose(_logits(net, features), _legacy_logits(legacy, features, 0.0), rtol=0, atol=1e-4)


def test_forget_bias_is_folded_into_the_f_gate(net, legacy, features):
    converted = convert_legacy(legacy, HIDDEN, LAYERS, INPUT, forget_bias=1.0)
    load_params(net, {n: ms.Parameter(ms.Tensor(v), name=n) for n, v in converted.items()}, "converted")
    np.testing.assert_allclose(_logits(net, features), _legacy_logits(legacy, features, 1.0), rtol=0, atol=1e-4)


def test_wrong_shapes_and_flat_weights_are_refused(legacy):
    broken = {**legacy, "lstm.bias_bw1": np.zeros(4 * HIDDEN + 1, np.float16)}
    with pytest.raises(CheckpointError,
                       match=r"1 with another shape: lstm.bias_bw1: file \(513,\) vs network \(512,\)"):
        convert_legacy(broken, HIDDEN, LAYERS, INPUT)
    with pytest.raises(CheckpointError, match="flat GPU/CPU LSTM weight"):
        convert_legacy({"lstm.weight": np.zeros((10, 1, 1), np.float32)}, HIDDEN, LAYERS, INPUT)


def test_cli_writes_a_strictly_loadable_checkpoint(legacy, legacy_file, tmp_path):
    dst = str(tmp_path / "converted.ckpt")
    run_script("ctcmodel", "convert_legacy.py", legacy_file, dst)
    _, ignored = load_into(CTCModel(use_lengths=False), dst)
    assert ignored == []
    saved = {n: p.asnumpy() for n, p in read_checkpoint(dst).items()}
    expected = convert_legacy(legacy, HIDDEN, LAYERS, INPUT)
    assert sorted(saved) == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(saved[name], value, err_msg=name)



def test_entry_scripts_take_a_legacy_file_directly(legacy, legacy_file, tmp_path):
    """export.py (as eval.py, infer.py and --pretrained: model_utils' load_into) converts through the network's
    hook: its network-only checkpoint holds the converted weights."""
    name = str(tmp_path / "network")
    run_script("ctcmodel", "export.py", "--device_target", "CPU", "--checkpoint_path", legacy_file,
               "--file_format", "CKPT", "--file_name", name)
    saved = {n: p.asnumpy() for n, p in read_checkpoint(name + ".ckpt").items()}
    for n, value in convert_legacy(legacy, HIDDEN, LAYERS, INPUT).items():
        np.testing.assert_array_equal(saved[n], value, err_msg=n)

def test_cli_refuses_an_unmapped_name_in_one_line(legacy, tmp_path):
    src = _save(tmp_path / "broken.ckpt", {**legacy, "lstm.weight_fw2": np.zeros((384, 512), np.float16)})
    proc = run_script("ctcmodel", "convert_legacy.py", src, str(tmp_path / "out.ckpt"), check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "1 unmapped: lstm.weight_fw2" in lines[0], lines
    assert not (tmp_path / "out.ckpt").exists()


def test_official_names_with_training_extras_load_unchanged(tmp_path):
    rng = np.random.default_rng(2)
    params = {p.name: rng.normal(0, 0.1, p.shape).astype(np.float32) for p in CTCModel().get_parameters()}
    path = _save(tmp_path / "ctcmodel_official_train.ckpt", _with_adam_state(params))
    loaded = CTCModel(use_lengths=False)
    _, ignored = load_into(loaded, path)
    assert sorted(ignored) == sorted(set(_with_adam_state(params)) - set(params))
    for p in loaded.get_parameters():
        np.testing.assert_array_equal(p.asnumpy(), params[p.name], err_msg=p.name)
