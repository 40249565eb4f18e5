"""crnn/convert_mmocr.py against a PyTorch twin of MMOCR's CRNN (crnn/mmocr_twin.py): the converted
checkpoint gives the twin's logits on images of several sizes (each side with its own preprocessing), both
MMOCR checkpoint layouts convert, MindSpore's LSTM takes PyTorch's gate blocks as they are, and bad
checkpoints are refused with one ``error:`` line (exit 2)."""
from __future__ import annotations

import json
import os

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import mindspore as ms  # noqa: E402
from mindspore import nn  # noqa: E402

from conftest import error_line, run_script  # noqa: E402
from crnn.mmocr_twin import greedy_text, logits_of, mmocr_test_input, mmocr_test_width, random_twin  # noqa: E402
from crnn.src import preprocess  # noqa: E402
from crnn.src.crnn import build_network  # noqa: E402
from crnn.src.model_utils.checkpoint import load_into, read_checkpoint  # noqa: E402
from crnn.src.model_utils.config import load_config  # noqa: E402

torch.set_num_threads(1)
MMOCR_KEYS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                          "mmocr_crnn_state_dict_keys.json")  # a copy of ../shared/reference's
SIZES = [(32, 100), (48, 200), (20, 30), (64, 40), (37, 251)]  # (height, width) of the test images
TOLERANCE = 1e-4


def _image(height: int, width: int, seed: int) -> np.ndarray:
    """A gray uint8 word-like image: smooth noise with dark strokes."""
    rng = np.random.default_rng(seed)
    image = cv2.GaussianBlur(rng.integers(90, 256, (height, width), dtype=np.uint8), (5, 5), 0)
    for _ in range(max(2, width // 20)):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        cv2.line(image, (x, 0), (min(width - 1, x + int(rng.integers(-8, 9))), y), int(rng.integers(0, 60)), 2)
    return image


@pytest.fixture(scope="module")
def images() -> list[np.ndarray]:
    return [_image(h, w, seed) for seed, (h, w) in enumerate(SIZES)]


@pytest.fixture(scope="module")
def twin():
    return random_twin(seed=7)


@pytest.fixture(scope="module")
def converted(twin, tmp_path_factory) -> str:
    """The twin's bare state_dict converted to a MindSpore checkpoint."""
    folder = tmp_path_factory.mktemp("convert")
    src = str(folder / "bare.pth")
    torch.save(twin.state_dict(), src)
    dst = str(folder / "bare.ckpt")
    proc = run_script("crnn", "convert_mmocr.py", src, dst)
    assert "converted 46 tensors" in proc.stdout and "3 num_batches_tracked dropped" in proc.stdout
    return dst


@pytest.fixture(scope="module")
def network(converted):
    net = build_network(load_config([]))
    load_into(net, converted)
    net.set_train(False)
    return net


def _convert_fails(tmp_path, state: dict, name: str = "bad.pth") -> str:
    """Save ``state``, run the converter on it; assert exit 2 and one ``error:`` line; return that line."""
    src = str(tmp_path / name)
    torch.save(state, src)
    out = str(tmp_path / "out.ckpt")
    return error_line(run_script("crnn", "convert_mmocr.py", src, out, check=False), out)


def test_twin_state_dict_has_mmocr_keys_shapes_and_dtypes_in_order(twin):
    with open(MMOCR_KEYS, encoding="utf-8") as f:
        expected = [[name, list(shape), dtype] for name, shape, dtype in json.load(f)]
    ours = [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in twin.state_dict().items()]
    assert ours == expected
    assert sum(p.numel() for p in twin.parameters()) == 8_331_301


def test_twin_gives_w_over_4_plus_1_steps_of_37_classes(twin):
    with torch.no_grad():
        assert tuple(twin(torch.zeros(2, 1, 32, 100)).shape) == (2, 26, 37)
    assert logits_of(twin, _image(32, 100, 0)).shape == (25, 37)  # test width 96


def test_mindspore_lstm_takes_pytorch_gate_order_ifgo_and_both_biases_as_they_are():
    """Copying weight_ih/weight_hh/bias_ih/bias_hh of both directions unchanged gives PyTorch's outputs; any
    other order of the four gate blocks does not (so MindSpore 2.10 uses PyTorch's i, f, g, o)."""
    torch.manual_seed(0)
    reference = torch.nn.LSTM(5, 4, bidirectional=True).eval()
    x = np.random.default_rng(0).normal(size=(6, 2, 5)).astype(np.float32)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x))[0].numpy()
    state = {k: v.numpy() for k, v in reference.state_dict().items()}
    lstm = nn.LSTM(5, 4, num_layers=1, bidirectional=True)

    def run(order: list[int]) -> float:
        for p in lstm.get_parameters():
            blocks = np.split(state[p.name.split(".")[-1]], 4)
            p.set_data(ms.Tensor(np.concatenate([blocks[i] for i in order])))
        return float(np.abs(lstm(ms.Tensor(x))[0].asnumpy() - expected).max())

    assert run([0, 1, 2, 3]) <= 1e-5
    for order in ([0, 1, 3, 2], [0, 2, 1, 3], [1, 0, 2, 3]):  # i,f,o,g / i,g,f,o / f,i,g,o
        assert run(order) > 1e-2, order


