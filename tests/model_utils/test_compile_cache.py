"""``model_utils.compile_cache``: infer.py's compile cache folder is one per graph-shaping configuration, a
user's MS_COMPILER_CACHE_ENABLE is left alone, an empty CTC_ZOO_COMPILE_CACHE turns it off; and a cold
infer.py run reuses the cache (same output, a cache folder written)."""
from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from cnnctc.src.model_utils.compile_cache import enable_compile_cache
from conftest import ROOT, run_script


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("MS_COMPILER_CACHE_ENABLE", "MS_COMPILER_CACHE_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CTC_ZOO_COMPILE_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "model.ckpt"
    model.write_bytes(b"weights")
    return str(model)


def _folder(model: str, batch: int = 4, **cfg) -> str:
    path = enable_compile_cache(SimpleNamespace(image_width=100, **{"input": "a.png", **cfg}), model, batch)
    os.environ.pop("MS_COMPILER_CACHE_ENABLE")
    return path


def test_one_folder_per_configuration(env):
    first = _folder(env)
    assert _folder(env) == first and _folder(env, input="b.png", output="o.tsv") == first
    assert _folder(env, batch=8) != first and _folder(env, image_height=64) != first
    assert os.environ["MS_COMPILER_CACHE_PATH"].startswith(os.environ["CTC_ZOO_COMPILE_CACHE"])


def test_left_alone_or_off(env, monkeypatch):
    monkeypatch.setenv("MS_COMPILER_CACHE_ENABLE", "0")
    assert enable_compile_cache(SimpleNamespace(), env, 1) is None and os.environ["MS_COMPILER_CACHE_ENABLE"] == "0"
    monkeypatch.delenv("MS_COMPILER_CACHE_ENABLE")
    monkeypatch.setenv("CTC_ZOO_COMPILE_CACHE", "")
    assert enable_compile_cache(SimpleNamespace(), env, 1) is None and "MS_COMPILER_CACHE_ENABLE" not in os.environ


def test_cold_infer_writes_then_reuses_the_cache(tmp_path, monkeypatch, synth_words):
    monkeypatch.setenv("CTC_ZOO_COMPILE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MS_COMPILER_CACHE_ENABLE", raising=False)
    args = ["--config_path", "cpu_small.yaml", "--checkpoint_path", os.path.join(ROOT, "cnnctc", "release",
            "cnnctc_cpu_small.ckpt"), "--device_target", "CPU", "--input",
            os.path.join(synth_words, "val_images", "word_1.jpg")]
    first = run_script("cnnctc", "infer.py", *args).stdout
    assert len(os.listdir(tmp_path / "cache")) == 1
    assert run_script("cnnctc", "infer.py", *args).stdout == first
