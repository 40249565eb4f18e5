"""CTC loss against a NumPy forward-algorithm reference (full and per-sample input lengths), the LR schedule,
and config parsing (types, float spellings, choices, base files, overrides)."""
from __future__ import annotations

import mindspore as ms
import numpy as np
import pytest

from cnnctc.src.model_utils.config import DEFAULT_CONFIG as DEFAULT
from cnnctc.src.model_utils.config import load_config, with_overrides
from cnnctc.src.model_utils.errors import ConfigError, UsageError
from cnnctc.src.model_utils.ctc import CTCLoss
from cnnctc.src.model_utils.lr_schedule import warmup_lr


def ctc_nll_reference(logits: np.ndarray, label: list[int], blank: int) -> float:
    """-log p(label | logits [T, C]) by the CTC forward algorithm in log space."""
    log_probs = logits - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True)) \
        - logits.max(1, keepdims=True)
    ext = [blank]
    for c in label:
        ext += [c, blank]
    alpha = np.full(len(ext), -np.inf)
    alpha[0] = log_probs[0, ext[0]]
    if len(ext) > 1:
        alpha[1] = log_probs[0, ext[1]]
    for t in range(1, len(logits)):
        new = np.full(len(ext), -np.inf)
        for s, c in enumerate(ext):
            terms = [alpha[s]]
            if s >= 1:
                terms.append(alpha[s - 1])
            if s >= 2 and c != blank and c != ext[s - 2]:
                terms.append(alpha[s - 2])
            new[s] = np.logaddexp.reduce(terms) + log_probs[t, c]
        alpha = new
    return float(-np.logaddexp(alpha[-1], alpha[-2]))


def test_ctc_loss_matches_reference():
    rng = np.random.default_rng(0)
    batch, steps, classes, max_len = 3, 26, 37, 13
    logits = rng.normal(size=(batch, steps, classes)).astype(np.float32)
    labels_list = [[1, 2, 2, 3], [35], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]]
    labels = np.full((batch, max_len), classes - 1, np.int32)
    for i, lab in enumerate(labels_list):
        labels[i, :len(lab)] = lab
    lengths = np.array([len(lab) for lab in labels_list], np.int32)
    loss = CTCLoss(blank=classes - 1)(ms.Tensor(logits), ms.Tensor(labels), ms.Tensor(lengths))
    expected = np.mean([ctc_nll_reference(logits[i], labels_list[i], classes - 1) for i in range(batch)])
    assert float(loss.asnumpy()) == pytest.approx(expected, rel=1e-4)


def test_ctc_loss_with_per_sample_input_lengths_and_blank_zero():
    """Variable-length inputs (ctcmodel's audio) and blank 0 (handwritten_zh, convtransformer_ocr)."""
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(2, 20, 6)).astype(np.float32)
    labels_list, input_lengths = [[1, 2, 2], [5]], [12, 20]
    labels = np.zeros((2, 4), np.int32)
    for i, lab in enumerate(labels_list):
        labels[i, :len(lab)] = lab
    loss = CTCLoss(blank=0)(ms.Tensor(logits), ms.Tensor(labels), ms.Tensor(np.array([3, 1], np.int32)),
                            ms.Tensor(np.array(input_lengths, np.int32)))
    expected = np.mean([ctc_nll_reference(logits[i, :input_lengths[i]], labels_list[i], 0) for i in range(2)])
    assert float(loss.asnumpy()) == pytest.approx(expected, rel=1e-4)


def test_warmup_then_cosine():
    lrs = warmup_lr(base_lr=1e-3, total_steps=100, warmup_steps=10, warmup_ratio=0.1)
    assert lrs.shape == (100,) and lrs.dtype == np.float32
    assert lrs[0] == pytest.approx(1e-4)
    assert np.all(np.diff(lrs[:11]) > 0)
    assert lrs[10] == pytest.approx(1e-3)
    assert np.all(np.diff(lrs[10:]) <= 0)
    assert lrs[-1] == pytest.approx(1e-3 * 0.5 * (1 + np.cos(np.pi * 89 / 90)), rel=1e-5)


def test_constant_after_warmup_and_bad_decay():
    lrs = warmup_lr(base_lr=1.0, total_steps=50, warmup_steps=5, warmup_ratio=0.5, decay="constant")
    assert lrs[0] == pytest.approx(0.5) and np.all(lrs[5:] == 1.0)
    assert np.all(warmup_lr(1.0, 10, 0, 1.0, "constant") == 1.0)  # MMOCR's CRNN: Adadelta lr 1.0 throughout
    with pytest.raises(UsageError, match="lr_decay must be one of cosine, cosine_epoch, constant"):
        warmup_lr(1.0, 10, 0, 1.0, "step")


