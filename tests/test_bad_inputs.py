"""Bad inputs and faults, run as a user would against every model folder: each case asserts its outcome class.

Outcome classes:
- ``error``: exit code 2 and exactly one line on stderr, ``error: ...``, naming the file or the setting;
  never a traceback.
- ``skip``: exit code 0, the bad samples skipped and counted in the output.
- ``ok``: exit code 0 and the expected output (a bad input that is in fact fine must work).

Each model of the registry (its ``zoo.yaml``) is a ``ModelRow``: its CPU config, released checkpoint, the
arguments of a wider network and the case sets of its data formats, and by its input kind the arguments of a
short training run and a builder of its bad data (images or audio, its dataset format).  What each model
does its own way runs for every row: its training data missing (its reader), a checkpoint of a wider network
(its config reaching its network) and the case sets of its data formats.  What ``model_utils`` does alone, the
same code in every folder (settings, checkpoint files, export and output paths, inference inputs, divergence,
kill -9 and resume), runs once, for the first row: the registry's first model, the smallest
(``tests/model_utils/test_fit.py`` checks ``fit`` itself in-process).
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from conftest import ROOT, losses
from lmdb_builder import make_lmdb, word_image
from zoo_registry import model, models


@dataclass(frozen=True)
class Case:
    """``script`` with ``args`` (``{name}`` placeholders; ``{train_args}`` and ``{wider_args}`` expand to the
    row's arguments).  ``every_model=False``: a check done by ``model_utils`` alone (settings, checkpoint files,
    export and output paths, inference inputs, divergence), the same code in every folder: run for the first
    model only (keeps the suite short)."""

    name: str
    script: str
    args: tuple[str, ...]
    outcome: str
    expect: str
    every_model: bool = True


@dataclass(frozen=True)
class ModelRow:
    folder: str
    config: str
    checkpoint: str                                     # released, relative to the model folder
    train_args: tuple[str, ...]                         # a few training steps on {train}
    wider_args: tuple[str, ...]                         # a wider network than the released checkpoint's
    make_data: Callable[[Path, str], dict[str, str]]    # (tmp dir, synthesized data dir) -> placeholders
    cases: tuple[Case, ...]


GENERIC = (
    Case("config file missing", "eval.py", ("--config_path", "{tmp}/none.yaml"), "error", "config file",
         every_model=False),
    Case("config not YAML", "eval.py", ("--config_path", "{broken_yaml}"), "error", "is not valid YAML",
         every_model=False),
    Case("device Foo", "train.py", ("--device_target", "Foo"), "error", "--device_target must be one of",
         every_model=False),
    Case("optimizer foo", "train.py", ("{train_args}", "--optimizer", "foo"), "error", "--optimizer must be one of",
         every_model=False),
    Case("batch size 0", "train.py", ("{train_args}", "--train_batch_size", "0"), "error", "--train_batch_size 0",
         every_model=False),
    Case("batch size -4", "train.py", ("{train_args}", "--train_batch_size=-4"), "error", "--train_batch_size -4",
         every_model=False),
    Case("batch size text", "train.py", ("--train_batch_size", "lots"), "error", "--train_batch_size expects a int",
         every_model=False),
    Case("max_steps -1", "train.py", ("{train_args}", "--max_steps=-1"), "error", "--max_steps -1", every_model=False),
    Case("epochs 0", "train.py", ("{train_args}", "--max_steps", "0", "--epochs", "0"), "error", "--epochs 0",
         every_model=False),
    Case("checkpoint steps 0", "train.py", ("{train_args}", "--save_checkpoint_steps", "0"), "error",
         "--save_checkpoint_steps 0", every_model=False),
    Case("no training data", "train.py", ("--train_dataset_path", ""), "error", "no training data",
         every_model=False),
    Case("training data missing", "train.py", ("--train_dataset_path", "{tmp}/absent"), "error",
         "{tmp}/absent does not exist"),
    Case("base_lr 3e-4 spelling", "train.py", ("{train_args}", "--base_lr", "3e-4"), "ok", "lr 3.000e-04",
         every_model=False),
    Case("diverged run", "train.py", ("{train_args}", "--max_steps", "6", "--base_lr", "1e30", "--clip_grad_norm", "0",
                                      "--nonfinite_patience", "1"), "error", "training diverged", every_model=False),
    Case("max_label_length 100000000", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                                    "--max_label_length", "100000000"), "error",
         "--max_label_length must be at least 1 and at most 1000", every_model=False),
    Case("no checkpoint given", "eval.py", ("--eval_dataset_path", "{val}"), "error", "set --checkpoint_path",
         every_model=False),
    Case("checkpoint missing", "eval.py", ("--checkpoint_path", "{tmp}/absent.ckpt", "--eval_dataset_path", "{val}"),
         "error", "checkpoint {tmp}/absent.ckpt does not exist",
         every_model=False),
    Case("checkpoint of another size", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                                   "{wider_args}"), "error", "does not fit the network"),
    Case("checkpoint garbage", "eval.py", ("--checkpoint_path", "{garbage_ckpt}", "--eval_dataset_path", "{val}"),
         "error", "cannot read checkpoint {garbage_ckpt}",
         every_model=False),
    Case("eval data empty", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", ""), "error",
         "set --eval_dataset_path",
         every_model=False),
    Case("eval batch 0", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                     "--eval_batch_size", "0"), "error", "--eval_batch_size 0", every_model=False),
    Case("export format", "export.py", ("--checkpoint_path", "{ckpt}", "--file_format", "TFLITE"), "error",
         "file_format must be one of", every_model=False),
    Case("export AIR off Ascend", "export.py", ("--checkpoint_path", "{ckpt}", "--file_format", "AIR",
                                                "--file_name", "{tmp}/x"), "error", "AIR export needs an Ascend",
         every_model=False),
    Case("export below a file", "export.py", ("--checkpoint_path", "{ckpt}", "--file_name", "{garbage_ckpt}/x"),
         "error", "is not a writable folder",
         every_model=False),
    Case("infer input missing", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{tmp}/absent.png"), "error",
         "input {tmp}/absent.png does not exist", every_model=False),
    Case("infer binary non-image", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{gif}"), "error",
         "is neither a supported file", every_model=False),
    Case("infer output folder missing", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{image}",
                                                     "--output", "{tmp}/no/such/out.tsv"), "error",
         "cannot write --output {tmp}/no/such/out.tsv",
         every_model=False),
    Case("infer output is a folder", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{image}",
                                                  "--output", "{tmp}"), "error", "cannot write --output",
         every_model=False),
    Case("infer output is its input", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{image}",
                                                   "--output", "{image}"), "error",
         "--output {image} is a file infer.py reads", every_model=False),
    Case("infer output is the checkpoint", "infer.py", ("--checkpoint_path", "{ckpt_copy}", "--input", "{image}",
                                                        "--output", "{ckpt_copy}"), "error",
         "--output {ckpt_copy} is a file infer.py reads", every_model=False),
    Case("checkpoint with non-finite weights", "eval.py", ("--checkpoint_path", "{nan_ckpt}", "--eval_dataset_path",
                                                           "{val}"), "error", "holds weights that are not finite",
         every_model=False),
    Case("used save_dir without --resume", "train.py", ("{train_args}", "--save_dir", "{used_run}"), "error",
         "--save_dir {used_run} already holds a run (loss.csv): continue it with --resume true", every_model=False),
    Case("resume and overwrite", "train.py", ("{train_args}", "--resume", "true", "--overwrite", "true"), "error",
         "--resume true continues the run in --save_dir, --overwrite true deletes it", every_model=False),
    Case("infer batch 0", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{image}", "--infer_batch_size", "0"),
         "error", "--infer_batch_size 0", every_model=False),
)


def _word_data(tmp: Path, synth: str) -> dict[str, str]:
    """Bad word LMDBs (cnnctc, crnn) and bad MMOCR annotation files (crnn)."""
    import lmdb

    good = [(word_image(), w) for w in ("ab", "cd", "ef", "gh", "ij", "kl", "mn", "op")]
    non_utf8 = make_lmdb(str(tmp / "non_utf8"), good[:3])
    env = lmdb.open(non_utf8, map_size=1 << 26)
    with env.begin(write=True) as txn:
        txn.put(b"label-000000002", "caf\xe9".encode("latin-1"))
    env.close()
    (tmp / "not_json.json").write_text("{", encoding="utf-8")
    (tmp / "no_data_list.json").write_text('{"metainfo": {}}', encoding="utf-8")
    (tmp / "missing_image.json").write_text(json.dumps({"data_list": [
        {"img_path": "absent.png", "instances": [{"text": "ab"}]},
        {"img_path": os.path.join(synth, "val_images", "word_1.jpg"), "instances": [{"text": "cd"}]}]}),
        encoding="utf-8")
    (tmp / "null_text.json").write_text(json.dumps({"data_list": [
        {"img_path": os.path.join(synth, "val_images", f"word_{n}.jpg"), "instances": [{"text": text}]}
        for n, text in ((1, None), (2, "cd"), (3, "ef"))]}), encoding="utf-8")
    return {
        "null_text": str(tmp / "null_text.json"),
        "not_json": str(tmp / "not_json.json"), "no_data_list": str(tmp / "no_data_list.json"),
        "missing_image": str(tmp / "missing_image.json"),
        "train": os.path.join(synth, "train"), "val": os.path.join(synth, "val"),
        "image": os.path.join(synth, "val_images", "word_1.jpg"),
        "all_corrupt": make_lmdb(str(tmp / "all_corrupt"), [(b"junk", "word")] * 40),
        "half_corrupt": make_lmdb(str(tmp / "half_corrupt"), [(b"junk", "word"), *good] * 4),
        "every_other_corrupt": make_lmdb(str(tmp / "every_other_corrupt"),
                                         [pair for sample in good * 3 for pair in ((b"junk", "word"), sample)]),
        "huge_count": make_lmdb(str(tmp / "huge_count"), good[:2], num_samples=b"100000000000"),
        "non_utf8": non_utf8,
    }


def _sphere(path: Path, samples: bytes, count: int, coding: str = "pcm", channels: int = 1) -> str:
    fields = (f"NIST_1A\n   1024\nchannel_count -i {channels}\nsample_count -i {count}\nsample_rate -i 16000\n"
              f"sample_n_bytes -i 2\nsample_byte_format -s2 01\nsample_coding -s{len(coding)} {coding}\nend_head\n")
    path.write_bytes(fields.encode("ascii").ljust(1024, b" ") + samples)
    return str(path)


def _wav(path: Path, rate: int = 16000, channels: int = 1, seconds: float = 1.0) -> str:
    import wave

    import numpy as np

    tone = (3000 * np.sin(np.arange(int(rate * seconds)) * 0.05)).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(channels)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(np.repeat(tone, channels).tobytes())
    return str(path)


def _speech_data(tmp: Path, _synth: str) -> dict[str, str]:
    """MindRecord features (random, TIMIT's schema), a foreign MindRecord, and bad speech files (ctcmodel)."""
    import numpy as np
    from mindspore.mindrecord import FileWriter

    from ctcmodel.src.feature_store import Record, write_records

    rng = np.random.default_rng(0)

    def records(count: int, frames: tuple[int, int]) -> list:
        return [Record(f"u{i}", rng.normal(size=(int(rng.integers(*frames)), 39)).astype(np.float32),
                       rng.integers(0, 61, int(rng.integers(3, 12))).astype(np.int32)) for i in range(count)]

    write_records(str(tmp / "train.mindrecord"), records(24, (60, 200)))
    nan = records(6, (60, 200))
    nan[2].feature[5, 3] = np.nan
    write_records(str(tmp / "nan.mindrecord"), nan)
    short = records(24, (60, 200))
    short[:4] = [Record(r.id, r.feature[:5], np.arange(8, dtype=np.int32)) for r in short[:4]]  # 8 phones, 5 frames
    write_records(str(tmp / "short.mindrecord"), short)
    write_records(str(tmp / "val.mindrecord"), records(6, (60, 200)) + records(2, (400, 500)))
    foreign = FileWriter(str(tmp / "foreign.mindrecord"), shard_num=1, overwrite=True)
    foreign.add_schema({"image": {"type": "bytes"}, "label": {"type": "int32"}}, "images")
    foreign.write_raw_data([{"image": b"x", "label": 1}])
    foreign.commit()
    (tmp / "garbage.mindrecord").write_bytes(b"not a mindrecord file at all" * 10)
    tone = np.zeros(16000, "<i2").tobytes()
    return {
        "train": str(tmp / "train.mindrecord"), "val": str(tmp / "val.mindrecord"),
        "foreign": str(tmp / "foreign.mindrecord"), "garbage_mindrecord": str(tmp / "garbage.mindrecord"),
        "nan_features": str(tmp / "nan.mindrecord"), "label_beyond_frames": str(tmp / "short.mindrecord"),
        "wav_short": _wav(tmp / "short.wav", seconds=0.01),
        "image": _wav(tmp / "tone.wav"), "wav_8k": _wav(tmp / "tone_8k.wav", rate=8000),
        "wav_stereo": _wav(tmp / "stereo.wav", channels=2),
        "sph_truncated": _sphere(tmp / "truncated.sph", tone[:1000], 16000),
        "sph_shorten": _sphere(tmp / "shorten.sph", b"\x00" * 100, 16000, coding="pcm,embedded-shorten-v2.00"),
    }


SPEECH_TRAIN = ("--train_dataset_path", "{train}", "--max_steps", "2", "--train_batch_size", "4", "--eval_interval",
                "0", "--log_interval", "1", "--bucket_steps", "2", "--lm_path", "", "--save_dir", "{run}")
SPEECH_CASES = (
    Case("MindRecord garbage", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                           "{garbage_mindrecord}"), "error", "cannot open {garbage_mindrecord}"),
    Case("MindRecord of other data", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{foreign}"),
         "error", "lacks the column(s) id, feature"),
    Case("utterances longer than max_frames", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                          "{val}", "--max_frames", "300", "--lm_path", ""),
         "skip", "longer than max_frames"),
    Case("every utterance too long", "train.py", ("{train_args}", "--max_frames", "50"), "error",
         "holds no usable utterance"),
    Case("LM file missing", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                        "--lm_path", "{tmp}/absent.npz"), "error", "{tmp}/absent.npz"),
    Case("speech at 8 kHz", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{wav_8k}", "--lm_path", ""),
         "error", "sample rate 8000 Hz, expected 16000 Hz"),
    Case("stereo speech", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{wav_stereo}", "--lm_path", ""),
         "error", "has 2 channels"),
    Case("truncated SPHERE", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{sph_truncated}", "--lm_path",
                                          ""), "error", "{sph_truncated} is truncated"),
    Case("shorten-compressed SPHERE", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{sph_shorten}",
                                                   "--lm_path", ""), "error", "sph2pipe"),
    Case("features not finite", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{nan_features}",
                                            "--lm_path", ""), "skip", "with features not finite"),
    Case("labels longer than their frames", "train.py", ("{train_args}", "--train_dataset_path",
                                                         "{label_beyond_frames}"),
         "skip", "with more phones than CTC can align to their frames"),
    Case("speech shorter than a frame", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{wav_short}",
                                                     "--lm_path", ""), "error", "{wav_short} is too short"),
    Case("width_step 0", "train.py", ("{train_args}", "--width_step", "0"), "error",
         "--width_step must be at least 1"),
    Case("hidden_size 0", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}", "--hidden_size",
                                      "0"), "error", "--hidden_size must be at least 1"),
)


