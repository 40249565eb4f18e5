"""convtransformer_ocr/convert_modelscope.py against a PyTorch twin of ModelScope's ConvNextViT
(convtransformer_ocr/modelscope_twin.py): the converted checkpoint gives the twin's logits on 32x804
lines (three windows stitched to 201 steps) and on one-window plates, each side with its own preprocessing;
ModelScope's checkpoint layouts convert to the same tensors; bad checkpoints and vocabularies are refused with
one ``error:`` line (exit 2)."""
from __future__ import annotations

import json
import os

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import mindspore as ms  # noqa: E402

from conftest import ROOT, error_line, run_script  # noqa: E402
from convtransformer_ocr.modelscope_twin import (logits_of, modelscope_line, modelscope_windows,  # noqa: E402
                                                 random_twin)
from convtransformer_ocr.src.model_utils.checkpoint import load_into, read_checkpoint  # noqa: E402
from convtransformer_ocr.src.model_utils.config import load_config  # noqa: E402
from convtransformer_ocr.src.network import build_network  # noqa: E402
from convtransformer_ocr.src.preprocess import line_input, pad_line  # noqa: E402

torch.set_num_threads(1)
MODEL = "convtransformer_ocr"
KEYS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                    "modelscope_convnextvit_state_dict_keys.json")  # a copy of ../shared/reference's
TOLERANCE = 1e-4
LINES = [(40, 1500), (48, 520), (32, 804)]  # (height, width): squeezed, padded, exact
PLATES = [(140, 440), (50, 100)]
SMALL_TWIN = dict(depths=(1, 1, 1, 1), dims=(8, 8, 16, 16), dim=12, depth=2, heads=3, num_classes=74)
SMALL_ARGS = ["--depths", "1,1,1,1", "--dims", "8,8,16,16", "--embed_dim", "12", "--vit_depth", "2",
              "--num_classes", "0"]  # the plate charset's 72 characters + blank + reserved = 74 classes


