"""CRNN has MMOCR's parameters (names, shapes, 8,331,301 trainable) and T = W / 4 + 1 steps for any width."""
from __future__ import annotations

import json
import os

import mindspore as ms
import numpy as np
import pytest

from crnn.src.crnn import CRNN

MMOCR_KEYS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                          "mmocr_crnn_state_dict_keys.json")  # a copy of ../shared/reference's


def _mmocr_name(name: str) -> str:
    for ours, theirs in (("gamma", "weight"), ("beta", "bias"), ("moving_mean", "running_mean"),
                         ("moving_variance", "running_var")):
        if "batchnorm" in name and name.endswith("." + ours):
            return name[: -len(ours)] + theirs
    return name


def test_parameter_count_equals_mmocr():
    net = CRNN()
    assert sum(p.size for p in net.trainable_params()) == 8_331_301
    assert len(net.trainable_params()) == 40 and len(list(net.get_parameters())) == 46


def test_names_and_shapes_equal_mmocr_state_dict():
    with open(MMOCR_KEYS, encoding="utf-8") as f:
        mmocr = {name: shape for name, shape, _ in json.load(f) if not name.endswith("num_batches_tracked")}
    ours = {_mmocr_name(p.name): list(p.shape) for p in CRNN().get_parameters()}
    assert ours == mmocr


@pytest.mark.parametrize("width", [32, 100, 160])
def test_steps_are_width_over_4_plus_1(width):
    net = CRNN(channels=16, hidden=32)
    net.set_train(False)
    out = net(ms.Tensor(np.zeros((2, 1, 32, width), np.float32)))
    assert out.shape == (2, width // 4 + 1, 37)


def test_cpu_small_is_the_same_architecture_narrower():
    small, full = CRNN(channels=16, hidden=128), CRNN()
    assert [p.name for p in small.get_parameters()] == [p.name for p in full.get_parameters()]
    assert sum(p.size for p in small.trainable_params()) == 918_757