def _lines_data(tmp: Path, _synth: str) -> dict[str, str]:
    """Synthesized text lines (handwritten_zh/synth_lines.py) and bad gt.txt files and SCUT-EPT splits."""
    lines = tmp / "lines"
    subprocess.run([sys.executable, os.path.join(ROOT, "handwritten_zh", "synth_lines.py"), "--out", str(lines),
                    "--train", "24", "--val", "8", "--workers", "1", "--min_chars", "2", "--max_chars", "4"],
                   check=True, capture_output=True)
    val = (lines / "val" / "gt.txt").read_text(encoding="utf-8").splitlines()
    image = str(lines / "val" / val[0].split("\t")[0])
    (tmp / "bad_gt.txt").write_text("\n".join([f"{lines / 'val' / 'absent.png'}\t的人", image, *[
        f"{lines / 'val' / line}" for line in val[1:]]]) + "\n", encoding="utf-8")
    train = [f"{lines / 'train'}/{line}" for line in
             (lines / "train" / "gt.txt").read_text(encoding="utf-8").splitlines()]
    (tmp / "unknown_gt.txt").write_text("\n".join(line.split("\t")[0] + "\t龘龘" if n < 8 else line
                                                  for n, line in enumerate(train)) + "\n", encoding="utf-8")
    (tmp / "scut").mkdir()
    (tmp / "scut" / "test_img_id_gt.txt").write_text("000000,的人\n", encoding="utf-8")
    return {"train": str(lines / "train" / "gt.txt"), "val": str(lines / "val" / "gt.txt"), "image": image,
            "bad_gt": str(tmp / "bad_gt.txt"), "unknown_gt": str(tmp / "unknown_gt.txt"),
            "scut_without_images": str(tmp / "scut" / "test_img_id_gt.txt")}