def test_cosine_by_epoch_matches_the_zoo_ctcmodel_schedule():
    """nn.cosine_decay_lr(0, 0.005, 5 epochs x 4 steps): constant within an epoch, cosine over epochs."""
    lrs = warmup_lr(0.005, 20, 0, 1.0, "cosine_epoch", steps_per_epoch=4)
    expected = [0.0025 * (1 + np.cos(np.pi * (step // 4) / 5)) for step in range(20)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-6)


def test_zoo_schedule_values():
    """The zoo: base 5e-4, warm-up 2000 steps from 0.0625 * base."""
    lrs = warmup_lr(5e-4, 10000, 2000, 0.0625)
    assert lrs[0] == pytest.approx(3.125e-5)
    assert lrs[1000] == pytest.approx(3.125e-5 + (5e-4 - 3.125e-5) * 0.5)


def test_config_overrides_keep_types():
    cfg = load_config(["--train_batch_size", "8", "--base_lr=0.01", "--resume", "true",
                       "--train_dataset_path", "a,b", "--warmup_ratio", "1", "--file_name", "2024"])
    assert cfg.train_batch_size == 8 and cfg.base_lr == 0.01 and cfg.resume is True
    assert cfg.train_dataset_path == ["a", "b"]
    assert isinstance(cfg.warmup_ratio, float)
    assert cfg.file_name == "2024"


@pytest.mark.parametrize("text,value", [("3e-4", 3e-4), ("3E-4", 3e-4), ("1e3", 1000.0), ("0.5", 0.5), ("2", 2.0),
                                        (".5", 0.5), ("-1e-2", -0.01)])
def test_every_float_spelling_is_accepted(text, value):
    assert load_config([f"--base_lr={text}"]).base_lr == pytest.approx(value)


def test_choices_are_checked_when_parsed(tmp_path):
    with pytest.raises(ConfigError, match="--device_target must be one of Ascend, GPU, CPU, got 'Foo'"):
        load_config(["--device_target", "Foo"])
    with pytest.raises(ConfigError, match="--optimizer must be one of rmsprop, adam, adamw, adadelta"):
        load_config(["--optimizer", "foo"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {DEFAULT}\noptimizer: sgd\n")
    with pytest.raises(ConfigError, match="--optimizer must be one of"):
        load_config(["--config_path", str(bad)])


def test_ranges_are_checked_for_numbers_and_each_list_entry():
    assert load_config(["--resnet_layers", "1,2,5,3"]).resnet_layers == [1, 2, 5, 3]
    with pytest.raises(ConfigError, match="--output_channel must be at least 8, got '0'"):
        load_config(["--output_channel", "0"])
    with pytest.raises(ConfigError, match="--resnet_layers must be at least 1, got '1,0,5,3'"):
        load_config(["--resnet_layers", "1,0,5,3"])
    with pytest.raises(ConfigError, match="--max_label_length must be at least 1 and at most 1000"):
        load_config(["--max_label_length", "100000000"])
    with pytest.raises(ConfigError, match="--image_height must be at least 1, got -32"):
        with_overrides(load_config([]), {"image_height": -32}, "here")


def test_overrides_of_api_callers_are_checked():
    cfg = load_config([])
    assert with_overrides(cfg, {"output_channel": 256}, "here").output_channel == 256
    assert cfg.output_channel == 512  # a copy
    with pytest.raises(ConfigError, match="here: unknown config keys no_such_key"):
        with_overrides(cfg, {"no_such_key": 1}, "here")
    with pytest.raises(ConfigError, match="--output_channel expects a int"):
        with_overrides(cfg, {"output_channel": "wide"}, "here")


def test_profile_inherits_from_base():
    import os
    from cnnctc.src.model_utils.config import MODEL_DIR

    cfg = load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml")])
    assert cfg.output_channel == 128 and cfg.device_target == "CPU"
    assert cfg.character == "0123456789abcdefghijklmnopqrstuvwxyz"  # from default_config.yaml


def test_bad_overrides_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="--train_batch_size expects a int"):
        load_config(["--train_batch_size", "many"])
    with pytest.raises(ConfigError, match="--resume takes true or false"):
        load_config(["--resume", "3"])
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(["--config_path", str(tmp_path / "none.yaml")])
    with pytest.raises(SystemExit):
        load_config(["--no_such_key", "1"])


def test_ckpt_alias_and_no_abbreviations():
    assert load_config(["--ckpt", "a.ckpt"]).checkpoint_path == "a.ckpt"
    with pytest.raises(SystemExit):
        load_config(["--ckpt_pre", "x"])  # an abbreviation is not silently taken for --ckpt_prefix
