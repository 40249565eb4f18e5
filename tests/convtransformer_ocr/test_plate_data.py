"""Plate data: CCPD names (valid, invalid as counted skips), rectification of the corners, gt.txt files, the
synthesizer (GA 36 texts, the same files whatever the number of workers, its training fonts apart from the
validation font and drawing every plate character, the diagnostic sets apart), and the plate metrics on Chinese text."""
from __future__ import annotations

import filecmp
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from conftest import ROOT
from convtransformer_ocr.src.ccpd import CcpdSource, parse_name, rectify
from convtransformer_ocr.src.charset import label_converter
from convtransformer_ocr.src.data import line_source
from convtransformer_ocr.src.model_utils.charset import charset_path, read_charset
from convtransformer_ocr.src.model_utils.sources import FileSource
from convtransformer_ocr.src.metrics import PlateMetric
from convtransformer_ocr.src.plate_render import _font
from convtransformer_ocr.src.plate_noise import STRONG, TRAIN
from convtransformer_ocr.src.plate_synth import (ABLATIONS, EFFECTS, TRAIN_CHINESE, TRAIN_FONTS, TRAIN_LATIN,
                                                 VAL_FONTS)
from convtransformer_ocr.src.plate_text import PROVINCES, STYLES, plate_text

CFG = SimpleNamespace(charset="charsets/license_plate.txt", num_classes=0, max_label_length=8, line_width=300)
CCPD_NAME = "025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27_27_33_16-37-15.jpg"
GREEN_NAME = "04-90_90-200&300_400&360-400&360_200&360_200&300_400&300-0_0_3_24_30_31_32_33-120-8.jpg"


def test_ccpd_names_give_text_box_corners_brightness_and_blur():
    name = parse_name("/data/ccpd_base/" + CCPD_NAME)
    assert name.text == "皖AY339S" and name.box == (154, 383, 386, 473)
    assert name.corners == ((154, 383), (363, 402), (386, 473), (177, 454))  # LT, RT, RB, LB
    assert (name.brightness, name.blurriness) == (37, 15)
    assert parse_name(GREEN_NAME).text == "皖AD06789"  # CCPD2020: 8 characters


@pytest.mark.parametrize("name", ["photo.jpg", "025-95_113-154&383_386&473-386&473_177&454-0_0_22_27_27_33_16-37-15",
                                  "025-95_113-1&2_3&4-1&2_3&4_5&6_7&8-0_0_22_27-37-15",
                                  "025-95_113-1&2_3&4-1&2_3&4_5&6_7&8-40_0_22_27_27_33_16-37-15",
                                  "025-95_113-1&x_3&4-1&2_3&4_5&6_7&8-0_0_22_27_27_33_16-37-15"])
def test_invalid_ccpd_names_are_refused(name):
    with pytest.raises(ValueError):
        parse_name(name)


def _quad_image() -> tuple[np.ndarray, list]:
    """A grey image with a white quadrilateral holding a black left half, and its corners (LT, RT, RB, LB)."""
    image = np.full((200, 300, 3), 90, np.uint8)
    corners = [(60, 50), (250, 70), (240, 150), (50, 130)]
    cv2.fillConvexPoly(image, np.int32(corners), (255, 255, 255))
    mid_top, mid_bottom = (155, 60), (145, 140)
    cv2.fillConvexPoly(image, np.int32([corners[0], mid_top, mid_bottom, corners[3]]), (0, 0, 0))
    return image, corners


def test_rectification_makes_the_quadrilateral_axis_aligned():
    image, corners = _quad_image()
    plate = rectify(image, corners, 7)
    assert plate.shape == (64, 201, 3)
    gray = plate[3:-3, 3:-3, 0].astype(int)
    assert gray[:, :90].max() < 60 and gray[:, 112:].min() > 200  # black left half, white right half
    assert np.abs(np.diff(gray[:, 20:80], axis=0)).max() < 40  # no slanted edge left inside