def _plate_data(tmp: Path, _synth: str) -> dict[str, str]:
    """Synthesized plates (convtransformer_ocr/synth_plates.py), a CCPD folder with a foreign name, a gt.txt
    with a missing image, a charset with a repeated character."""
    import cv2
    import numpy as np

    plates = tmp / "plates"
    subprocess.run([sys.executable, os.path.join(ROOT, "convtransformer_ocr", "synth_plates.py"), "--out",
                    str(plates), "--train", "32", "--val", "8", "--workers", "1"], check=True, capture_output=True)
    val = (plates / "val" / "gt.txt").read_text(encoding="utf-8").splitlines()
    (tmp / "missing_gt").mkdir()
    (tmp / "missing_gt" / "gt.txt").write_text("\n".join([f"{plates / 'val' / 'absent.jpg'}\t京A12345", *[
        f"{plates / 'val' / line}" for line in val]]) + "\n", encoding="utf-8")
    ccpd = tmp / "ccpd"
    ccpd.mkdir()
    scene = np.full((200, 300, 3), 90, np.uint8)
    cv2.rectangle(scene, (60, 80), (240, 140), (200, 80, 20), -1)
    cv2.imwrite(str(ccpd / "025-95_113-60&80_240&140-240&140_60&140_60&80_240&80-0_0_22_27_27_33_16-37-15.jpg"),
                scene)
    cv2.imwrite(str(ccpd / "holiday_photo.jpg"), scene)
    corners = ccpd.parent / "ccpd_corners"
    corners.mkdir()
    plate = "0_0_22_27_27_33_16-37-15"
    cv2.imwrite(str(corners / f"025-95_113-60&80_240&140-240&140_60&140_60&80_240&80-{plate}.jpg"), scene)
    cv2.imwrite(str(corners / f"025-95_113-60&80_240&140-90&90_90&90_90&90_90&90-{plate}.jpg"), scene)  # coincide
    cv2.imwrite(str(corners / f"025-95_113-60&80_240&140-900&940_60&940_60&80_900&80-{plate}.jpg"), scene)  # outside
    (tmp / "repeated.txt").write_text("京\nA\n京\n", encoding="utf-8")
    return {"train": str(plates / "train"), "val": str(plates / "val"),
            "image": str(plates / "val" / val[0].split("\t")[0]), "missing_gt": str(tmp / "missing_gt"),
            "ccpd": str(ccpd), "ccpd_corners": str(corners), "repeated_charset": str(tmp / "repeated.txt")}


