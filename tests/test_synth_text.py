"""scripts/synth_text.py: MJSynth LMDB layout, determinism, and train/val splits without shared words or fonts."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import lmdb
import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import synth_text  # noqa: E402


def synthesize(out: str, workers: int, train: int = 40, val: int = 20) -> None:
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "synth_text.py"), "--out", out,
                    "--train", str(train), "--val", str(val), "--seed", "7", "--workers", str(workers),
                    "--export_val_images", "0"], check=True, capture_output=True)


def read_lmdb(path: str) -> list[tuple[bytes, str]]:
    env = lmdb.open(path, readonly=True, lock=False)
    with env.begin() as txn:
        count = int(txn.get(b"num-samples"))
        items = [(txn.get(b"image-%09d" % i), txn.get(b"label-%09d" % i).decode("utf-8"))
                 for i in range(1, count + 1)]
        assert txn.get(b"image-%09d" % 0) is None and txn.get(b"image-%09d" % (count + 1)) is None
    env.close()
    return items


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    one, two = str(tmp_path_factory.mktemp("w1")), str(tmp_path_factory.mktemp("w2"))
    synthesize(one, workers=1)
    synthesize(two, workers=2)
    return one, two


def test_layout_is_mjsynth_lmdb(two_runs):
    train = read_lmdb(os.path.join(two_runs[0], "train"))
    assert len(train) == 40
    for data, label in train:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape[0] == 32 and image.shape[2] == 3
        assert label.isalnum() and 1 <= len(label) <= 13


def test_output_does_not_depend_on_worker_count(two_runs):
    for split in ("train", "val"):
        assert read_lmdb(os.path.join(two_runs[0], split)) == read_lmdb(os.path.join(two_runs[1], split))


def test_splits_share_no_word_and_no_font(two_runs):
    train = {label.lower() for _, label in read_lmdb(os.path.join(two_runs[0], "train"))}
    val = {label.lower() for _, label in read_lmdb(os.path.join(two_runs[0], "val"))}
    assert not train & val
    assert all(synth_text.word_split(w) == "val" for w in val)
    with open(os.path.join(two_runs[0], "split.json"), encoding="utf-8") as f:
        fonts = json.load(f)["fonts"]
    families = {s: {name.split(" (")[0] for name in fonts[s]} for s in ("train", "val")}
    assert families["train"] and families["val"] and not families["train"] & families["val"]


def test_font_split_keeps_families_together_and_drops_non_text_faces():
    fonts = [synth_text.Font(f"/f/{fam}-{style}.ttf", 0, fam) for fam in "ABCDEFGHIJ" for style in ("R", "B")]
    split = synth_text.split_fonts(fonts, seed=0)
    assert len(split["val"]) == 4 and len(split["train"]) == 16
    assert not {f.family for f in split["val"]} & {f.family for f in split["train"]}
    odd = [synth_text.Font(f"/f/{fam}.otf", 0, fam) for fam in ("Standard Symbols PS", "D050000L",
                                                                 "Linux Biolinum Keyboard O")]
    with_odd = synth_text.split_fonts(fonts + odd, seed=0)
    assert not any(synth_text.NON_TEXT_FAMILIES.search(f.family) for s in with_odd.values() for f in s)


def test_clean_style_is_dark_text_on_light_flat_background(tmp_path):
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "synth_text.py"), "--out", str(tmp_path),
                    "--train", "12", "--val", "0", "--style", "clean", "--export_val_images", "0"],
                   check=True, capture_output=True)
    for data, _ in read_lmdb(os.path.join(str(tmp_path), "train")):
        gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE).astype(np.float32)
        assert np.percentile(gray, 90) > 190 and gray.min() < 90
