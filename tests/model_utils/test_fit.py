"""``model_utils.fit`` on a tiny network, in this process (seconds, no entry script): the loss falls, checkpoints
are saved every ``save_checkpoint_steps`` and rotated, ``best.ckpt`` holds the best evaluation, the loss curve
has one row per step, a resumed run takes the uninterrupted run's steps exactly, and a diverged run stops
with an error and leaves the checkpoints saved before it."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import mindspore as ms
import mindspore.dataset as ds
import numpy as np
import pytest
from mindspore import nn

from cnnctc.src.model_utils.checkpoint import read_checkpoint
from cnnctc.src.model_utils.config import MODEL_DIR, load_config
from cnnctc.src.model_utils.ctc import CTCLoss
from cnnctc.src.model_utils.errors import UsageError
from cnnctc.src.model_utils.fit import TrainData, fit
from cnnctc.src.model_utils.sources import SkipCounts
from conftest import losses

SAMPLES, FRAMES, FEATURES, CLASSES = 32, 6, 8, 4  # classes 0..2 and the blank 3 (last)
PREFIX = "tiny"


class TinySource:
    """32 random feature sequences, each labelled with the class of its first feature's sign pattern."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.features = rng.normal(size=(SAMPLES, FRAMES, FEATURES)).astype(np.float32)
        self.labels = np.stack([[i % 3, (i // 3) % 3] for i in range(SAMPLES)]).astype(np.int32)
        self.features[:, :3, :3] += 2 * np.eye(3, dtype=np.float32)[self.labels[:, 0]][:, None, :]
        self.features[:, 3:, :3] += 2 * np.eye(3, dtype=np.float32)[self.labels[:, 1]][:, None, :]
        self.skipped = SkipCounts()

    def __len__(self) -> int:
        return SAMPLES

    def indices_by_entry(self) -> list[np.ndarray]:
        return [np.arange(SAMPLES)]

    def describe(self) -> str:
        return f"  {SAMPLES} tiny sequences"


class TinyNet(nn.Cell):
    def __init__(self):
        super().__init__()
        self.dense = nn.Dense(FEATURES, CLASSES)

    def construct(self, x):
        return self.dense(x)  # [N, T, C]: the logits CTCLoss takes


@dataclass
class Score:
    score: float

    def summary(self) -> str:
        return f"score {self.score:.4f}"


def _config(save_dir, *overrides: str):
    return load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), "--optimizer", "adam",
                        "--base_lr", "0.05", "--lr_decay", "constant", "--warmup_steps", "0", "--train_batch_size", "8",
                        "--max_steps", "12",
                        "--save_checkpoint_steps", "4", "--keep_checkpoint_max", "2", "--log_interval", "4",
                        "--eval_interval", "4", "--ckpt_prefix", PREFIX, "--save_dir", str(save_dir),
                        "--pretrained", "", *overrides])


def _train(save_dir, *overrides: str, scores=(0.2, 0.9, 0.5)) -> str:
    cfg = _config(save_dir, *overrides)
    ms.set_seed(cfg.seed)
    source = TinySource()

    def make_dataset(order: np.ndarray) -> ds.Dataset:
        order = order.astype(np.int32)
        data = (source.features[order], source.labels[order], np.full(len(order), 2, np.int32), order)
        return ds.NumpySlicesDataset(data, ["x", "labels", "lengths", "index"], shuffle=False).batch(
            cfg.train_batch_size, drop_remainder=True)

    given = iter(scores)
    return fit(cfg, TinyNet(), CTCLoss(CLASSES - 1), TrainData(source, make_dataset),
               evaluate=lambda: Score(next(given)))


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    save_dir = tmp_path_factory.mktemp("fit") / "whole"
    return save_dir, _train(save_dir)


def test_fit_trains_saves_rotates_and_keeps_the_best(whole):
    save_dir, final = whole
    assert final == str(save_dir / "ckpt" / f"{PREFIX}-12.ckpt") and os.path.isfile(final)
    curve = losses(save_dir)
    assert len(curve) == 12 and np.mean(curve[-3:]) < 0.7 * np.mean(curve[:3])
    assert sorted(os.listdir(save_dir / "ckpt")) == [f"{PREFIX}-12.ckpt", f"{PREFIX}-8.ckpt"]  # 4 rotated out
    state = read_checkpoint(final)
    assert int(state["global_step"].asnumpy().reshape(-1)[0]) == 12 and any(n.startswith("moment1.") for n in state)
    best = read_checkpoint(str(save_dir / "best.ckpt"))
    assert int(best["step"].asnumpy()) == 8 and float(best["best_score"].asnumpy()) == pytest.approx(0.9)
    assert os.path.getsize(save_dir / "loss.png") > 1000


def test_a_resumed_run_takes_the_uninterrupted_steps(whole, tmp_path):
    save_dir, final = whole
    resumed = tmp_path / "resumed"
    shutil.copytree(save_dir, resumed)
    os.remove(resumed / "ckpt" / f"{PREFIX}-12.ckpt")
    again = _train(resumed, "--resume", "true", scores=(0.5,))
    assert losses(resumed) == pytest.approx(losses(save_dir), rel=1e-5)
    mine, theirs = read_checkpoint(again), read_checkpoint(final)
    assert mine.keys() == theirs.keys()
    for name in theirs:
        np.testing.assert_allclose(mine[name].asnumpy(), theirs[name].asnumpy(), rtol=1e-5, atol=1e-7, err_msg=name)
    assert int(read_checkpoint(str(resumed / "best.ckpt"))["step"].asnumpy()) == 8  # 0.5 < 0.9: kept


def test_a_diverged_run_stops_and_keeps_the_checkpoints_saved_before(tmp_path):
    with pytest.raises(UsageError, match="training diverged.*up to step"):
        _train(tmp_path / "run", "--base_lr", "1e30", "--clip_grad_norm", "0", "--save_checkpoint_steps", "1",
               "--eval_interval", "0")
    kept = os.listdir(tmp_path / "run" / "ckpt")
    assert kept and all(np.isfinite(v.asnumpy()).all() for name in kept
                        for v in read_checkpoint(str(tmp_path / "run" / "ckpt" / name)).values())