WORD_TRAIN = ("--train_dataset_path", "{train}", "--max_steps", "2", "--train_batch_size", "4", "--eval_interval",
              "0", "--warmup_steps", "0", "--log_interval", "1", "--save_dir", "{run}")
WORD_LMDB_CASES = (
        Case("all images corrupt", "train.py", ("{train_args}", "--train_dataset_path", "{all_corrupt}"), "error",
             "no training step could be made from"),
        Case("half the images corrupt", "train.py", ("{train_args}", "--train_dataset_path", "{half_corrupt}"),
             "skip", "corrupt images"),
        Case("every other image corrupt, 8 steps", "train.py", ("{train_args}", "--train_dataset_path",
                                                                "{every_other_corrupt}", "--max_steps", "8"),
             "skip", "corrupt images"),
        Case("same LMDB for training and evaluation", "train.py",
             ("{train_args}", "--eval_dataset_path", "{train}", "--eval_interval", "2"), "ok", "step 2: validation"),
        Case("same LMDB listed twice", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val},{val}"),
             "ok", " 48"),
        Case("num-samples beyond the LMDB", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                        "{huge_count}"), "error", "says 100000000000"),
        Case("label not UTF-8", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{non_utf8}"),
             "skip", "labels not UTF-8"),
        Case("duplicate characters", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                                 "--character", "abca"), "error", "duplicate entries: 'a'"),
        Case("bad train_mix", "train.py", ("{train_args}", "--train_mix", "{{0: [1, 3]}}"), "error",
             "train_mix: phase 0 needs one weight per training path (1)"),
        Case("size setting 0", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                           "--image_height", "0"), "error", "--image_height must be at least 1"),
)
MMOCR_JSON_CASES = (
        Case("hidden_size 0", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                         "--hidden_size", "0"), "error", "--hidden_size must be at least 1"),
        Case("annotation file not JSON", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                     "{not_json}"), "error", "cannot read MMOCR annotation file"),
        Case("annotation file without data_list", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                              "{no_data_list}"), "error", "no 'data_list' list"),
        Case("annotation with text null", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                     "{null_text}"), "skip", "without label"),
        Case("annotated image missing", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                    "{missing_image}"), "skip", "corrupt images"),
)
LINE_TRAIN = ("--train_dataset_path", "{train}", "--max_steps", "2", "--train_batch_size", "4", "--eval_interval",
              "0", "--warmup_steps", "0", "--log_interval", "1", "--bucket_steps", "2", "--save_dir", "{run}")