def test_ccpd_folder_skips_bad_names_by_count_and_logs_them(tmp_path, capsys):
    image, corners = _quad_image()
    (lt, rt, rb, lb) = corners
    name = f"01-0_0-50&50_250&150-{rb[0]}&{rb[1]}_{lb[0]}&{lb[1]}_{lt[0]}&{lt[1]}_{rt[0]}&{rt[1]}-0_0_1_2_3_4_5-10-10.jpg"
    for file in (name, "not_ccpd.jpg"):
        cv2.imwrite(str(tmp_path / file), image)
    source = line_source(CFG, [str(tmp_path)], label_converter(CFG))
    assert isinstance(source, CcpdSource) and len(source) == 1 and source.label(0) == "皖ABCDEF"
    assert source.skipped.bad_name == 1 and "1 names not in the CCPD layout" in source.skipped.summary()
    assert "not_ccpd.jpg" in capsys.readouterr().out
    line, ids, length, _, valid = source[0]
    assert valid and line.shape == (32, 300, 3) and length == 7 and line[:, 110:].max() == 0


def test_gt_txt_source_reads_relative_paths_and_counts_missing_images(tmp_path):
    cv2.imwrite(str(tmp_path / "a.jpg"), np.full((40, 120, 3), 200, np.uint8))
    (tmp_path / "gt.txt").write_text("a.jpg\t京A12345\nmissing.jpg\t沪B12345\nb.jpg\t京a?\n", encoding="utf-8")
    source = line_source(CFG, [str(tmp_path)], label_converter(CFG))
    assert isinstance(source, FileSource) and [source.label(i) for i in range(2)] == ["京A12345", "沪B12345"]
    assert source.skipped.out_of_charset == 1  # never shortened to fit the charset
    assert source[0][4] and not source[1][4] and source.skipped.corrupt_image == 1


def test_a_gt_txt_line_without_tab_is_a_counted_sample_without_label(tmp_path):
    cv2.imwrite(str(tmp_path / "a.jpg"), np.full((40, 120, 3), 200, np.uint8))
    (tmp_path / "gt.txt").write_text("a.jpg\t京A12345\nb.jpg 京A12345\n", encoding="utf-8")
    source = line_source(CFG, [str(tmp_path / "gt.txt")], label_converter(CFG))
    assert len(source) == 1 and source.skipped.missing_label == 1


PLATE_RULES = {
    "blue": r"[{p}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5}}", "yellow": r"[{p}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5}}",
    "green": r"[{p}][A-HJ-NP-Z][DF][A-HJ-NP-Z0-9]\d{{4}}", "police": r"[{p}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4}}警",
    "coach": r"[{p}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4}}学", "trailer": r"[{p}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4}}挂",
    "hongkong": r"粤Z[A-HJ-NP-Z0-9]{{4}}港", "macau": r"粤Z[A-HJ-NP-Z0-9]{{4}}澳",
    "consulate": r"[{p}][A-HJ-NP-Z]\d{{4}}领", "embassy": r"使\d{{6}}"}


@pytest.mark.parametrize("style", STYLES)
def test_plate_texts_follow_ga36(style):
    rng = np.random.default_rng(5)
    rule = re.compile(PLATE_RULES[style].format(p=PROVINCES))
    for _ in range(200):
        text = plate_text(rng, style)
        assert rule.fullmatch(text), text
        assert sum(c.isalpha() and c.isascii() for c in text[2:]) <= 2 or style == "green"


def test_synthesizer_writes_the_same_files_with_one_or_two_workers(tmp_path):
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        proc = subprocess.run([sys.executable, "synth_plates.py", "--out", str(out), "--train", "40", "--val", "12",
                               "--seed", "4", "--workers", str(workers)], cwd=os.path.join(ROOT, "convtransformer_ocr"),
                              capture_output=True, text=True, check=True)
        assert "52/52 plates" in proc.stderr and "plates/s" in proc.stderr and "ETA" in proc.stderr
        outs.append(out)
    for split, count in (("train", 40), ("val", 12)):
        names = [f"images/{i:07d}.jpg" for i in range(count)]
        assert (outs[0] / split / "gt.txt").read_text() == (outs[1] / split / "gt.txt").read_text()
        match, mismatch, errors = filecmp.cmpfiles(outs[0] / split, outs[1] / split, names, shallow=False)
        assert len(match) == count and not mismatch and not errors
    lines = (outs[0] / "train" / "gt.txt").read_text(encoding="utf-8").splitlines()
    assert len({len(line.split("\t")[1]) for line in lines} - {7, 8}) == 0
    assert (outs[0] / "manifest.json").is_file()