def _line_image(height: int, width: int, seed: int) -> np.ndarray:
    """An RGB uint8 text-line-like image: a coloured smooth background with dark strokes."""
    rng = np.random.default_rng(seed)
    image = cv2.GaussianBlur(rng.integers(60, 256, (height, width, 3), dtype=np.uint8), (5, 5), 0)
    for _ in range(max(3, width // 15)):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        colour = tuple(int(c) for c in rng.integers(0, 80, 3))
        cv2.line(image, (x, 0), (min(width - 1, x + int(rng.integers(-8, 9))), y), colour, 2)
    return image


@pytest.fixture(scope="module")
def twin():
    return random_twin(seed=7)


@pytest.fixture(scope="module")
def converted(twin, tmp_path_factory) -> str:
    """The full-size twin's bare state_dict converted to a MindSpore checkpoint."""
    folder = tmp_path_factory.mktemp("convert")
    src, dst = str(folder / "bare.pth"), str(folder / "bare.ckpt")
    torch.save(twin.state_dict(), src)
    proc = run_script(MODEL, "convert_modelscope.py", src, dst)
    assert f"converted 321 tensors of {src} to {dst}" in proc.stdout
    return dst


def _network(checkpoint: str, *overrides: str):
    net = build_network(load_config(list(overrides), default_path=os.path.join(ROOT, MODEL, "default_config.yaml")))
    load_into(net, checkpoint)
    net.set_train(False)
    return net


def _convert_fails(tmp_path, state, *args: str) -> str:
    """Save ``state``, run the converter on it; assert exit 2, one ``error:`` line and no output; return the line."""
    src = str(tmp_path / "bad.pth")
    torch.save(state, src)
    proc = run_script(MODEL, "convert_modelscope.py", src, str(tmp_path / "out.ckpt"), *args, check=False)
    return error_line(proc, str(tmp_path / "out.ckpt"))


def test_twin_state_dict_has_modelscope_keys_shapes_and_dtypes_in_order(twin):
    with open(KEYS, encoding="utf-8") as f:
        expected = [[name, list(shape), dtype] for name, shape, dtype in json.load(f)]
    ours = [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in twin.state_dict().items()]
    assert ours == expected
    assert sum(p.numel() for p in twin.parameters()) == 19_177_980


def test_our_preprocessing_is_the_twins_and_its_windows_are_the_networks_crops():
    for seed, (height, width) in enumerate(LINES + PLATES):
        image = _line_image(height, width, seed)
        for line_width in (804, 300):
            np.testing.assert_array_equal(pad_line(image, line_width), modelscope_line(image, line_width))
        ours, windows = line_input(image, 804), modelscope_windows(image)
        for window, left in zip(windows, (0, 252, 504)):
            np.testing.assert_array_equal(ours[:, :, left:left + 300], window)


def test_converted_checkpoint_gives_twin_logits_on_804_px_lines(converted, twin):
    images = [_line_image(h, w, seed) for seed, (h, w) in enumerate(LINES)]
    expected = logits_of(twin, images)
    got = _network(converted)(ms.Tensor(np.stack([line_input(image, 804) for image in images]))).asnumpy()
    assert got.shape == expected.shape == (len(images), 201, 7644)
    assert expected.std(1).mean() > 0.5 and np.ptp(expected.argmax(-1)) > 100, "logits too flat to prove anything"
    assert np.abs(got - expected).max() <= TOLERANCE


def test_converted_checkpoint_reads_one_window_plates_as_the_twin(converted, twin):
    images = [_line_image(h, w, 10 + seed) for seed, (h, w) in enumerate(PLATES)]
    expected = logits_of(twin, images, width=300)
    got = _network(converted, "--line_width", "300")(
        ms.Tensor(np.stack([line_input(image, 300) for image in images]))).asnumpy()
    assert got.shape == expected.shape == (len(images), 75, 7644)
    assert np.abs(got - expected).max() <= TOLERANCE


def test_prefixes_and_state_dict_wrapping_convert_to_the_same_tensors(tmp_path):
    state = random_twin(seed=3, **SMALL_TWIN).state_dict()
    layouts = {"bare": state,
               "wrapped": {"state_dict": {f"module.recognizer.{k}": v for k, v in state.items()}},
               "recognizer": {f"recognizer.{k}": v for k, v in state.items()}}
    converted = {}
    for name, layout in layouts.items():
        src, dst = str(tmp_path / f"{name}.pth"), str(tmp_path / f"{name}.ckpt")
        torch.save(layout, src)
        run_script(MODEL, "convert_modelscope.py", src, dst, *SMALL_ARGS)
        converted[name] = {k: v.asnumpy() for k, v in read_checkpoint(dst).items()}
    assert len(converted["bare"]) == len(state)
    assert "vitstr.blocks.1.norm2.gamma" in converted["bare"] and "cnn_model.stages.3.0.gamma" in converted["bare"]
    np.testing.assert_array_equal(converted["bare"]["vitstr.blocks.1.norm2.gamma"],
                                  state["vitstr.blocks.1.norm2.weight"].numpy())
    for name in ("wrapped", "recognizer"):
        assert sorted(converted[name]) == sorted(converted["bare"])
        for key, value in converted["bare"].items():
            np.testing.assert_array_equal(converted[name][key], value, err_msg=f"{name}: {key}")
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp")]


def test_vocabulary_file_gives_the_class_count(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("".join(f"{c}\n" for c in "0123456789"), encoding="utf-8")
    src, dst = str(tmp_path / "twin.pth"), str(tmp_path / "twin.ckpt")
    torch.save(random_twin(seed=4, **dict(SMALL_TWIN, num_classes=12)).state_dict(), src)
    proc = run_script(MODEL, "convert_modelscope.py", src, dst, "--vocab", str(vocab), *SMALL_ARGS)
    assert "vocabulary" in proc.stdout and "10 characters" in proc.stdout and f"--charset {vocab}" in proc.stdout
    assert read_checkpoint(dst)["vitstr.head.weight"].shape == (12, 12)


def test_vocabulary_larger_than_the_head_is_refused(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("".join(f"{chr(0x4E00 + i)}\n" for i in range(7643)), encoding="utf-8")
    line = _convert_fails(tmp_path, {"vitstr.head.bias": torch.zeros(7644)}, "--vocab", str(vocab))
    assert "--num_classes 7644 is too small" in line and "needs 7645 classes" in line


def test_unmapped_missing_and_mismatched_keys_are_refused_together_by_name(tmp_path):
    state = dict(random_twin(seed=5, **SMALL_TWIN).state_dict())
    state["vitstr.blocks.2.norm1.weight"] = torch.ones(12)  # a third block: the small network has two
    del state["vitstr.pos_embed"]
    state["vitstr.head.weight"], state["vitstr.head.bias"] = torch.zeros(7644, 12), torch.zeros(7644)
    line = _convert_fails(tmp_path, state, *SMALL_ARGS)
    assert "does not fit ModelScope's ConvNextViT" in line
    assert "1 unmapped: vitstr.blocks.2.norm1.weight" in line
    assert "1 missing from the file: vitstr.pos_embed" in line
    assert ("2 with another shape: vitstr.head.weight: file (7644, 12) vs network (74, 12), "
            "vitstr.head.bias: file (7644,) vs network (74,)") in line


def test_files_that_are_not_checkpoints_give_one_error_line(tmp_path):
    notes = tmp_path / "notes.pth"
    notes.write_text("not a checkpoint\n", encoding="utf-8")
    proc = run_script(MODEL, "convert_modelscope.py", str(notes), str(tmp_path / "out.ckpt"), *SMALL_ARGS,
                      check=False)
    line = error_line(proc, str(tmp_path / "out.ckpt"))
    assert "cannot read" in line and "notes.pth as a PyTorch checkpoint" in line
    assert "holds no state_dict" in _convert_fails(tmp_path, {"state_dict": {}}, *SMALL_ARGS)