LINE_CASES = (
    Case("gt.txt: missing image and line without a tab", "eval.py", ("--checkpoint_path", "{ckpt}",
                                                                      "--eval_dataset_path", "{bad_gt}"),
         "skip", "without label"),
    Case("training labels outside the charset", "train.py", ("{train_args}", "--train_dataset_path", "{unknown_gt}"),
         "skip", "out-of-charset"),
    Case("evaluation labels outside the charset", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                              "{unknown_gt}"), "skip",
         "characters outside the charset kept as unknown"),
    Case("training lines wider than max_width", "train.py", ("{train_args}", "--max_width", "176"), "skip",
         "lines wider than 176 px"),
    Case("SCUT-EPT split without its image folder", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                                 "{scut_without_images}"), "error",
         "image folder {tmp}/scut/test of"),
    Case("designated characters file missing", "infer.py", ("--checkpoint_path", "{ckpt}", "--input", "{image}",
                                                            "--designated_characters", "{tmp}/absent.txt"),
         "error", "designated characters file {tmp}/absent.txt"),
    Case("width_step not a multiple of 16", "train.py", ("{train_args}", "--width_step", "40"), "error",
         "--width_step must be a positive multiple of 16"),
    Case("export width not a multiple of 16", "export.py", ("--checkpoint_path", "{ckpt}", "--export_width", "1000",
                                                            "--file_name", "{tmp}/x"), "error",
         "--export_width must be 0 (any width) or a multiple of 16"),
    Case("max_width -1", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}", "--max_width=-1"),
         "error", "--max_width must be at least 16, got '-1'"),
    Case("stage_channels with a 0", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                                "--stage_channels", "16,0,32,64"), "error",
         "--stage_channels must be at least 1"),
)
PLATE_TRAIN = ("--train_dataset_path", "{train}", "--max_steps", "2", "--train_batch_size", "4", "--eval_interval",
               "0", "--warmup_steps", "0", "--log_interval", "1", "--save_dir", "{run}")
