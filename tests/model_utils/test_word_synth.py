"""model_utils.word_synth (the word models' synth_words.py): MJSynth LMDB layout, determinism, splits without
shared words or font designs, the out-of-distribution renderer kept apart from training, the sample sheet."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import lmdb
import numpy as np
import pytest

from cnnctc.src.model_utils import word_synth, word_text
from zoo_registry import synthesizer


def synthesize(out: str, workers: int, train: int = 40, val: int = 20, ood: int = 12) -> None:
    subprocess.run([sys.executable, synthesizer("words"), "--out", out,
                    "--train", str(train), "--val", str(val), "--ood", str(ood), "--seed", "7",
                    "--workers", str(workers), "--export_val_images", "0"], check=True, capture_output=True)


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
    for split in ("train", "val", "ood"):
        assert read_lmdb(os.path.join(two_runs[0], split)) == read_lmdb(os.path.join(two_runs[1], split))


def test_splits_share_no_word_and_no_font(two_runs):
    train = {label.lower() for _, label in read_lmdb(os.path.join(two_runs[0], "train"))}
    val = {label.lower() for _, label in read_lmdb(os.path.join(two_runs[0], "val"))}
    assert not train & val
    assert all(word_synth.word_split(w) == "val" for w in val)
    with open(os.path.join(two_runs[0], "split.json"), encoding="utf-8") as f:
        fonts = json.load(f)["fonts"]
    designs = {s: {word_synth.design(name.split(" (")[0]) for name in fonts[s]} for s in ("train", "val", "ood")}
    assert designs["train"] and designs["val"] and len(designs["ood"]) >= 10
    assert not designs["train"] & (designs["val"] | designs["ood"]) and not designs["val"] & designs["ood"]
    assert designs["ood"] <= set(word_synth.OOD_DESIGNS)


def test_ood_set_is_val_words_with_a_gt_txt(two_runs, tmp_path):
    ood = read_lmdb(os.path.join(two_runs[0], "ood"))
    assert len(ood) == 12 and all(word_synth.word_split(label) == "val" for _, label in ood)
    for data, label in ood:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert image.shape[0] == 32 and label.isalnum()
    synthesize(str(tmp_path), workers=1, train=0, val=0, ood=5)
    with open(tmp_path / "ood_images" / "gt.txt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    assert [label for _, label in rows] == [label for _, label in ood[:5]]
    assert all(os.path.isfile(tmp_path / "ood_images" / name) for name, _ in rows)


def test_training_never_uses_the_ood_renderer_nor_ood_fonts(tmp_path, monkeypatch):
    """Train and val are made with the OOD renderer broken; the OOD set with the training renderer broken."""
    def broken(*_):
        raise AssertionError("wrong renderer")

    drawn = []
    real_init = word_synth.WordRenderer.__init__

    def spy(self, fonts, *rest):
        drawn.extend(fonts)
        real_init(self, fonts, *rest)

    monkeypatch.setattr(word_synth.OodWordRenderer, "render", broken)
    monkeypatch.setattr(word_synth.WordRenderer, "__init__", spy)
    word_synth.main(["--out", str(tmp_path / "a"), "--train", "8", "--val", "4", "--workers", "1",
                     "--export_val_images", "0"])
    assert drawn and not {word_synth.design(f.family) for f in drawn} & set(word_synth.OOD_DESIGNS)
    monkeypatch.undo()
    monkeypatch.setattr(word_synth.WordRenderer, "render", broken)
    word_synth.main(["--out", str(tmp_path / "b"), "--train", "0", "--val", "0", "--ood", "4", "--workers", "1"])
    assert len(read_lmdb(str(tmp_path / "b" / "ood"))) == 4


def test_preview_writes_a_sample_sheet(tmp_path):
    sheet = tmp_path / "sheet.png"
    word_synth.main(["--out", str(tmp_path / "unused"), "--preview", str(sheet)])
    image = cv2.imread(str(sheet))
    assert image is not None and image.shape[1] == 1200 and image.shape[0] > 600
    assert not os.path.exists(tmp_path / "unused")


def test_text_has_three_cases_numbers_and_symbols_labels_keep_letters_and_digits():
    rng = np.random.default_rng(0)
    texts = [word_text.sample_text(rng, ["word", "scene", "text"], "train", 13) for _ in range(2000)]
    labels = [word_text.label_of(t) for t in texts]
    assert all(label.isalnum() and 1 <= len(label) <= 13 for label in labels)
    share = lambda test: sum(map(test, texts)) / len(texts)  # noqa: E731
    assert 0.3 < share(str.islower) and 0.15 < share(str.isupper) and 0.15 < share(str.istitle)
    assert 0.1 < share(lambda t: any(c.isdigit() for c in t)) < 0.3
    assert 0.08 < share(lambda t: t != word_text.label_of(t)) < 0.3  # punctuation attached


def test_a_design_groups_its_family_names():
    assert {word_synth.design(n) for n in ("Go", "Go Mono", "Go Medium")} == {"Go"}
    assert {word_synth.design(n) for n in ("Clear Sans", "Clear Sans Light", "Courier Prime Sans")} == {
        "Clear Sans", "Courier Prime"}
    assert word_synth.design("PT Serif Caption") == "PT Serif" != word_synth.design("PT Sans")
    assert {word_synth.design(n) for n in ("Beteckna", "BetecknaGS", "BetecknaGSCondensed")} == {"Beteckna"}
    assert word_synth.design("DejaVu Sans Mono") == word_synth.design("DejaVu Serif")
    assert word_synth.design("LXGW WenKai") == "LXGW WenKai" and word_synth.design("mononoki") == "mononoki"


def test_font_split_keeps_families_together_and_drops_non_text_faces():
    fonts = [word_synth.Font(f"/f/{fam}-{style}.ttf", 0, fam) for fam in "ABCDEFGHIJ" for style in ("R", "B")]
    split = word_synth.split_fonts(fonts, seed=0)
    assert len(split["val"]) == 4 and len(split["train"]) == 16
    assert not {f.family for f in split["val"]} & {f.family for f in split["train"]}
    odd = [word_synth.Font(f"/f/{fam}.otf", 0, fam) for fam in ("Standard Symbols PS", "D050000L",
                                                                 "Linux Biolinum Keyboard O", "Berenis ADF Pro Math")]
    with_odd = word_synth.split_fonts(fonts + odd, seed=0)
    assert not any(word_synth.NON_TEXT_FAMILIES.search(f.family) for s in with_odd.values() for f in s)


def test_clean_style_is_dark_text_on_light_flat_background(tmp_path):
    subprocess.run([sys.executable, synthesizer("words"), "--out", str(tmp_path),
                    "--train", "12", "--val", "0", "--style", "clean", "--export_val_images", "0"],
                   check=True, capture_output=True)
    for data, _ in read_lmdb(os.path.join(str(tmp_path), "train")):
        gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE).astype(np.float32)
        assert np.percentile(gray, 90) > 190 and gray.min() < 90
