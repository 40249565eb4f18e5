"""Every model folder's shared folders (``src/model_utils``, ``scripts``) are byte-identical, and the sync
script copies and prunes."""
from __future__ import annotations

import glob
import os
import shutil

from conftest import ROOT
from sync_model_utils import differences, model_differences, model_folders, sync, utils_dir
from zoo_registry import FILE, model_names


def test_every_copy_equals_every_other():
    models = model_folders()
    assert models == model_names()
    for model in models:
        assert os.path.isdir(utils_dir(model)), f"{model}/src has no model_utils: run scripts/sync_model_utils.py"
    for a in models:
        for b in models:
            if a < b:
                diffs = model_differences(a, b)
                assert not diffs, (f"{b}'s shared folders differ from {a}'s: {'; '.join(diffs)}\n"
                                   f"run: python scripts/sync_model_utils.py MODEL (the folder you changed)")


def test_sync_copies_changes_and_deletes_stale_files(tmp_path):
    for model in ("cnnctc", "crnn"):  # model folders: a zoo.yaml (the registry) and a src package
        os.makedirs(tmp_path / model / "src")
        shutil.copy(os.path.join(ROOT, model, FILE), tmp_path / model)
    shutil.copytree(utils_dir("cnnctc"), utils_dir("cnnctc", str(tmp_path)))
    stale = os.path.join(utils_dir("crnn", str(tmp_path)), "old_module.py")
    os.makedirs(os.path.dirname(stale))
    with open(stale, "w", encoding="utf-8") as f:
        f.write("# removed upstream\n")
    assert model_folders(str(tmp_path)) == ["cnnctc", "crnn"]
    assert "extra old_module.py" in differences(utils_dir("cnnctc", str(tmp_path)), utils_dir("crnn", str(tmp_path)))
    assert sync("cnnctc", str(tmp_path)) == ["crnn"]
    assert differences(utils_dir("cnnctc", str(tmp_path)), utils_dir("crnn", str(tmp_path))) == []
    assert not os.path.exists(stale)
    assert sync("cnnctc", str(tmp_path)) == []


def test_model_requirements_pin_the_root_versions():
    """Every pin of a model folder's requirements*.txt equals the repository's (requirements*.txt)."""
    def pins(path: str) -> dict[str, str]:
        with open(path, encoding="utf-8") as f:
            lines = [line.split("#")[0].strip() for line in f]
        return dict(line.split("==") for line in lines if line and not line.startswith("-r"))

    def files(folder: str) -> list[str]:
        return sorted(glob.glob(os.path.join(folder, "requirements*.txt")))

    root = {name: version for path in files(ROOT) for name, version in pins(path).items()}
    for model in model_folders():
        assert os.path.isfile(os.path.join(ROOT, model, "requirements.txt")), model
        for path in files(os.path.join(ROOT, model)):
            own = pins(path)
            assert {name: root.get(name) for name in own} == own, f"{path} vs the repository's requirements*.txt"