PLATE_CASES = (
    Case("CCPD folder with a foreign file name", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                              "{ccpd}"), "skip", "names not in the CCPD layout"),
    Case("CCPD corners that coincide", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                   "{ccpd_corners}"), "skip", "plates whose corners enclose less"),
    Case("CCPD corners outside the image", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                       "{ccpd_corners}"), "skip", "corrupt images"),
    Case("gt.txt with a missing image", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                    "{missing_gt}"), "skip", "corrupt images"),
    Case("gt.txt and CCPD mixed for training", "train.py", ("{train_args}", "--train_dataset_path", "{train},{ccpd}"),
         "error", "cannot mix gt.txt datasets and CCPD folders"),
    Case("charset with a repeated character", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path",
                                                          "{val}", "--charset", "{repeated_charset}"), "error",
         "charset file {repeated_charset}"),
    Case("window_width 0", "eval.py", ("--checkpoint_path", "{ckpt}", "--eval_dataset_path", "{val}",
                                       "--window_width", "0"), "error", "--window_width must be at least 1"),
)
KINDS = {"words": (WORD_TRAIN, _word_data), "speech": (SPEECH_TRAIN, _speech_data), "lines": (LINE_TRAIN, _lines_data),
         "plates": (PLATE_TRAIN, _plate_data)}  # input kind -> (short training run, bad data builder)
CASE_SETS = {"word_lmdb": WORD_LMDB_CASES, "mmocr_json": MMOCR_JSON_CASES, "speech": SPEECH_CASES,
             "lines": LINE_CASES, "plates": PLATE_CASES}  # zoo.yaml's bad_input_cases -> their cases
MODELS = tuple(ModelRow(m.name, m.cpu_config, m.release, KINDS[m.input_kind][0], m.wider_args, KINDS[m.input_kind][1],
                        sum((CASE_SETS[name] for name in m.bad_input_cases), ())) for m in models())
CASES = [pytest.param(row, case, id=f"{row.folder}: {case.name}") for number, row in enumerate(MODELS)
         for case in GENERIC + row.cases if case.every_model or number == 0]


def _nan_checkpoint(ckpt: str, path: Path) -> str:
    """``ckpt`` with a NaN in its first weight: what a diverged run would have saved."""
    import mindspore as ms
    import numpy as np

    params = ms.load_checkpoint(ckpt)
    first = next(name for name, value in params.items() if value.asnumpy().size > 1)
    spoilt = params[first].asnumpy().copy()
    spoilt.flat[0] = np.nan
    ms.save_checkpoint([{"name": name, "data": ms.Tensor(spoilt) if name == first else value}
                        for name, value in params.items()], str(path))
    return str(path)


@pytest.fixture(scope="module")
def placeholders(synth_words, tmp_path_factory) -> dict[str, dict[str, str]]:
    """Per model: its bad data and the common bad files."""
    values = {}
    for row in MODELS:
        tmp = tmp_path_factory.mktemp(f"bad_{row.folder}")
        (tmp / "broken.yaml").write_text("device_target: [CPU\n", encoding="utf-8")
        (tmp / "garbage.ckpt").write_bytes(b"not a checkpoint")
        (tmp / "anim.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04")
        (tmp / "used_run").mkdir()
        (tmp / "used_run" / "loss.csv").write_text("step,loss,val_accuracy\n1,3.5,\n", encoding="utf-8")
        ckpt = os.path.join(ROOT, row.folder, row.checkpoint)
        shutil.copy(ckpt, tmp / "copy.ckpt")
        values[row.folder] = {"tmp": str(tmp), "broken_yaml": str(tmp / "broken.yaml"),
                              "used_run": str(tmp / "used_run"), "ckpt_copy": str(tmp / "copy.ckpt"),
                              "nan_ckpt": _nan_checkpoint(ckpt, tmp / "nan.ckpt"),
                              "garbage_ckpt": str(tmp / "garbage.ckpt"), "gif": str(tmp / "anim.gif"),
                              "ckpt": ckpt, **row.make_data(tmp, synth_words)}
    return values


def _args(row: ModelRow, args: tuple[str, ...], values: dict[str, str]) -> list[str]:
    lists = {"{train_args}": row.train_args, "{wider_args}": row.wider_args}
    expanded = [a for arg in args for a in lists.get(arg, (arg,))]
    return [a.format(**values) for a in expanded]


def _run(row: ModelRow, script: str, args: list[str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, script, "--config_path", row.config, "--device_target", "CPU", *args],
                          cwd=os.path.join(ROOT, row.folder), capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, PYTHONUNBUFFERED="1"))


