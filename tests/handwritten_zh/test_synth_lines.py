"""handwritten_zh/synth_lines.py and its parts: the same bytes whatever the worker count, disjoint train/val/ood font
families, the out-of-distribution renderer kept apart from training, pen-drawn lines, labels of charset characters
that the drawing face has, 96 px gray lines of dark ink on light paper, the corpus split and the frequency mix of
the text sampler, the sample sheet, one ``error:`` line for bad arguments."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from conftest import ROOT, run_script
from handwritten_zh.src.charset import label_converter
from handwritten_zh.src.line_source import LineSource
from handwritten_zh.src.handwriting import FAMILIES, HEIGHT, FontSet, GlyphCache, discover_faces, render_line
from handwritten_zh.src.ood_lines import OOD_FAMILIES, trace
from handwritten_zh.src.pen import PenStyle, draw_glyph, skeleton
from handwritten_zh.src.preprocess import prepare_line
from handwritten_zh.src.model_utils.charset import read_charset
from handwritten_zh.src.zh_text import FORTUNE_FILES, TextSampler, corpus_runs, line_split, uniform_line

MODEL = os.path.join(ROOT, "handwritten_zh")
CHARSET = read_charset(os.path.join(MODEL, "charsets", "scut_ept.txt"))
ARGS = ("--train", "24", "--val", "8", "--ood", "6", "--seed", "5", "--min_chars", "3", "--max_chars", "7")
SPLITS = ("train", "val", "ood")
COUNTS = {"train": 24, "val": 8, "ood": 6}


def _files(folder: str) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def _gt(folder: str, split: str) -> list[tuple[str, str]]:
    with open(os.path.join(folder, split, "gt.txt"), encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f]


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> str:
    """A tiny output made with 2 workers."""
    out = str(tmp_path_factory.mktemp("synth_hw") / "out")
    run_script("handwritten_zh", "synth_lines.py", "--out", out, *ARGS, "--workers", "2")
    return out


@pytest.fixture(scope="module")
def train_faces():
    faces = discover_faces()
    return [f for f in faces if f.family != "LXGW WenKai"]


def test_same_seed_same_bytes_with_one_or_two_workers(synth, tmp_path):
    one = str(tmp_path / "one")
    run_script("handwritten_zh", "synth_lines.py", "--out", one, *ARGS, "--workers", "1")
    two, other = _files(synth), _files(one)
    assert len(two) == 24 + 8 + 6 + 7 and two.keys() == other.keys()  # images, 3 gt.txt, 3 fonts.txt, manifest
    assert [name for name in two if two[name] != other[name]] == []


def test_validation_families_are_held_out_of_training(synth):
    families = {}
    for split in SPLITS:
        with open(os.path.join(synth, split, "fonts.txt"), encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t") for line in f]
        assert all(os.path.isfile(path) for _, path, _, _ in rows)
        families[split] = {row[0] for row in rows}
    assert families["val"] == {"LXGW WenKai"}
    assert {"AR PL UKai", "AR PL KaitiM GB", "Noto Sans CJK SC"} <= families["train"]
    assert families["ood"] and families["ood"] <= {f.name for f in OOD_FAMILIES}
    assert not families["train"] & families["val"] and not (families["train"] | families["val"]) & families["ood"]
    with open(os.path.join(synth, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    assert {s: set(manifest["families"][s]) for s in SPLITS} == families
    assert manifest["counts"] == COUNTS and manifest["seed"] == 5


def test_training_discovery_never_finds_an_ood_face():
    train_faces, ood_faces = discover_faces(), discover_faces(families=OOD_FAMILIES)
    assert ood_faces and not {(f.path, f.index) for f in train_faces} & {(f.path, f.index) for f in ood_faces}
    assert not {f.name for f in FAMILIES} & {f.name for f in OOD_FAMILIES}


BREAK = ("import sys, synth_lines\n"
         "def boom(*_): raise AssertionError('wrong renderer')\n"
         "synth_lines.{name} = boom\n"
         "synth_lines.main(sys.argv[1:])\n")


@pytest.mark.parametrize("broken, args", [
    ("render_ood_line", ("--train", "6", "--val", "3")),    # train and val never call the OOD renderer
    ("render_line", ("--train", "0", "--val", "0", "--ood", "3")),  # and the OOD set never the training one
])
def test_the_ood_renderer_and_the_training_renderer_are_apart(tmp_path, broken, args):
    proc = subprocess.run([sys.executable, "-c", BREAK.format(name=broken), "--out", str(tmp_path / "out"),
                           "--workers", "1", *args], cwd=MODEL, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert sum(1 for _ in (tmp_path / "out").rglob("*.png")) == (9 if broken == "render_ood_line" else 3)


def test_preview_writes_a_sample_sheet_only(tmp_path):
    run_script("handwritten_zh", "synth_lines.py", "--out", str(tmp_path / "unused"),
               "--preview", str(tmp_path / "sheet.png"))
    sheet = cv2.imread(str(tmp_path / "sheet.png"), cv2.IMREAD_GRAYSCALE)
    assert sheet is not None and sheet.shape[1] == 1400 and sheet.shape[0] > 18 * HEIGHT
    assert not os.path.exists(tmp_path / "unused")


def test_pen_redraws_a_glyph_from_its_skeleton():
    bar = np.zeros((40, 60), np.uint8)
    bar[15:26, 5:55] = 255
    centre = skeleton(bar)
    assert centre.sum() > 30 and centre.any(0)[12:46].all() and (centre.sum(0)[12:46] == 1).all()
    pen = PenStyle(radius=1.3, pressure=0.3, wobble=1.0, part_shift=0.6, part_angle=0.05, join=0.0)
    first, margin = draw_glyph(np.random.default_rng(1), centre, pen)
    again, _ = draw_glyph(np.random.default_rng(1), centre, pen)
    assert np.array_equal(first, again) and first.shape == (40 + 2 * margin, 60 + 2 * margin)
    ink = first > 127
    assert ink.any(0).sum() > 40 and ink.sum(0).max() < 11  # a pen line along the bar, thinner than the bar
    # a flat nib: a horizontal stroke is broad when the nib stands across it, thin when it lies along it
    across, along = (draw_glyph(np.random.default_rng(1), centre, PenStyle(
        radius=2.0, pressure=0.0, wobble=0.0, part_shift=0.0, part_angle=0.0, join=0.0, nib=4.0, nib_angle=angle))[0]
        for angle in (90.0, 0.0))
    assert np.median((across > 127).sum(0)[20:50]) >= 2 * np.median((along > 127).sum(0)[20:50]) > 0
    assert {PenStyle.draw(np.random.default_rng(seed), 64).nib == 1.0 for seed in range(30)} == {True, False}
    assert sum(len(line) for line in trace(centre)) >= centre.sum()
    dots = np.zeros((12, 12), np.uint8)
    dots[2:4, 2:4] = dots[7:9, 7:10] = 255  # a colon's dots: thinning alone would erase them
    assert cv2.connectedComponents(skeleton(dots).astype(np.uint8))[0] == 3
    colon = np.zeros((12, 6), bool)
    colon[3, 3] = colon[9, 3] = True  # a colon's skeleton: two isolated pixels, each traced (the OOD renderer's dots)
    assert sorted(line.tolist() for line in trace(colon)) == [[[3.0, 3.0]], [[3.0, 9.0]]]


def test_labels_are_charset_characters_and_the_zoo_reader_takes_every_line(synth):
    charset = set(CHARSET)
    for split, count in COUNTS.items():
        pairs = _gt(synth, split)
        assert [image for image, _ in pairs] == [f"images/{i:08d}.png" for i in range(count)]
        assert all(3 <= len(text) <= 7 and set(text) <= charset for _, text in pairs)
        converter = label_converter(SimpleNamespace(charset="charsets/scut_ept.txt", max_label_length=40))
        source = LineSource([os.path.join(synth, split, "gt.txt")], converter, prepare_line)
        assert len(source) == count


def test_lines_are_96_px_gray_dark_ink_on_light_paper(synth):
    for split in SPLITS:
        for image_path, text in _gt(synth, split):
            image = cv2.imread(os.path.join(synth, split, image_path), cv2.IMREAD_UNCHANGED)
            assert image.ndim == 2 and image.dtype == np.uint8 and image.shape[0] == HEIGHT
            assert 20 * len(text) < image.shape[1] < 100 * len(text) + 80
            paper = np.median(image)
            ink = image < paper - 60
            assert paper > 150, "paper must be light"
            assert 0.01 < ink.mean() < 0.4 and paper - np.percentile(image, 0.5) > 70, "dark ink, not blank or a blot"
            assert ink.any(0).mean() > 0.2, "ink spreads along the line"


def test_a_face_only_draws_characters_it_has(train_faces):
    fonts = FontSet(train_faces, CHARSET)
    kaiti = next(i for i, f in enumerate(fonts.faces) if f.family == "AR PL KaitiM GB")
    missing = next(c for c in CHARSET if c not in set(fonts.characters[kaiti]))
    rng = np.random.default_rng(0)
    picks = [fonts.pick(rng, "我们" + missing) for _ in range(200)]
    assert kaiti not in picks and all(set("我们" + missing) <= set(fonts.characters[p]) for p in picks)
    counts = Counter(fonts.faces[fonts.pick(rng)].family for _ in range(3000))
    assert counts["AR PL UKai"] > 2 * counts["WenQuanYi Zen Hei"]  # kai styles weighted higher
    assert fonts.pick(rng, "\U0001F600") is None


@pytest.mark.parametrize("drawn", [True, False])
def test_rendering_depends_on_the_seed_alone(train_faces, drawn):
    face = train_faces[0]
    first = render_line(np.random.default_rng(3), GlyphCache(), face, "手写汉字识别", drawn)
    cache = GlyphCache(limit=2)  # another cache history gives the same image
    assert not np.array_equal(render_line(np.random.default_rng(4), cache, face, "手写汉字识别", drawn), first)
    assert np.array_equal(render_line(np.random.default_rng(3), cache, face, "手写汉字识别", drawn), first)


def test_corpus_is_cleaned_and_split_by_line(tmp_path):
    lines = [f"第{i // 10}章{i % 10}行，床前明月光，疑是地上霜。" for i in range(200)]
    corpus = tmp_path / "corpus.txt"
    extra = "\n舉頭望明月,低头思故乡\n    -- 李白《静夜思》第一首\n－－－－－－－－\n"
    corpus.write_text("\x1b[32m《静夜思》\x1b[m\n%\n" + "\n".join(lines) + extra, "utf-8")
    runs = corpus_runs([str(corpus)], CHARSET, 4)
    assert not [run for run in runs["train"] + runs["val"] if "李白" in run or "－" in run or "%" in run]
    assert "《静夜思》" in runs[line_split("《静夜思》")]
    # 舉 and 頭 (traditional) are not in the set: the run starts after them; the ASCII comma becomes full-width
    assert "舉" not in CHARSET and "望明月，低头思故乡" in runs[line_split("舉頭望明月,低头思故乡")]
    assert 5 < sum(line_split(line) == "val" for line in lines) < 40
    train_text, val_text = "".join(runs["train"]), "".join(runs["val"])
    assert all((line in train_text) != (line in val_text) for line in lines)


def test_corpus_lines_follow_the_corpus_frequencies_uniform_lines_cover_rare_characters():
    runs = corpus_runs(FORTUNE_FILES, CHARSET, 4)
    sampler = TextSampler(runs["train"], 4, 12)
    rng = np.random.default_rng(0)
    corpus_chars = Counter("".join(sampler.corpus_line(rng, sampler.length(rng)) for _ in range(3000)))
    uniform_chars = Counter("".join(uniform_line(rng, np.array(CHARSET), 8) for _ in range(3000)))
    frequent = [c for c, _ in Counter("".join(runs["train"])).most_common(100)]
    share = {name: sum(counts[c] for c in frequent) / sum(counts.values())
             for name, counts in (("corpus", corpus_chars), ("uniform", uniform_chars))}
    assert share["corpus"] > 0.35 and share["uniform"] < 0.05
    assert len(uniform_chars) > 0.95 * len(CHARSET) and len(corpus_chars) < 0.8 * len(CHARSET)
    assert all(4 <= len(sampler.corpus_line(rng, n)) == n <= 12 for n in range(4, 13))


@pytest.mark.parametrize("args, expect", [
    (("--train", "4", "--bogus", "1"), "unrecognized arguments"),
    (("--train", "4", "--min_chars", "8", "--max_chars", "5"), "--min_chars"),
    (("--train", "4", "--max_chars", "40"), "--max_chars"),
    (("--train", "4", "--uniform_fraction", "1.5"), "--uniform_fraction"),
    (("--train", "4", "--typeset_fraction", "-0.1"), "--typeset_fraction"),
    (("--train", "0", "--val", "0"), "not all 0"),
    (("--train", "x"), "invalid int value"),
    (("--train", "4", "--val_families", "Comic Sans"), "unknown --val_families"),
    (("--train", "4", "--charset", "no/such/charset.txt"), "charset file"),
    (("--train", "4", "--font_dir", "{empty}"), "no train fonts"),
    (("--train", "4", "--corpus", "no/such/corpus.txt"), "corpus file"),
])
def test_bad_arguments_give_one_error_line(tmp_path, args, expect):
    (tmp_path / "empty").mkdir()
    args = [a.format(empty=tmp_path / "empty") for a in args]
    proc = subprocess.run([sys.executable, "synth_lines.py", "--out", str(tmp_path / "out"), *args], cwd=MODEL,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("error:") and proc.stderr.count("\n") == 1
    assert expect in proc.stderr and "Traceback" not in proc.stderr
    assert not os.path.exists(tmp_path / "out" / "train")
