"""The generic config keys are stated once, in ``src/model_utils/common.yaml``: every model's
``default_config.yaml`` builds on it and holds only its own values, help texts and keys; the generic choices
are the optimizers and learning-rate schedules that exist; only ``common.yaml`` takes new keys."""
from __future__ import annotations

import glob
import importlib
import os
import shutil

import numpy as np
import pytest
import yaml

from conftest import ROOT
from zoo_registry import FILE, model_names

from cnnctc.src.model_utils.config import COMMON_CONFIG, load_config
from cnnctc.src.model_utils.errors import ConfigError
from cnnctc.src.model_utils.lr_schedule import DECAYS, warmup_lr
from cnnctc.src.model_utils.train_step import OPTIMIZERS

BASE = "src/model_utils/common.yaml"


def documents(path: str) -> tuple[dict, dict, dict]:
    """(values, help texts, choices) of one YAML file as written, without following its base."""
    with open(path, encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    return tuple(docs + [{}] * (3 - len(docs)))


COMMON_VALUES, COMMON_HELPS, COMMON_CHOICES = documents(COMMON_CONFIG)


def test_generic_choices_are_the_schedules_and_optimizers_that_exist():
    assert tuple(COMMON_CHOICES["lr_decay"]) == DECAYS
    assert tuple(COMMON_CHOICES["optimizer"]) == OPTIMIZERS
    for decay in DECAYS:
        lrs = warmup_lr(1.0, 20, 4, 0.5, decay, steps_per_epoch=5)
        assert lrs.shape == (20,) and np.all(np.isfinite(lrs)) and lrs[4] == pytest.approx(1.0), decay
    assert set(COMMON_HELPS) == set(COMMON_VALUES), "every generic key has its help text"


@pytest.mark.parametrize("model", model_names())
def test_model_config_holds_only_its_own(model):
    values, helps, choices = documents(os.path.join(ROOT, model, "default_config.yaml"))
    assert values.pop("base") == BASE
    restated = sorted(k for k, v in values.items() if k in COMMON_VALUES and v == COMMON_VALUES[k])
    assert not restated, f"{model}/default_config.yaml restates generic values of {BASE}: {restated}"
    same_help = sorted(k for k, v in helps.items() if v == COMMON_HELPS.get(k))
    assert not same_help, f"{model}/default_config.yaml repeats generic help texts: {same_help}"
    assert not set(choices) & set(COMMON_CHOICES), f"{model}: the generic choices are {BASE}'s"
    config = importlib.import_module(f"{model}.src.model_utils.config")
    for profile in sorted(glob.glob(os.path.join(ROOT, model, "*.yaml"))):
        if os.path.basename(profile) == FILE:
            continue
        cfg = config.load_config([], default_path=profile)
        assert set(COMMON_VALUES) <= set(vars(cfg)), profile
        assert cfg.choices["lr_decay"] == list(DECAYS) and cfg.choices["optimizer"] == list(OPTIMIZERS), profile


def test_only_common_yaml_takes_new_keys_and_its_nulls_must_be_set(tmp_path):
    os.makedirs(tmp_path / "src" / "model_utils")
    shutil.copy(COMMON_CONFIG, tmp_path / BASE)
    unset = sorted(k for k, v in COMMON_VALUES.items() if v is None)
    assert unset, "common.yaml leaves the per-model keys (data paths, names) to the models"
    own = {"max_label_length": 9, "train_dataset_path": ["a"], "eval_dataset_path": ["b"], "epochs": 2,
           "ckpt_prefix": "m", "file_name": "m"}
    assert sorted(own) == unset
    (tmp_path / "default_config.yaml").write_text(yaml.safe_dump({"base": BASE, "width": 4, **own}))
    cfg = load_config(["--width", "8"], default_path=str(tmp_path / "default_config.yaml"))
    assert cfg.width == 8 and cfg.max_label_length == 9 and cfg.device_target == "Ascend"
    (tmp_path / "profile.yaml").write_text("base: default_config.yaml\nwidht: 3\n")
    with pytest.raises(ConfigError, match="sets keys unknown to its base default_config.yaml: widht"):
        load_config([], default_path=str(tmp_path / "profile.yaml"))
    (tmp_path / "partial.yaml").write_text(f"base: {BASE}\nwidth: 4\nepochs: 2\n")
    with pytest.raises(ConfigError, match="leaves max_label_length, train_dataset_path, eval_dataset_path, "
                                          "ckpt_prefix, file_name unset"):
        load_config([], default_path=str(tmp_path / "partial.yaml"))
