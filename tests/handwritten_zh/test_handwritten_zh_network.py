"""The network against the reference: 17.270 M parameters and 134.513 GFLOPs (within 2 %), 125 x 4059 outputs
for 96 x 2000, W / 16 steps for other widths, graph mode on a narrow profile (training, resume and exports:
test_handwritten_zh_train_export_infer.py)."""
from __future__ import annotations

from types import SimpleNamespace

import mindspore as ms
import numpy as np
import pytest

from handwritten_zh.src.model_utils.flops import count_flops
from handwritten_zh.src.model_utils.errors import ConfigError
from handwritten_zh.src.network import FLOP_RULES, build_network

FULL = SimpleNamespace(charset="charsets/scut_ept.txt", max_label_length=60, stem_channels=32,
                       stage_channels=[64, 128, 256, 512], stage_blocks=[1, 3, 3, 1], image_height=96, bn_momentum=0.9)
NARROW = SimpleNamespace(**{**vars(FULL), "stem_channels": 8, "stage_channels": [16, 32, 64, 128]})


@pytest.fixture(scope="module")
def full_net():
    return build_network(FULL)


@pytest.fixture(scope="module")
def narrow_net():
    net = build_network(NARROW)
    net.set_train(False)
    return net


def test_parameters_within_2_percent_of_the_reference(full_net):
    count = sum(p.size for p in full_net.trainable_params())
    assert count == 17_215_867
    assert abs(count / 17.270e6 - 1) < 0.02


def test_flops_within_2_percent_of_the_reference(full_net):
    flops = count_flops(full_net, (1, 1, 96, 2000), FLOP_RULES)
    assert set(flops) == {"conv", "dense", "batchnorm", "relu", "maxpool", "add"}
    assert flops["dense"] == 125 * 4059 * (2 * 1536 + 1)  # 125 columns of Dense(512 x 3 -> 4059)
    assert abs(sum(flops.values()) / 134.513e9 - 1) < 0.02


def test_full_size_output_is_125_steps_of_4059_classes_in_graph_mode(full_net):
    full_net.set_train(False)
    assert full_net(ms.Tensor(np.zeros((1, 1, 96, 2000), np.float32))).shape == (1, 125, 4059)


@pytest.mark.parametrize("batch,width", [(2, 64), (1, 160), (3, 480)])
def test_steps_are_width_over_16(narrow_net, batch, width):
    x = np.random.default_rng(width).uniform(0, 255, (batch, 1, 96, width)).astype(np.float32)
    assert narrow_net(ms.Tensor(x)).shape == (batch, width // 16, 4059)


def test_narrow_profile_is_the_same_architecture(full_net, narrow_net):
    assert [p.name for p in narrow_net.get_parameters()] == [p.name for p in full_net.get_parameters()]
    assert sum(p.size for p in narrow_net.trainable_params()) == 2_250_883


@pytest.mark.parametrize("changes", [{"stage_blocks": [1, 3, 3]}, {"image_height": 80}])
def test_inconsistent_widths_are_a_config_error(changes):
    with pytest.raises(ConfigError):
        build_network(SimpleNamespace(**{**vars(NARROW), **changes}))
