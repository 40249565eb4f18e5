"""ConvNextViT has ModelScope's parameters (names up to LayerNorm's gamma/beta, shapes, 19,177,980 trainable),
gives 201 steps for a 32x804 line and 75 for one window, stitches each line's windows in graph mode, and
exports to MINDIR with a dynamic batch."""
from __future__ import annotations

import json
import os
import re

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from conftest import ROOT
from convtransformer_ocr.src.model_utils.config import load_config
from convtransformer_ocr.src.model_utils.errors import ConfigError
from convtransformer_ocr.src.network import build_network, input_shape, output_steps, window_plan

KEYS = os.path.join(ROOT, "tests", "reference", "modelscope_convnextvit_state_dict_keys.json")
DEFAULT_CONFIG = os.path.join(ROOT, "convtransformer_ocr", "default_config.yaml")
TORCH_LAYER_NORM = {"gamma": "weight", "beta": "bias"}
SMALL = ["--depths", "1,1,1,1", "--dims", "8,8,16,16", "--embed_dim", "12", "--vit_depth", "2", "--num_classes", "0"]


def _config(*overrides: str):
    return load_config(list(overrides), default_path=DEFAULT_CONFIG)


def _small(line_width: int):
    net = build_network(_config(*SMALL, "--line_width", str(line_width)))
    net.set_train(False)
    return net


def _modelscope_names(params) -> dict:
    """Our names with LayerNorm's gamma/beta as PyTorch's weight/bias (a LayerNorm has both; a layer scale
    ``gamma`` alone keeps its name)."""
    names = {p.name for p in params}

    def theirs(name: str) -> str:
        stem, _, leaf = name.rpartition(".")
        if {f"{stem}.gamma", f"{stem}.beta"} <= names:
            return f"{stem}.{TORCH_LAYER_NORM[leaf]}"
        return name

    return {theirs(p.name): list(p.shape) for p in params}


def test_default_config_is_modelscopes_network():
    net = build_network(_config())
    params = list(net.get_parameters())
    assert sum(p.size for p in net.trainable_params()) == 19_177_980
    assert len(params) == len(net.trainable_params()) == 321
    with open(KEYS, encoding="utf-8") as f:
        assert _modelscope_names(params) == {name: shape for name, shape, _ in json.load(f)}
    assert input_shape(_config()) == (3, 32, 804)


def test_modelscope_windows_and_kept_steps():
    assert window_plan(804, 300, 48) == ((0, 0, 69), (252, 6, 69), (504, 6, 75))
    assert window_plan(300, 300, 48) == ((0, 0, 75),)
    assert output_steps(804, 300, 48) == 201 and output_steps(300, 300, 48) == 75


@pytest.mark.parametrize("line_width, window_width, overlap", [(800, 300, 48), (804, 302, 48), (804, 300, 44),
                                                               (200, 300, 48), (804, 300, 300)])
def test_windows_that_cannot_tile_the_line_are_a_config_error(line_width, window_width, overlap):
    with pytest.raises(ConfigError, match="cannot tile"):
        window_plan(line_width, window_width, overlap)


@pytest.mark.parametrize("key, value", [("depths", "3,3,8"), ("dims", "96,192,x,512"), ("num_heads", "5"),
                                        ("num_classes", "10")])
def test_bad_network_settings_are_config_errors_naming_the_key(key, value):
    with pytest.raises(ConfigError, match=f"--{key}"):
        build_network(_config(f"--{key}", value))


@pytest.mark.parametrize("line_width, steps", [(804, 201), (552, 138), (300, 75)])
def test_graph_mode_output_is_batch_steps_classes(line_width, steps):
    assert ms.get_context("mode") == ms.GRAPH_MODE
    out = _small(line_width)(ms.Tensor(np.random.default_rng(0).random((2, 3, 32, line_width), np.float32)))
    assert out.shape == (2, steps, 74)


def test_a_long_line_is_its_windows_read_alone_and_stitched():
    """Each line of a batch gets the steps its own windows give when read one at a time: [0:69] of the window
    at x = 0, [6:69] of the one at x = 252, [6:75] of the one at x = 504."""
    line_net, window_net = _small(804), _small(300)
    ms.load_param_into_net(window_net, {p.name: p for p in line_net.get_parameters()}, strict_load=True)
    rng = np.random.default_rng(1)
    lines = rng.random((3, 3, 32, 804), np.float32) * np.linspace(0.2, 1.0, 804, dtype=np.float32)
    stitched = line_net(ms.Tensor(lines)).asnumpy()
    for left, first, end, at in ((0, 0, 69, 0), (252, 6, 69, 69), (504, 6, 75, 132)):
        alone = window_net(ms.Tensor(np.ascontiguousarray(lines[..., left:left + 300]))).asnumpy()
        np.testing.assert_allclose(stitched[:, at:at + end - first], alone[:, first:end], rtol=1e-5, atol=1e-5)
    assert np.abs(stitched[0] - stitched[1]).max() > 1e-3


def test_mindir_export_has_a_dynamic_batch(tmp_path):
    net = _small(804)
    ms.export(net, ms.Tensor(shape=[None, *input_shape(_config())], dtype=ms.float32),
              file_name=str(tmp_path / "small"), file_format="MINDIR")
    graph = nn.GraphCell(ms.load(str(tmp_path / "small.mindir")))
    for batch in (1, 3):
        x = ms.Tensor(np.random.default_rng(batch).random((batch, 3, 32, 804), np.float32))
        np.testing.assert_allclose(graph(x).asnumpy(), net(x).asnumpy(), rtol=1e-5, atol=1e-5)


def test_layer_scale_init_sets_every_block_gamma():
    """``layer_scale_init``: ConvNeXt's 1e-6 by default (ModelScope), 1.0 for the shallow plate profile."""
    for config, value in (("default_config.yaml", 1e-6), ("cpu_small.yaml", 1.0)):
        cfg = load_config(["--config_path", os.path.join(ROOT, "convtransformer_ocr", config), "--vit_depth", "1"])
        gammas = [p.asnumpy() for p in build_network(cfg).cnn_model.get_parameters()
                  if re.search(r"stages\.\d+\.\d+\.gamma$", p.name)]
        assert len(gammas) == sum(cfg.depths) and all(np.allclose(g, value) for g in gammas)