@pytest.mark.parametrize("row,case", CASES)
def test_bad_input(row, case, placeholders, tmp_path):
    values = {**placeholders[row.folder], "run": str(tmp_path / "run")}
    proc = _run(row, case.script, _args(row, case.args, values))
    expect = case.expect.format(**values)
    report = f"exit {proc.returncode}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, report
    if case.outcome == "error":
        assert proc.returncode == 2, report
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), report
        assert expect in lines[0], report
    else:
        assert proc.returncode == 0, report
        assert expect in proc.stdout, report
        if case.outcome == "skip":  # counted: a non-zero number before the reason, on a "skipped:" line
            assert re.search(rf"skipped:.*\b[1-9]\d* {re.escape(expect)}", proc.stdout), report


def test_diverged_run_keeps_its_good_checkpoints(placeholders, tmp_path):
    """Non-finite loss: stop before saving or pruning, the earlier checkpoints untouched."""
    row = MODELS[0]
    values = {**placeholders[row.folder], "run": str(tmp_path / "run")}
    good = _run(row, "train.py", _args(row, ("{train_args}", "--save_checkpoint_steps", "1"), values))
    assert good.returncode == 0, good.stderr
    ckpt_dir = tmp_path / "run" / "ckpt"
    before = {p.name: p.stat().st_mtime_ns for p in ckpt_dir.iterdir()}
    # step 3 still has the saved weights' loss; its update with lr 1e38 makes step 4's loss non-finite,
    # at a step that would save a checkpoint and prune the older ones
    diverged = _run(row, "train.py", _args(row, ("{train_args}", "--max_steps", "6", "--resume", "true",
                                                 "--base_lr", "1e38", "--clip_grad_norm", "1e38",
                                                 "--nonfinite_patience", "1", "--keep_checkpoint_max", "1",
                                                 "--save_checkpoint_steps", "2"), values))
    assert diverged.returncode == 2 and "training diverged" in diverged.stderr, diverged.stdout + diverged.stderr
    assert "up to step 4" in diverged.stderr
    assert {p.name: p.stat().st_mtime_ns for p in ckpt_dir.iterdir()} == before


def test_kill_9_then_resume_equals_an_uninterrupted_run(placeholders, tmp_path):
    row = MODELS[0]
    steps = ("--max_steps", "12", "--save_checkpoint_steps", "4", "--log_interval", "1")
    values = {**placeholders[row.folder], "run": str(tmp_path / "whole")}
    whole = _run(row, "train.py", _args(row, ("{train_args}", *steps), values))
    assert whole.returncode == 0, whole.stderr

    values["run"] = str(tmp_path / "killed")
    cmd = [sys.executable, "train.py", "--config_path", row.config, "--device_target", "CPU",
           *_args(row, ("{train_args}", *steps), values)]
    proc = subprocess.Popen(cmd, cwd=os.path.join(ROOT, row.folder), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    ckpt_dir = tmp_path / "killed" / "ckpt"
    deadline = time.time() + 300
    for line in proc.stdout:  # kill as soon as step 5 is logged: the step-4 checkpoint is on disk
        if line.startswith("step 5/") or time.time() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    saved = sorted(p.name for p in ckpt_dir.iterdir() if p.is_file())
    assert len(saved) == 1 and saved[0].endswith("-4.ckpt"), saved
    resumed = _run(row, "train.py", _args(row, ("{train_args}", *steps, "--resume", "true"), values))
    assert resumed.returncode == 0 and "at step 4" in resumed.stdout, resumed.stdout + resumed.stderr
    assert not [p for p in ckpt_dir.iterdir() if p.name.startswith(".tmp")]
    assert len(losses(tmp_path / "killed")) == 12
    assert losses(tmp_path / "killed")[4:] == pytest.approx(losses(tmp_path / "whole")[4:], rel=1e-3)


def _checkpoints_are_finite(folder: Path) -> list[str]:
    import mindspore as ms
    import numpy as np

    return [p.name for p in sorted(folder.rglob("*.ckpt"))
            if not all(np.isfinite(v.asnumpy()).all() for v in ms.load_checkpoint(str(p)).values())]


def test_divergence_keeps_no_nonfinite_weights(placeholders, tmp_path):
    """A huge learning rate: the loss before the update is finite, the weights (or BatchNorm statistics) after it
    are not, or the loss grows by orders of magnitude: an error, and every checkpoint kept holds finite weights."""
    row = MODELS[0]
    values = {**placeholders[row.folder], "run": str(tmp_path / "run")}
    proc = _run(row, "train.py", _args(row, ("{train_args}", "--base_lr", "1000000.0", "--max_steps", "8",
                                             "--save_checkpoint_steps", "1", "--keep_checkpoint_max", "1"), values))
    assert proc.returncode == 2 and "training diverged" in proc.stderr, proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert _checkpoints_are_finite(tmp_path / "run") == []


def test_a_used_save_dir_is_refused_unless_told_to_start_over(placeholders, tmp_path):
    row = MODELS[0]
    values = {**placeholders[row.folder], "run": str(tmp_path / "run")}
    first = _run(row, "train.py", _args(row, ("{train_args}", "--save_checkpoint_steps", "1"), values))
    assert first.returncode == 0, first.stderr
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "run").rglob("*") if p.is_file()}
    again = _run(row, "train.py", _args(row, ("{train_args}", "--max_steps", "1"), values))
    assert again.returncode == 2 and "already holds a run" in again.stderr, again.stderr
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "run").rglob("*") if p.is_file()} == before
    over = _run(row, "train.py", _args(row, ("{train_args}", "--max_steps", "1", "--overwrite", "true"), values))
    assert over.returncode == 0, over.stderr
    assert sorted(p.name for p in (tmp_path / "run" / "ckpt").iterdir()) == [f"{row.folder.upper()}-1.ckpt"]
    assert len(losses(tmp_path / "run")) == 1


