"""The model zoo's CRNN: V2 equals the official manifest and loads official-style training checkpoints; V1
checkpoints (Ascend DynamicRNN) convert to an nn.LSTM network whose outputs equal a NumPy V1 forward."""
from __future__ import annotations

import json
import os

import cv2
import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from crnn.src.crnn import build_network, label_converter
from crnn.src.data import word_dataset, word_source
from crnn.src.model_utils.checkpoint import CheckpointError, is_train_state, load_into
from crnn.src.model_utils.config import load_config
from crnn.src.official_network import OfficialCRNNV1, OfficialCRNNV2
from crnn.src.official_preprocess import normalize_ops, prepare_image, to_network_input
from crnn.src.official_v1 import V1_DEAD, convert_v1_checkpoint, v1_layout
from crnn.src.preprocess_switch import preprocessing
from lmdb_builder import make_lmdb

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(TESTS, "reference")
OFFICIAL_YAML = os.path.join(os.path.dirname(TESTS), "crnn", "crnn_official.yaml")
DTYPES = {"Float32": np.float32, "Int32": np.int32, "Int64": np.int64}


def _manifest(version: str) -> dict:
    with open(os.path.join(REFERENCE, f"crnn_{version}_official_manifest.json"), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def v1_manifest() -> dict:
    return _manifest("v1")


@pytest.fixture(scope="module")
def v2_manifest() -> dict:
    return _manifest("v2")


@pytest.fixture(scope="module")
def v2_net() -> OfficialCRNNV2:
    return OfficialCRNNV2()


def _random(rng: np.random.Generator, name: str, shape: list, dtype: str = "Float32") -> np.ndarray:
    """Random values that keep activations in a useful range (positive BN variances, He-scaled convs)."""
    if dtype != "Float32":
        return rng.integers(0, 24, size=shape).astype(DTYPES[dtype])
    if name.endswith("moving_variance") or name.endswith("gamma"):
        return rng.uniform(0.5, 1.5, size=shape).astype(np.float32)
    scale = np.sqrt(2.0 / np.prod(shape[1:])) if name.endswith("conv.weight") else 0.1
    return (scale * rng.standard_normal(size=shape)).astype(np.float32)


def _save(path: str, arrays: dict) -> str:
    ms.save_checkpoint([{"name": n, "data": ms.Tensor(v)} for n, v in arrays.items()], path)
    return path


# ---------------------------------------------------------------- (a) V2 = the manifest

def test_v2_names_shapes_and_order_equal_the_manifest(v2_net, v2_manifest):
    ours = [[p.name, list(p.shape), "Float32"] for p in v2_net.get_parameters()]
    assert ours == v2_manifest["params"]
    assert sum(p.size for p in v2_net.get_parameters()) == v2_manifest["total_params"] == 8_338_661
    assert sum(p.size for p in v2_net.trainable_params()) == v2_manifest["total_trainable_params"]


def test_v2_output_is_batch_major_24_steps(v2_net, v2_manifest):
    v2_net.set_train(False)
    x = np.random.default_rng(0).uniform(-1, 1, size=(2, 3, 32, 100)).astype(np.float32)
    out = v2_net(ms.Tensor(x)).asnumpy()
    steps, _, classes = v2_manifest["output_shape"]                   # the zoo's [T, B, C]
    assert out.shape == (2, steps, classes) == (2, 24, 37)
    np.testing.assert_allclose(v2_net(ms.Tensor(x[1:])).asnumpy()[0], out[1], atol=1e-5)


def test_v1_layout_equals_the_v1_manifest(v1_manifest):
    layout = v1_layout(OfficialCRNNV1())
    assert {n: list(s) for n, s in layout.items()} == {n: s for n, s, _ in v1_manifest["params"]}
    assert sum(int(np.prod(s)) for s in layout.values()) == v1_manifest["total_params"] == 8_718_053


def test_official_profile_builds_v2_with_letters_first_and_blank_36(v2_manifest):
    cfg = load_config(["--config_path", OFFICIAL_YAML])
    assert cfg.network == "official_v2" and preprocessing(cfg).prepare_image is prepare_image
    net = build_network(cfg)
    assert isinstance(net, OfficialCRNNV2)
    assert [p.name for p in net.get_parameters()] == [n for n, _, _ in v2_manifest["params"]]
    converter = label_converter(cfg)
    assert converter.num_class == 37 and converter.blank == 36
    assert isinstance(build_network(load_config(["--config_path", OFFICIAL_YAML, "--network", "official_v1",
                                                 "--vgg_channels", "8", "--hidden_size", "16"])), OfficialCRNNV1)


def test_official_preprocessing_is_bgr_32x100_in_minus_1_1(tmp_path):
    rgb = np.zeros((20, 60, 3), np.uint8)
    rgb[..., 0] = 255                                                  # pure red, in RGB order
    ok, png = cv2.imencode(".png", rgb[..., ::-1])                     # cv2 encodes BGR arrays
    assert ok
    image = prepare_image(png.tobytes(), 32, 100)
    assert image.shape == (32, 100, 3) and (image[..., 2] == 255).all() and (image[..., :2] == 0).all()
    x = to_network_input(image)
    assert x.shape == (3, 32, 100) and np.allclose(x[2], 1.0) and np.allclose(x[:2], -1.0)
    piped = image
    for op in normalize_ops():
        piped = op(piped)
    np.testing.assert_allclose(piped, x, atol=1e-6)
    assert prepare_image(b"not an image", 32, 100) is None

    cfg = load_config(["--config_path", OFFICIAL_YAML, "--num_workers", "1"])
    path = make_lmdb(str(tmp_path / "lmdb"), [(png.tobytes(), "red"), (png.tobytes(), "ab12")])
    source = word_source(cfg, [path], label_converter(cfg))
    batch = next(word_dataset(cfg, source, 2).create_tuple_iterator(output_numpy=True))
    assert batch[0].shape == (2, 3, 32, 100)
    np.testing.assert_allclose(batch[0][0], x, atol=1e-6)
    assert list(batch[1][0][:3]) == [17, 4, 3] and list(batch[1][1][:4]) == [0, 1, 27, 28]  # letters first


# ---------------------------------------------------------------- (b) official V2 training checkpoints

def test_official_v2_training_checkpoint_loads_strictly(tmp_path, v2_net, v2_manifest):
    """The zoo's train.py checkpoint: network + SGD state + loss-cell Parameters + counters, random values."""
    rng = np.random.default_rng(1)
    network = {n: _random(rng, n, s) for n, s, _ in v2_manifest["params"]}
    extras = {n: _random(rng, n, s, t) for n, s, t in v2_manifest["train_ckpt_extra"]}
    assert all(is_train_state(n) for n in extras)  # loss-cell Parameters included: labels_indices, sequence_length
    params, ignored = load_into(v2_net, _save(str(tmp_path / "crnn-10_100.ckpt"), {**network, **extras}))
    assert sorted(ignored) == sorted(extras)
    loaded = v2_net.parameters_dict()
    for name in ("vgg.conv1.conv.weight", "vgg.bn1.gamma", "rnn.1.rnn.weight_hh_l0_reverse", "rnn.1.embedding.bias"):
        np.testing.assert_array_equal(loaded[name].asnumpy(), network[name])
        np.testing.assert_array_equal(params[name].asnumpy(), network[name])


# ---------------------------------------------------------------- (c) V1: DynamicRNN -> nn.LSTM

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _dynamic_rnn(x, w, b):
    """NumPy P.DynamicRNN (forget_bias 0): x [T, B, in], w [in + H, 4H], b [4H], gates i, j, f, o -> [T, B, H]."""
    hidden = w.shape[1] // 4
    h = np.zeros((x.shape[1], hidden))
    c = np.zeros_like(h)
    out = []
    for step in x:
        i, j, f, o = np.split(np.concatenate([step, h], 1) @ w + b, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(j)
        h = _sigmoid(o) * np.tanh(c)
        out.append(h)
    return np.stack(out)


def _v1_recurrent(x, ckpt):
    """The zoo's CRNNV1 after the VGG (inference: no dropout): [T, B, 512] -> [T, B, 37]."""
    fw = _dynamic_rnn(x, ckpt["w1"], ckpt["b1"])
    bw = _dynamic_rnn(x[::-1], ckpt["w1_bw"], ckpt["b1_bw"])[::-1]
    y2 = _dynamic_rnn(np.concatenate([fw, bw], 2), ckpt["w2"], ckpt["b2"])  # layer 2: forward only
    return y2 @ ckpt["fc.weight"].T + ckpt["fc.bias"]


def _conv(x, w, pad):
    """x [C, H, W], w [O, C, k, k], stride 1."""
    k = w.shape[-1]
    x = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    height, width = x.shape[1] - k + 1, x.shape[2] - k + 1
    cols = np.stack([x[:, i:i + height, j:j + width] for i in range(k) for j in range(k)], 1)
    return (w.reshape(w.shape[0], -1) @ cols.reshape(-1, height * width)).reshape(-1, height, width)


def _v1_vgg(image, ckpt):
    """The zoo's VGG in inference: [3, 32, 100] -> [512, 1, 24]."""
    x = image.astype(np.float64)
    for n in range(1, 8):
        p = f"vgg.conv{n}."
        x = _conv(x, ckpt[p + "conv.weight"], 0 if n == 7 else 1)
        scale = ckpt[p + "bn.gamma"] / np.sqrt(ckpt[p + "bn.moving_variance"] + 1e-4)
        x = np.maximum((x - ckpt[p + "bn.moving_mean"][:, None, None]) * scale[:, None, None]
                       + ckpt[p + "bn.beta"][:, None, None], 0)
        c, h, w = x.shape
        if n in (1, 2):
            x = x.reshape(c, h // 2, 2, w // 2, 2).max((2, 4))
        elif n in (4, 6):
            x = x.reshape(c, h // 2, 2, w).max(2)
    return x


@pytest.fixture(scope="module")
def v1_checkpoint(v1_manifest) -> dict:
    rng = np.random.default_rng(2)
    return {n: _random(rng, n, s) for n, s, _ in v1_manifest["params"]}


@pytest.fixture(scope="module")
def v1_net(v1_checkpoint, tmp_path_factory) -> OfficialCRNNV1:
    """The nn.LSTM network with the random V1 checkpoint, loaded from a zoo-style training file as every entry
    script loads a checkpoint (converted by the network's ``convert_checkpoint`` hook, dead tensors dropped)."""
    net = OfficialCRNNV1()
    path = _save(str(tmp_path_factory.mktemp("v1") / "crnn_v1.ckpt"),
                 {**v1_checkpoint, "global_step": np.ones(1, np.int32), "sequence_length": np.full(16, 24, np.int32),
                  "accum.w1": np.zeros((768, 1024), np.float32), "epoch_num": np.array(3, np.int64)})
    _, ignored = load_into(net, path)
    assert ignored == sorted(["global_step", "sequence_length", "accum.w1", "epoch_num"])
    net.set_train(False)
    return net


class _Recurrent(nn.Cell):
    def __init__(self, net: OfficialCRNNV1):
        super().__init__()
        self.net = net

    def construct(self, x):
        return self.net.recurrent(x)


def test_v1_recurrent_part_equals_numpy_dynamic_rnn(v1_net, v1_checkpoint):
    x = np.random.default_rng(3).standard_normal((24, 2, 512)).astype(np.float32)
    ours = _Recurrent(v1_net)(ms.Tensor(x)).asnumpy()
    reference = _v1_recurrent(x.astype(np.float64), v1_checkpoint)
    assert ours.shape == (24, 2, 37)
    assert np.abs(ours - reference).max() <= 1e-4
    assert reference.std() > 0.1  # not a trivial (saturated or zero) comparison


def test_v1_whole_network_equals_numpy_on_one_image(v1_net, v1_checkpoint):
    image = np.random.default_rng(4).uniform(-1, 1, size=(3, 32, 100)).astype(np.float32)
    feature = _v1_vgg(image, v1_checkpoint)
    assert feature.shape == (512, 1, 24)
    reference = _v1_recurrent(feature.reshape(512, 24).T[:, None, :], v1_checkpoint)[:, 0]  # [24, 37]
    ours = v1_net(ms.Tensor(image[None])).asnumpy()
    assert ours.shape == (1, 24, 37)
    assert np.abs(ours[0] - reference).max() <= 1e-4


def test_v1_conversion_refuses_unmapped_missing_and_misshaped_keys():
    net = OfficialCRNNV1(channels=8, hidden=16)
    rng = np.random.default_rng(5)
    ckpt = {n: _random(rng, n, list(s)) for n, s in v1_layout(net).items()}
    converted, ignored = convert_v1_checkpoint(ckpt, net)
    assert sorted(converted) == sorted(p.name for p in net.get_parameters()) and ignored == sorted(V1_DEAD)
    assert converted["rnn1.weight_ih_l0"].shape == (64, 64) and not converted["rnn2.bias_hh_l0"].any()

    del ckpt["b1"], ckpt["w2_bw"]                       # a dead key may be absent, a live one may not
    ckpt["w2"] = np.zeros((3, 64), np.float32)
    ckpt["decoder.weight"] = np.zeros(3, np.float32)
    with pytest.raises(CheckpointError) as err:
        convert_v1_checkpoint(ckpt, net, "checkpoint old.ckpt")
    message = str(err.value)
    assert "\n" not in message and "checkpoint old.ckpt is not an official CRNN V1 checkpoint" in message
    assert "1 missing from the file: b1" in message and "1 unmapped: decoder.weight" in message
    assert "1 with another shape: w2: file (3, 64) vs network (48, 64)" in message
