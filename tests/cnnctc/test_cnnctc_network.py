"""The network matches the official zoo manifest, and official-style checkpoints load strictly."""
from __future__ import annotations

import json
import os

import mindspore as ms
import numpy as np
import pytest

from cnnctc.src.model_utils.checkpoint import CheckpointError, load_into, save_atomic
from cnnctc.src.cnn_ctc import CNNCTC

MANIFEST = os.path.join(os.path.dirname(os.path.dirname(__file__)), "reference", "cnnctc_official_manifest.json")


@pytest.fixture(scope="module")
def manifest() -> dict:
    with open(MANIFEST, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def official_net() -> CNNCTC:
    return CNNCTC()


def test_parameter_names_shapes_and_order_match_manifest(official_net, manifest):
    ours = [[p.name, list(p.shape), "Float32"] for p in official_net.get_parameters()]
    assert ours == manifest["params"]
    assert sum(p.size for p in official_net.get_parameters()) == manifest["total_params"] == 44308229
    trainable = sum(p.size for p in official_net.trainable_params())
    assert trainable == manifest["total_trainable_params"]


def test_output_is_batch_major_logits(official_net, manifest):
    official_net.set_train(False)
    out = official_net(ms.Tensor(np.random.default_rng(0).normal(size=[2, 3, 32, 100]).astype(np.float32)))
    assert list(out.shape) == [2] + manifest["output_shape"][1:]


def test_cpu_small_is_the_same_architecture_at_quarter_width():
    small = CNNCTC(output_channel=128)
    assert sum(p.size for p in small.get_parameters()) == 2782301
    names = [p.name for p in small.get_parameters()]
    assert names == [p.name for p in CNNCTC().get_parameters()]


def test_official_training_checkpoint_loads_without_missing_or_unexpected(tmp_path, official_net, manifest):
    """A file with the manifest's tensors plus the zoo train.py extras (RMSProp state, lr) loads strictly."""
    rng = np.random.default_rng(1)
    entries = [{"name": n, "data": ms.Tensor(rng.normal(size=s).astype(np.float32))} for n, s, _ in manifest["params"]]
    for name, shape, _ in manifest["train_ckpt_extra"]:
        dtype = np.int32 if name == "global_step" else np.float32
        entries.append({"name": name, "data": ms.Tensor(np.zeros(shape, dtype))})
    path = str(tmp_path / "cnnctc_ascend_v111_offical_cv_bs192_acc85.ckpt")
    ms.save_checkpoint(entries, path)

    params, ignored = load_into(official_net, path)
    assert len(ignored) == len(manifest["train_ckpt_extra"])
    first = manifest["params"][0][0]
    np.testing.assert_array_equal(official_net.parameters_dict()[first].asnumpy(), params[first].asnumpy())


def test_wrong_architecture_checkpoint_is_refused_with_names(tmp_path):
    small = CNNCTC(output_channel=128)
    path = save_atomic(small, str(tmp_path / "small.ckpt"))
    with pytest.raises(CheckpointError, match="another shape.*conv0_1.weight"):
        load_into(CNNCTC(), path)


def test_missing_and_unexpected_keys_are_listed(tmp_path):
    net = CNNCTC(output_channel=128)
    entries = [{"name": p.name, "data": p.data} for p in net.get_parameters() if "Prediction" not in p.name]
    entries.append({"name": "decoder.weight", "data": ms.Tensor(np.zeros(3, np.float32))})
    path = str(tmp_path / "partial.ckpt")
    ms.save_checkpoint(entries, path)
    with pytest.raises(CheckpointError) as err:
        load_into(net, path)
    assert "2 missing from the file: Prediction.bias, Prediction.weight" in str(err.value)
    assert "1 unmapped: decoder.weight" in str(err.value)


def test_unreadable_checkpoint_is_a_clear_error(tmp_path):
    path = tmp_path / "garbage.ckpt"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="cannot read checkpoint .*garbage.ckpt"):
        load_into(CNNCTC(output_channel=128), str(path))
    with pytest.raises(CheckpointError, match="does not exist"):
        load_into(CNNCTC(output_channel=128), str(tmp_path / "absent.ckpt"))
