"""Online augmentation (``model_utils.augment``): every op keeps dtype and channels and changes the image,
draws are deterministic per (seed, epoch, index) and new at every epoch, a resumed pipeline draws exactly the
augmentations of an uninterrupted one, and evaluation is never augmented."""
from __future__ import annotations

import importlib
import os

import cv2
import numpy as np
import pytest

from cnnctc.src.model_utils.augment import OPS, Augmenter
from cnnctc.src.model_utils.config import load_config
from cnnctc.src.model_utils.entry import training_source
from cnnctc.src.model_utils.errors import ConfigError
from cnnctc.src.model_utils.fit import TrainData
from cnnctc.src.model_utils.sampler import sample_order
from cnnctc.src.parts import PARTS as CNNCTC
from conftest import ROOT
from lmdb_builder import make_lmdb
from zoo_registry import models

IMAGE_MODELS = [m.name for m in models() if m.input_kind != "speech"]
WORDS = ["12", "345", "6789", "1024", "77", "908", "31", "4567"]


def text_image(text: str = "Ab12", height: int = 32, width: int = 96) -> np.ndarray:
    """A small RGB word image: dark blue text on a light background with a gradient."""
    image = np.empty((height, width, 3), np.uint8)
    image[:] = np.linspace(200, 240, width, dtype=np.uint8)[None, :, None]
    cv2.putText(image, text, (4, height - 8), cv2.FONT_HERSHEY_SIMPLEX, height / 36, (20, 40, 120), 2)
    return image


def encoded(text: str) -> bytes:
    return cv2.imencode(".png", text_image(text, 30 + 2 * len(text), 20 * len(text) + 20))[1].tobytes()


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
@pytest.mark.parametrize("gray", [False, True], ids=["rgb", "gray"])
def test_every_op_keeps_dtype_and_channels_and_changes_the_image(op, gray):
    image = text_image()
    if gray:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    for seed in range(4):
        out = op.apply(image, np.random.default_rng(seed), 1.0)
        assert out.dtype == np.uint8 and out.ndim == image.ndim and out.shape[2:] == image.shape[2:]
        assert out.shape[0] >= image.shape[0] // 2 and out.shape[1] >= image.shape[1] // 2
        if not (gray and op.name == "colour"):  # colour changes colour images only
            assert out.shape != image.shape or not np.array_equal(out, image), f"{op.name}, seed {seed}"


def test_draws_are_deterministic_per_seed_epoch_and_index():
    image = text_image()
    augment, again = Augmenter(seed=3, prob=2.0), Augmenter(seed=3, prob=2.0)
    first = augment(image, 0, 5)
    assert np.array_equal(first, again(image, 0, 5))
    for other in (augment(image, 1, 5), augment(image, 0, 6), Augmenter(seed=4, prob=2.0)(image, 0, 5)):
        assert other.shape != first.shape or not np.array_equal(other, first)


def test_channels_layout_settings_and_tiny_images():
    gray = cv2.cvtColor(text_image(), cv2.COLOR_RGB2GRAY)[:, :, None]
    out = Augmenter(seed=1, prob=3.0)(gray, 0, 0)
    assert out.ndim == 3 and out.shape[2] == 1 and out.dtype == np.uint8 and out.flags.c_contiguous
    assert np.array_equal(Augmenter(seed=1, prob=0.0)(text_image(), 0, 0), text_image())
    tiny = np.zeros((4, 30, 3), np.uint8)
    assert Augmenter(seed=1, prob=3.0)(tiny, 0, 0) is tiny
    skipped = Augmenter(seed=1, prob=20.0, skip=[op.name for op in OPS if op.name != "invert"])
    assert np.array_equal(skipped(text_image(), 0, 0), 255 - text_image())
    with pytest.raises(ConfigError, match="blurry"):
        Augmenter(seed=1, skip=["blurry"])
    with pytest.raises(ConfigError, match="augment_strength"):
        Augmenter(seed=1, strength=-1.0)


def test_draw_epochs_count_each_samples_earlier_draws():
    groups = [np.arange(10), np.arange(10, 14)]
    plain = sample_order(groups, None, total_steps=7, batch_size=4, slack=0.0, epochs=True)
    assert np.array_equal(plain[:14, 1], np.zeros(14)) and np.array_equal(plain[14:28, 1], np.ones(14))
    mixed = sample_order(groups, {0.0: [1, 3]}, total_steps=20, batch_size=4, seed=2, epochs=True)
    for index in range(14):
        assert list(mixed[mixed[:, 0] == index, 1]) == list(range(np.sum(mixed[:, 0] == index)))
    resumed = sample_order(groups, {0.0: [1, 3]}, total_steps=20, batch_size=4, start_step=9, seed=2, epochs=True)
    assert np.array_equal(resumed, mixed[36:])
    shards = [sample_order(groups, {0.0: [1, 3]}, 20, 2, start_step=9, num_shards=2, shard_id=r, seed=2, epochs=True)
              for r in range(2)]
    assert np.array_equal(np.stack(shards, 1).reshape(-1, 2)[:len(mixed) - 36], mixed[36:])
    assert np.array_equal(mixed[:, 0], sample_order(groups, {0.0: [1, 3]}, 20, 4, seed=2))


def model_config(model: str, *overrides: str):
    return load_config(["--augment", "true", "--num_workers", "2", *overrides],
                       default_path=os.path.join(ROOT, model, "default_config.yaml"))


