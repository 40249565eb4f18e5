"""Data-parallel training over two CPU processes with msrun (scripts/run_distribute_train_cpu.sh).

Both ranks must see disjoint samples, end with identical trainable weights, and those weights must equal
(within float tolerance) one process that trains on the same global batches: per step, the gradients of
the two ranks' halves (each with its own BatchNorm batch statistics, as on the ranks) averaged, clipped
and applied by the same optimizer.  BatchNorm moving statistics are rank-local in data parallelism
(no SyncBN), so only trainable parameters are compared.
"""
from __future__ import annotations

import csv
import os
import socket
import subprocess

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn, ops

from cnnctc.src.cnn_ctc import build_network, label_converter
from cnnctc.src.data import word_source
from cnnctc.src.model_utils.checkpoint import read_checkpoint
from cnnctc.src.model_utils.config import MODEL_DIR, load_config
from cnnctc.src.model_utils.ctc import CTCLoss, NetWithLoss
from cnnctc.src.model_utils.lr_schedule import warmup_lr
from cnnctc.src.model_utils.train_step import build_optimizer
from cnnctc.src.preprocess import normalize_ops
from conftest import ROOT

STEPS, BATCH = 4, 4
SETTINGS = ["--max_steps", str(STEPS), "--train_batch_size", str(BATCH), "--base_lr", "0.001", "--warmup_steps", "0",
            "--eval_interval", "0", "--log_interval", "1", "--save_checkpoint_steps", str(STEPS)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def distributed_run(synth_words, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("distributed")
    env = dict(os.environ, DEVICE_NUM="2", MASTER_PORT=str(_free_port()), MSRUN_LOG_DIR=str(tmp / "logs"))
    proc = subprocess.run(
        ["bash", os.path.join(ROOT, "cnnctc", "scripts", "run_distribute_train_cpu.sh"),
         "--train_dataset_path", os.path.join(synth_words, "train"), *SETTINGS,
         "--log_samples", "true", "--save_all_ranks", "true", "--save_dir", str(tmp / "run")],
        env=env, capture_output=True, text=True, timeout=600)
    logs = {name: (tmp / "logs" / name).read_text() for name in os.listdir(tmp / "logs")}
    assert proc.returncode == 0, proc.stdout + proc.stderr + "".join(logs.values())
    return {"dir": tmp / "run", "logs": logs, "data": os.path.join(synth_words, "train")}


def _samples(run_dir, rank: int) -> list[list[int]]:
    with open(run_dir / f"samples_rank{rank}.csv", encoding="utf-8") as f:
        return [[int(i) for i in row[1].split()] for row in csv.reader(f)]


def test_both_workers_log_and_rank0_writes_the_checkpoint(distributed_run):
    worker_logs = [text for name, text in distributed_run["logs"].items() if name.startswith("worker")]
    assert len(worker_logs) == 2
    assert any(f"batch {BATCH} x 2" in text and f"step {STEPS}/{STEPS}" in text for text in worker_logs)
    assert os.path.isfile(distributed_run["dir"] / "ckpt" / f"CNNCTC-{STEPS}.ckpt")
    assert os.path.isfile(distributed_run["dir"] / "ckpt" / "rank1" / f"CNNCTC-{STEPS}.ckpt")


def test_ranks_see_disjoint_samples(distributed_run):
    ranks = [_samples(distributed_run["dir"], r) for r in range(2)]
    assert [len(r) for r in ranks] == [STEPS, STEPS] and all(len(b) == BATCH for r in ranks for b in r)
    seen = [i for r in ranks for batch in r for i in batch]
    assert len(set(seen)) == len(seen) == 2 * STEPS * BATCH  # 32 of 96 samples: none twice in the epoch


class _TwoHalvesStep(nn.Cell):
    """One process doing what two data-parallel ranks do: mean of the halves' gradients, clip, update."""

    def __init__(self, net_with_loss: nn.Cell, optimizer: nn.Optimizer, clip_norm: float):
        super().__init__(auto_prefix=False)
        self.network, self.optimizer, self.clip_norm = net_with_loss, optimizer, clip_norm
        self.network.set_grad()
        self.grad = ops.GradOperation(get_by_list=True)
        self.weights = optimizer.parameters

    def construct(self, image_a, label_a, length_a, image_b, label_b, length_b):
        grads_a = self.grad(self.network, self.weights)(image_a, label_a, length_a)
        grads_b = self.grad(self.network, self.weights)(image_b, label_b, length_b)
        grads = tuple((a + b) / 2 for a, b in zip(grads_a, grads_b))
        self.optimizer(ops.clip_by_global_norm(grads, self.clip_norm))
        return grads[0]


def test_ranks_end_identical_and_equal_one_process_on_the_same_global_batches(distributed_run):
    cfg = load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), *SETTINGS])
    ms.set_seed(cfg.seed)  # as setup_context on every rank: the same initial weights
    net = build_network(cfg)
    converter = label_converter(cfg)
    loss_net = NetWithLoss(net, CTCLoss(converter.blank))
    optimizer = build_optimizer(cfg, net.trainable_params(),
                                warmup_lr(cfg.base_lr, STEPS, cfg.warmup_steps, cfg.warmup_ratio, cfg.lr_decay))
    step = _TwoHalvesStep(loss_net, optimizer, cfg.clip_grad_norm)
    step.set_train(True)
    source = word_source(cfg, [distributed_run["data"]], converter)
    ops_ = normalize_ops()

    def batch(indices):
        items = [source[i] for i in indices]
        images = []
        for item in items:
            image = item[0]
            for op in ops_:
                image = op(image)
            images.append(image)
        return (ms.Tensor(np.stack(images).astype(np.float32)), ms.Tensor(np.stack([it[1] for it in items])),
                ms.Tensor(np.array([it[2] for it in items], np.int32)))

    for half_a, half_b in zip(*[_samples(distributed_run["dir"], r) for r in range(2)]):
        step(*batch(half_a), *batch(half_b))

    ranks = [read_checkpoint(str(distributed_run["dir"] / "ckpt" / sub / f"CNNCTC-{STEPS}.ckpt"))
             for sub in ("", "rank1")]
    ms.set_seed(cfg.seed)
    initial = build_network(cfg)  # the initial weights again: training must have moved them
    moved = 0
    for param in net.trainable_params():
        on_rank0, on_rank1 = ranks[0][param.name].asnumpy(), ranks[1][param.name].asnumpy()
        np.testing.assert_array_equal(on_rank0, on_rank1, err_msg=param.name)
        np.testing.assert_allclose(on_rank0, param.asnumpy(), rtol=1e-4, atol=2e-5, err_msg=param.name)
        moved += not np.allclose(on_rank0, initial.parameters_dict()[param.name].asnumpy())
    assert moved > len(net.trainable_params()) // 2