def test_ablation_sets_are_written_apart_and_leave_the_validation_plates_as_they_were(tmp_path):
    folder = os.path.join(ROOT, "convtransformer_ocr")
    for out, extra in (("with", ("--ablation", "3")), ("without", ())):
        subprocess.run([sys.executable, "synth_plates.py", "--out", str(tmp_path / out), "--train", "0", "--val", "4",
                        "--seed", "4", "--workers", "1", *extra], cwd=folder, capture_output=True, check=True)
    with_val, without_val = tmp_path / "with" / "val", tmp_path / "without" / "val"
    assert (with_val / "gt.txt").read_text() == (without_val / "gt.txt").read_text()
    names = [f"images/{i:07d}.jpg" for i in range(4)]
    assert filecmp.cmpfiles(with_val, without_val, names, shallow=False)[0] == names
    written = sorted(p.name for p in (tmp_path / "with" / "ablation").iterdir())
    assert written == sorted(name.split("/")[1] for name in ABLATIONS) and len(written) == 3 + len(EFFECTS)
    for name in written:
        assert len((tmp_path / "with" / "ablation" / name / "gt.txt").read_text().splitlines()) == 3
    assert not (tmp_path / "without" / "ablation").exists()
    assert ABLATIONS["ablation/val_fonts"].fonts == VAL_FONTS and ABLATIONS["ablation/val_noise"].fonts == TRAIN_FONTS
    tilted = ABLATIONS["ablation/strong_tilt"].profile(np.random.default_rng(0))
    assert tilted.tilt == STRONG.tilt and tilted.blur_sigma == TRAIN.blur_sigma


def test_training_fonts_are_apart_from_the_validation_font_and_draw_every_plate_character():
    helvetica = re.compile(r"FreeSans|Arimo|texgyreheros|NimbusSans|Helvetica", re.I)  # the validation design
    assert not any(helvetica.search(path) for path in TRAIN_LATIN)
    train_files = {f.latin for f in TRAIN_FONTS} | {f.chinese for f in TRAIN_FONTS}
    assert not train_files & ({f.latin for f in VAL_FONTS} | {f.chinese for f in VAL_FONTS})
    assert len(TRAIN_LATIN) >= 30 and len(TRAIN_CHINESE) >= 7 and len(TRAIN_FONTS) == len(TRAIN_LATIN) * 7
    chars = read_charset(charset_path(CFG.charset))
    for path, index, wanted in [(p, 0, [c for c in chars if c.isascii()]) for p in TRAIN_LATIN] + [
            (p, i, [c for c in chars if not c.isascii()]) for p, i in TRAIN_CHINESE]:
        font = _font(path, index)
        missing = bytes(font.getmask("\U000F0000"))  # a private-use code point: the font's "no glyph" box
        assert [c for c in wanted if bytes(font.getmask(c)) == missing] == [], path


def test_metrics_compare_chinese_exactly_and_per_position():
    metric = PlateMetric()
    metric.update(["沪A12345", "京A1234", "京AD12345"], ["京A12345", "京A12345", "京AD12345"])
    assert metric.line_accuracy == pytest.approx(1 / 3) and metric.score == metric.line_accuracy
    assert metric.one_minus_cer == pytest.approx(1 - 2 / 22)
    assert metric.position_accuracy() == pytest.approx([2 / 3, 1, 1, 1, 1, 1, 2 / 3, 1])
    wrong = PlateMetric()
    wrong.update(["粤B12345"], ["京A12345"])
    assert wrong.line_accuracy == 0.0 and wrong.position_accuracy()[:2] == [0.0, 0.0]
    total = PlateMetric()
    total.merge(metric)
    total.merge(wrong)
    assert total.count == 4 and total.correct == 1