def word_lmdb(folder) -> str:
    """``WORDS`` in a word LMDB (cnnctc's and crnn's format; one per model: each model_utils copy opens its own)."""
    return make_lmdb(str(folder / "words"), [(encoded(w), w) for w in WORDS])


def batches(source, order: np.ndarray, cfg) -> list[tuple[np.ndarray, np.ndarray]]:
    """(inputs, sample indices) of every batch of 2 of ``source`` in ``order`` through the model's pipeline."""
    dataset = CNNCTC.dataset(cfg, source, 2, order)
    return [(inputs, indices) for inputs, _, _, indices in dataset.create_tuple_iterator(num_epochs=1,
                                                                                        output_numpy=True)]


def test_a_resumed_pipeline_draws_the_augmentations_of_an_uninterrupted_run(tmp_path):
    words = word_lmdb(tmp_path)
    cfg = model_config("cnnctc")
    converter = CNNCTC.label_converter(cfg)
    source = training_source(cfg, CNNCTC, [words], converter)
    assert TrainData(source, lambda order: None).augmented
    groups = source.indices_by_entry()
    whole = sample_order(groups, None, total_steps=8, batch_size=2, seed=cfg.seed, slack=0.0, epochs=True)
    resumed = sample_order(groups, None, total_steps=8, batch_size=2, start_step=3, seed=cfg.seed, slack=0.0,
                           epochs=True)
    run, after_resume = batches(source, whole, cfg), batches(source, resumed, cfg)
    assert len(run) == 9 and len(after_resume) == 6  # one step more: sample_order's end
    for (inputs, indices), (again, again_indices) in zip(run[3:], after_resume):
        assert np.array_equal(indices, again_indices) and np.array_equal(inputs, again)
    plain = batches(CNNCTC.source(cfg, [words], converter, False), whole[:, 0], cfg)
    seen: dict[int, list[np.ndarray]] = {}
    for (inputs, indices), (plain_inputs, _) in zip(run, plain):
        assert inputs.shape == plain_inputs.shape and inputs.dtype == plain_inputs.dtype
        for image, index in zip(inputs, indices):
            seen.setdefault(int(index), []).append(image)
    changed = [not np.array_equal(a, b) for (a, _), (b, _) in zip(run, plain)]
    assert sum(changed) >= 7
    new_each_epoch = [not np.array_equal(images[0], images[1]) for images in seen.values()]
    assert len(new_each_epoch) == len(WORDS) and sum(new_each_epoch) >= len(WORDS) - 1


def gt_dataset(folder) -> str:
    """``WORDS`` as PNG files listed in a gt.txt (handwritten_zh's and convtransformer_ocr's format)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "gt.txt"), "w", encoding="utf-8") as f:
        for number, word in enumerate(WORDS):
            with open(os.path.join(folder, f"{number}.png"), "wb") as image:
                image.write(encoded(word))
            f.write(f"{number}.png\t{word}\n")
    return os.path.join(folder, "gt.txt")


@pytest.mark.parametrize("model", IMAGE_MODELS)
def test_each_image_model_augments_training_draws_only(model, tmp_path):
    parts = importlib.import_module(f"{model}.src.parts").PARTS
    cfg = model_config(model)
    converter = parts.label_converter(cfg)
    paths = [word_lmdb(tmp_path)] if model in ("cnnctc", "crnn") else [gt_dataset(str(tmp_path / "gt"))]
    train = training_source(cfg, parts, paths, converter)
    plain = parts.source(cfg, paths, converter, False)
    evaluation = parts.source(cfg, paths, converter, True)
    assert plain.augment is None and evaluation.augment is None
    for index in range(len(WORDS)):
        reference = plain[index][0]
        assert np.array_equal(train[index][0], reference)  # read without a draw: evaluation's way
        assert np.array_equal(evaluation[index][0], evaluation.draw(index, 1)[0])
        draws = [train.draw(index, epoch)[0] for epoch in range(3)]
        assert np.array_equal(draws[0], train.draw(index, 0)[0])
        kept = (lambda shape: shape[0::2]) if model == "handwritten_zh" else (lambda shape: shape)  # lines: height
        for image in draws:
            assert image.dtype == reference.dtype and kept(image.shape) == kept(reference.shape)
        assert any(image.shape != reference.shape or not np.array_equal(image, reference) for image in draws)


def test_preview_sheet_shows_the_image_and_every_op(tmp_path):
    import augment_preview

    path, out = str(tmp_path / "word.png"), str(tmp_path / "sheet.png")
    cv2.imwrite(path, text_image())
    assert augment_preview.main(["--image", path, "--out", out, "--columns", "3", "--height", "24"]) == out
    sheet = cv2.imread(out)
    assert sheet.shape[0] == (1 + len(OPS)) * (24 + augment_preview.GAP) - augment_preview.GAP


def test_benchmark_times_the_augmented_training_pipeline(tmp_path):
    import benchmark

    make_lmdb(str(tmp_path / "bench" / "train"), [(encoded(w), w) for w in WORDS])
    cfg = load_config([], default_path=os.path.join(ROOT, "cnnctc", "cpu_small.yaml"))
    dataset = benchmark.augmented_pipeline("cnnctc", cfg, 2, 3, str(tmp_path / "bench"))
    assert benchmark.pipeline_rate(dataset, 2, batches=2) > 0
