"""The model registry (scripts/zoo_registry.py): every model folder's zoo.yaml is valid and used, and a sixth
model joins by its own folder alone (a copy of the smallest model under a new name, no training)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from hub_conf.card import find_card
from sync_model_utils import model_differences, model_folders
from test_bad_inputs import CASE_SETS, KINDS
from zoo_registry import FILE, INPUT_KINDS, PARTS, model, model_names, models, problems

REGISTRY = os.path.join(ROOT, "scripts", "zoo_registry.py")


def _copy_model(source: str, root: Path, name: str, order: int) -> Path:
    """``source``'s folder copied to ``root/name`` with its zoo.yaml renamed: what a new model starts from."""
    folder = root / name
    shutil.copytree(os.path.join(ROOT, source), folder,
                    ignore=shutil.ignore_patterns("__pycache__", "output*", "data", "train_parallel*"))
    text = (folder / FILE).read_text(encoding="utf-8")
    (folder / FILE).write_text(text.replace(f"name: {source}\n", f"name: {name}\n")
                               .replace(f"order: {model(source).order}\n", f"order: {order}\n"), encoding="utf-8")
    return folder


def test_every_model_folder_is_in_the_registry_and_valid():
    with_parts = sorted(n for n in os.listdir(ROOT) if os.path.isfile(os.path.join(ROOT, n, PARTS)))
    assert sorted(model_names()) == with_parts
    assert {n: problems(os.path.join(ROOT, n)) for n in model_names()} == {n: [] for n in model_names()}
    assert len({m.order for m in models()}) == len(models())


def test_registry_keys_name_what_scripts_and_tests_know():
    assert set(KINDS) == set(INPUT_KINDS)
    for entry in models():
        assert set(entry.bad_input_cases) <= set(CASE_SETS), entry.name
        assert find_card(entry.hub_uid).folder.rsplit("/", 1)[-1] == entry.name
        assert entry.torch_twin is None or os.path.isfile(os.path.join(ROOT, entry.name, entry.torch_twin))


def test_a_sixth_model_is_found_through_its_folder_alone(tmp_path):
    smallest = model_names()[0]
    _copy_model(smallest, tmp_path, smallest, model(smallest).order)
    _copy_model(smallest, tmp_path, "sixth_model", 6)
    assert model_names(str(tmp_path)) == [smallest, "sixth_model"]
    entry = model("sixth_model", str(tmp_path))
    assert entry.checkpoint_prefix == model(smallest).checkpoint_prefix and entry.input_kind in KINDS
    assert set(entry.bad_input_cases) <= set(CASE_SETS)
    assert model_folders(str(tmp_path)) == [smallest, "sixth_model"]
    assert model_differences(smallest, "sixth_model", str(tmp_path)) == []
    check = subprocess.run([sys.executable, REGISTRY, "--check", "--root", str(tmp_path)], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0 and check.stdout == "2 models, every zoo.yaml valid\n", check.stdout + check.stderr
    (tmp_path / "scripts").mkdir()
    shutil.copy(os.path.join(ROOT, "scripts", "quickstart.sh"), tmp_path / "scripts")
    unknown = subprocess.run(["bash", str(tmp_path / "scripts" / "quickstart.sh"), "--model", "absent"],
                             capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and f"(one with a zoo.yaml): {smallest}, sixth_model, got 'absent'" in unknown.stderr


WRONG = [
    (lambda t: t.replace("name: sixth_model\n", "name: other\n"), "is not the folder's name"),
    (lambda t: t.replace("synthesizer:", "synth:"), "missing key 'synthesizer'"),
    (lambda t: t.replace("synthesizer: ", "synthesizer: absent_"), "absent_synth_words.py is missing"),
    (lambda t: t + "colour: blue\n", "unknown key 'colour'"),
    (lambda t: t.replace("input_kind: words", "input_kind: video"), "input_kind must be one of"),
    (lambda t: t.replace("order: 6", "order: six"), "'order' must be of type int"),
    (lambda t: t.replace("hub_uid: ", "hub_uid:   "), "'hub_uid' must be a plain"),
    (lambda t: t.replace("release: release/", "release: nowhere/"), "nowhere/cnnctc_cpu_small.ckpt is missing"),
    (lambda t: t.replace("accuracy_floor:", "# accuracy_floor:"), "a words model needs 'accuracy_floor'"),
]


@pytest.mark.parametrize("mutate,message", WRONG, ids=[message for _, message in WRONG])
def test_a_wrong_zoo_yaml_is_reported(tmp_path, mutate, message):
    folder = _copy_model(model_names()[0], tmp_path, "sixth_model", 6)
    (folder / FILE).write_text(mutate((folder / FILE).read_text(encoding="utf-8")), encoding="utf-8")
    found = problems(str(folder))
    assert any(message in p for p in found), found
    with pytest.raises(ValueError, match=message):
        model("sixth_model", str(tmp_path))