def test_resume_redoes_an_evaluation_killed_midway(placeholders, tmp_path):
    """kill -9 during the evaluation of step 4: its checkpoint and loss row are on disk, its score and best.ckpt
    are not (the disk state is made from an uninterrupted run's step-4 checkpoint). --resume evaluates step 4
    again: the same scores, best.ckpt and loss curve as the uninterrupted run."""
    row = MODELS[0]
    steps = ("--max_steps", "8", "--save_checkpoint_steps", "4", "--eval_interval", "4", "--eval_dataset_path",
             "{val}", "--lr_decay", "constant")
    values = {**placeholders[row.folder], "run": str(tmp_path / "whole")}
    whole = _run(row, "train.py", _args(row, ("{train_args}", *steps), values))
    assert whole.returncode == 0, whole.stderr
    killed = tmp_path / "killed"
    (killed / "ckpt").mkdir(parents=True)
    name = f"{model(row.folder).checkpoint_prefix}-4.ckpt"
    shutil.copy(tmp_path / "whole" / "ckpt" / name, killed / "ckpt" / name)
    rows = (tmp_path / "whole" / "loss.csv").read_text(encoding="utf-8").splitlines()[:5]
    (killed / "loss.csv").write_text("\n".join(rows[:4] + [rows[4].rsplit(",", 1)[0] + ","]) + "\n", encoding="utf-8")
    values["run"] = str(killed)
    resumed = _run(row, "train.py", _args(row, ("{train_args}", *steps, "--resume", "true"), values))
    assert resumed.returncode == 0 and "step 4: validation" in resumed.stdout, resumed.stdout + resumed.stderr
    with open(killed / "loss.csv", encoding="utf-8") as f, open(tmp_path / "whole" / "loss.csv", encoding="utf-8") as g:
        got, want = list(csv.DictReader(f)), list(csv.DictReader(g))
    assert [(r["step"], r["val_accuracy"]) for r in got] == [(r["step"], r["val_accuracy"]) for r in want]
    assert want[3]["val_accuracy"] and [float(r["loss"]) for r in got] == pytest.approx(
        [float(r["loss"]) for r in want], rel=1e-3)
    import mindspore as ms

    best = {k: v.asnumpy() for k, v in ms.load_checkpoint(str(killed / "best.ckpt")).items()}
    straight = {k: v.asnumpy() for k, v in ms.load_checkpoint(str(tmp_path / "whole" / "best.ckpt")).items()}
    assert best["step"] == straight["step"] and best["best_score"] == pytest.approx(straight["best_score"])


def test_a_checkpoint_read_with_its_classes_reordered_is_refused(placeholders, tmp_path):
    """Training saves the digest of its class list; eval.py with the same characters in another order (which
    would give wrong text with exit 0, e.g. convtransformer_ocr's --charset reordered) is an error.  The digest is
    model_utils' (the same for a --character string or a charset file): once, on the first model."""
    row = MODELS[0]
    values = {**placeholders[row.folder], "run": str(tmp_path / "run")}
    trained = _run(row, "train.py", _args(row, ("{train_args}", "--max_steps", "1"), values))
    assert trained.returncode == 0, trained.stderr
    reordered = ["--character", "0123456789abcdefghijklmnopqrstuvwxyz"[::-1]]
    ckpt = next((tmp_path / "run" / "ckpt").glob("*-1.ckpt"))
    same = _run(row, "eval.py", ["--checkpoint_path", str(ckpt), "--eval_dataset_path", values["val"]])
    assert same.returncode == 0, same.stderr
    other = _run(row, "eval.py", ["--checkpoint_path", str(ckpt), "--eval_dataset_path", values["val"], *reordered])
    assert other.returncode == 2 and other.stderr.splitlines() == [other.stderr.strip()], other.stderr
    assert other.stderr.startswith(f"error: checkpoint {ckpt} was trained with another class list")
