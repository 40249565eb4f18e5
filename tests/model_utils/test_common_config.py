"""The generic config keys are stated once, in ``src/model_utils/common.yaml`` (every model's) and
``image_models.yaml`` (the image models', over it): every model's ``default_config.yaml`` builds on one of them and
holds only its own values, help texts and keys; the generic choices are the optimizers and learning-rate
schedules that exist; only the generic files take new keys."""
from __future__ import annotations

import glob
import importlib
import os
import shutil

import numpy as np
import pytest
import yaml

from conftest import ROOT
from zoo_registry import FILE, model_names, models

from cnnctc.src.model_utils.config import COMMON_CONFIG, load_config
from cnnctc.src.model_utils.errors import ConfigError
from cnnctc.src.model_utils.lr_schedule import DECAYS, warmup_lr
from cnnctc.src.model_utils.train_step import OPTIMIZERS

BASE = "src/model_utils/common.yaml"
IMAGE_BASE = "src/model_utils/image_models.yaml"


def documents(path: str) -> tuple[dict, dict, dict]:
    """(values, help texts, choices) of one YAML file as written, without following its base."""
    with open(path, encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    return tuple(docs + [{}] * (3 - len(docs)))


COMMON_VALUES, COMMON_HELPS, COMMON_CHOICES = documents(COMMON_CONFIG)


def generic(base: str) -> tuple[dict, dict, dict]:
    """(values, help texts, choices) of the generic file ``base`` with those of its base."""
    values, helps, choices = documents(os.path.join(ROOT, "cnnctc", base))
    if values.pop("base", None) is None:
        return values, helps, choices
    assert base == IMAGE_BASE and os.path.basename(COMMON_CONFIG) == "common.yaml"
    return {**COMMON_VALUES, **values}, {**COMMON_HELPS, **helps}, {**COMMON_CHOICES, **choices}


def test_generic_choices_are_the_schedules_and_optimizers_that_exist():
    assert tuple(COMMON_CHOICES["lr_decay"]) == DECAYS
    assert tuple(COMMON_CHOICES["optimizer"]) == OPTIMIZERS
    for decay in DECAYS:
        lrs = warmup_lr(1.0, 20, 4, 0.5, decay, steps_per_epoch=5)
        assert lrs.shape == (20,) and np.all(np.isfinite(lrs)) and lrs[4] == pytest.approx(1.0), decay
    for base in (BASE, IMAGE_BASE):
        values, helps, _ = generic(base)
        assert set(helps) == set(values), f"every key of {base} has its help text"


@pytest.mark.parametrize("model", model_names())
def test_model_config_holds_only_its_own(model):
    values, helps, choices = documents(os.path.join(ROOT, model, "default_config.yaml"))
    base = values.pop("base")
    assert base in (BASE, IMAGE_BASE)
    base_values, base_helps, base_choices = generic(base)
    restated = sorted(k for k, v in values.items() if k in base_values and v == base_values[k])
    assert not restated, f"{model}/default_config.yaml restates generic values of {base}: {restated}"
    same_help = sorted(k for k, v in helps.items() if v == base_helps.get(k))
    assert not same_help, f"{model}/default_config.yaml repeats generic help texts: {same_help}"
    assert not set(choices) & set(base_choices), f"{model}: the generic choices are {base}'s"
    config = importlib.import_module(f"{model}.src.model_utils.config")
    for profile in sorted(glob.glob(os.path.join(ROOT, model, "*.yaml"))):
        if os.path.basename(profile) == FILE:
            continue
        cfg = config.load_config([], default_path=profile)
        assert set(base_values) <= set(vars(cfg)), profile
        assert cfg.choices["lr_decay"] == list(DECAYS) and cfg.choices["optimizer"] == list(OPTIMIZERS), profile


def test_image_models_share_their_generic_keys():
    """Augmentation runs in every image model's pipeline (tests/model_utils/test_augment.py): its keys are
    image_models.yaml's, which every model but the speech one builds on."""
    values, _, _ = documents(os.path.join(ROOT, "cnnctc", IMAGE_BASE))
    assert values.pop("base") == os.path.basename(COMMON_CONFIG)
    assert {"num_workers", "augment", "augment_skip"} <= set(values) and not set(values) & set(COMMON_VALUES)
    for entry in models():
        base = documents(os.path.join(ROOT, entry.name, "default_config.yaml"))[0]["base"]
        assert base == (BASE if entry.input_kind == "speech" else IMAGE_BASE), entry.name


def test_only_generic_files_take_new_keys_and_common_nulls_must_be_set(tmp_path):
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