def test_converted_checkpoint_gives_twin_logits_on_images_of_several_sizes(network, twin, images):
    widths = set()
    for image in images:
        ours = preprocess.to_network_input(preprocess.resize(image, 32, 100, keep_ratio=True))
        theirs = mmocr_test_input(image)
        assert ours.shape == theirs.shape, image.shape
        widths.add(ours.shape[-1])
        expected = logits_of(twin, image)
        got = network(ms.Tensor(ours[None]))[0].asnumpy()
        assert got.shape == expected.shape == (ours.shape[-1] // 4 + 1, 37)
        assert expected.std(0).mean() > 0.1 and np.ptp(expected.argmax(-1)) > 0, "logits too flat to prove anything"
        assert np.abs(got - expected).max() <= TOLERANCE, image.shape
    assert len(widths) >= 4


def test_mmocr_layout_with_meta_and_module_prefix_converts_to_the_same_checkpoint(twin, converted, tmp_path):
    wrapped = {"meta": {"mmocr_version": "1.0.0", "epoch": 5},
               "state_dict": {f"module.{k}": v for k, v in twin.state_dict().items()}}
    src, dst = str(tmp_path / "wrapped.pth"), str(tmp_path / "wrapped.ckpt")
    torch.save(wrapped, src)
    run_script("crnn", "convert_mmocr.py", src, dst)
    bare, again = read_checkpoint(converted), read_checkpoint(dst)
    assert sorted(bare) == sorted(again)
    for name in bare:
        np.testing.assert_array_equal(bare[name].asnumpy(), again[name].asnumpy(), err_msg=name)
    assert "backbone.cnn.batchnorm6.moving_variance" in again and not any("num_batches" in n for n in again)
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp")]


def test_converted_checkpoint_in_infer_py_reads_the_twins_texts(converted, twin, images, tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for n, image in enumerate(images):
        cv2.imwrite(str(folder / f"word_{n}.png"), image)
    output = str(tmp_path / "preds.tsv")
    run_script("crnn", "infer.py", "--device_target", "CPU", "--checkpoint_path", converted,
               "--input", str(folder), "--output", output, "--infer_width_bucket", "0")  # MMOCR's exact widths
    with open(output, encoding="utf-8") as f:
        texts = {os.path.basename(row.split("\t")[0]): row.split("\t")[1] for row in f.read().splitlines()}
    assert texts == {f"word_{n}.png": greedy_text(logits_of(twin, image)) for n, image in enumerate(images)}


def test_extra_key_is_refused_naming_it(twin, tmp_path):
    state = dict(twin.state_dict(), **{"decoder.decoder.2.embedding.weight": torch.zeros(3, 3)})
    line = _convert_fails(tmp_path, state)
    assert "1 unmapped: decoder.decoder.2.embedding.weight" in line


def test_wrong_shape_is_refused_naming_key_and_both_shapes(twin, tmp_path):
    state = dict(twin.state_dict())
    state["decoder.decoder.1.embedding.weight"] = torch.zeros(95, 512)  # another alphabet
    state["decoder.decoder.1.embedding.bias"] = torch.zeros(95)
    line = _convert_fails(tmp_path, state)
    assert "2 with another shape" in line
    assert "decoder.decoder.1.embedding.weight: file (95, 512) vs network (37, 512)" in line
    assert "decoder.decoder.1.embedding.bias: file (95,) vs network (37,)" in line


def test_missing_tensor_is_refused_naming_the_network_parameter(twin, tmp_path):
    state = {k: v for k, v in twin.state_dict().items() if not k.startswith("backbone.cnn.batchnorm4.running_var")}
    line = _convert_fails(tmp_path, state)
    assert "1 missing from the file: backbone.cnn.batchnorm4.moving_variance" in line


def test_missing_file_gives_one_error_line(tmp_path):
    proc = run_script("crnn", "convert_mmocr.py", str(tmp_path / "nowhere.pth"), str(tmp_path / "out.ckpt"),
                      check=False)
    assert "nowhere.pth does not exist" in error_line(proc, str(tmp_path / "out.ckpt"))


def test_file_that_is_not_a_torch_checkpoint_gives_one_error_line(tmp_path):
    src = tmp_path / "notes.pth"
    src.write_text("not a checkpoint\n", encoding="utf-8")
    proc = run_script("crnn", "convert_mmocr.py", str(src), str(tmp_path / "out.ckpt"), check=False)
    line = error_line(proc, str(tmp_path / "out.ckpt"))
    assert "cannot read" in line and "notes.pth as a PyTorch checkpoint" in line


def test_without_torch_the_converter_says_how_to_install_it(tmp_path, monkeypatch):
    fake = tmp_path / "no_torch" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named torch (hidden by the test)')\n")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    src = tmp_path / "model.pth"
    src.write_bytes(b"\0")
    proc = run_script("crnn", "convert_mmocr.py", str(src), str(tmp_path / "out.ckpt"), check=False)
    assert error_line(proc, str(tmp_path / "out.ckpt")) == (
        "error: converting needs PyTorch: pip install -r requirements-convert.txt")


def test_keep_ratio_width_follows_mmocr_float_arithmetic_on_rare_sizes():
    for height, width in ((364, 1183), (372, 1209), (396, 1287)):
        assert preprocess.rescaled_width(height, width) == mmocr_test_width(height, width), (height, width)
