"""Cluster training as the launchers run it, on CPU processes over loopback (free ports chosen here).

The launchers (``scripts/``) and ``fit`` are the same code in every model folder: the job runs once, for the
registry's first model (the smallest; its ``tiny_args``: a tiny network on the synth_words LMDB).  Two workers
on one host (``run_distribute_train_cpu.sh``) and two single-worker nodes (two ``run_distribute_train_msrun.sh``
commands, node ranks 0 and 1, master 127.0.0.1) both finish; the ranks saw disjoint samples that cover the
epoch; rank 0 alone logs; the ranks end with identical weights, equal to one process trained on the same global
batches (each rank's half through the network with its own BatchNorm batch statistics, gradients averaged,
clipped and applied by the same optimizer; BatchNorm's moving statistics are rank-local, no SyncBN, so only
trainable parameters are compared there).  A worker killed after the first checkpoint ends the job with
``error: rank 1 failed ...``, and ``--resume true`` reaches the last step with rank 0's weights and
statistics equal to the uninterrupted run's.  Without Ascend: the Ascend launcher refuses a rank table whose
device count differs from RANK_SIZE, or a broken one, before starting anything, and names the first rank that
fails; the launchers print their usage on bad arguments.
"""
from __future__ import annotations

import csv
import importlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn, ops

from conftest import ROOT, SMALLEST
from test_hccl_tools import device, table
from zoo_registry import models

STEPS, BATCH, WORKERS = 12, 4, 2  # 12 steps x 4 x 2 = the 96 training images of synth_words: one epoch
TINY = {m.name: list(m.tiny_args) for m in models() if m.tiny_args}  # zoo.yaml: a tiny network on synth_words
PREFIX = {m.name: m.checkpoint_prefix for m in models()}


def settings(model: str) -> list[str]:
    return [*TINY[model], "--max_steps", str(STEPS), "--train_batch_size", str(BATCH), "--base_lr", "0.001",
            "--warmup_steps", "0", "--eval_interval", "0", "--log_interval", "1", "--save_checkpoint_steps", "2",
            "--num_workers", "1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launcher(model: str, name: str) -> list[str]:
    return ["bash", os.path.join(ROOT, model, "scripts", f"run_distribute_train_{name}.sh")]


def launch(model: str, name: str, args: list[str], out: Path, env: dict | None = None) -> subprocess.Popen:
    """Start a launcher; its console output goes to ``out`` (a pipe could fill and stall it)."""
    with open(out, "w", encoding="utf-8") as console:
        return subprocess.Popen([*launcher(model, name), *args], stdout=console, stderr=subprocess.STDOUT, text=True,
                                env=dict(os.environ, **(env or {})))


def finish(proc: subprocess.Popen, out: Path, logs: Path, timeout: int = 240) -> str:
    proc.wait(timeout=timeout)
    text = out.read_text()
    worker_logs = "".join(p.read_text()[-3000:] for p in sorted(logs.glob("worker_*.log")))
    assert proc.returncode == 0, text[-3000:] + worker_logs
    return text


def train_args(model: str, data: str, run: Path, *extra: str) -> list[str]:
    return ["--train_dataset_path", data, *settings(model), "--log_samples", "true", "--save_all_ranks", "true",
            "--save_dir", str(run), *extra]


@pytest.fixture(scope="module")
def job(synth_words, tmp_path_factory) -> dict:
    """The smallest model's job: its folder for the runs and its own copy of the training LMDB."""
    tmp = tmp_path_factory.mktemp(f"distributed_{SMALLEST}")
    data = str(shutil.copytree(os.path.join(synth_words, "train"), tmp / "train"))  # LMDB: one opening per
    # process, and each model's model_utils is a module of its own
    return {"model": SMALLEST, "data": data, "tmp": tmp}


@pytest.fixture(scope="module")
def host(job) -> list[Path]:
    """One host with two workers (run_distribute_train_cpu.sh); its worker logs."""
    tmp = job["tmp"]
    proc = launch(job["model"], "cpu", ["--master_port", str(free_port()), "--log_dir", str(tmp / "host_logs"),
                                        *train_args(job["model"], job["data"], tmp / "host")], tmp / "host.out")
    finish(proc, tmp / "host.out", tmp / "host_logs")
    return [tmp / "host_logs" / f"worker_{r}.log" for r in range(WORKERS)]


@pytest.fixture(scope="module")
def nodes(job) -> list[Path]:
    """Two single-worker nodes of the same job (two run_distribute_train_msrun.sh commands); their worker logs."""
    tmp, port = job["tmp"], str(free_port())
    procs = [launch(job["model"], "msrun", ["--worker_num", "2", "--local_worker_num", "1", "--node_rank", str(node),
                                            "--master_addr", "127.0.0.1", "--master_port", port,
                                            "--log_dir", str(tmp / f"node{node}_logs"), "--device_target", "CPU",
                                            "--config_path", "cpu_small.yaml",
                                            *train_args(job["model"], job["data"], tmp / "nodes")],
                    tmp / f"node{node}.out") for node in (0, 1)]
    for node, proc in enumerate(procs):
        finish(proc, tmp / f"node{node}.out", tmp / f"node{node}_logs")
    return [tmp / f"node{r}_logs" / f"worker_{r}.log" for r in range(WORKERS)]


@pytest.fixture(scope="module")
def runs(job, host, nodes) -> dict:
    """Both runs of the job: their folders and worker logs."""
    tmp = job["tmp"]
    return {**job, "host": tmp / "host", "nodes": tmp / "nodes", "logs": {"host": host, "nodes": nodes}}


def samples(run: Path, rank: int) -> list[list[int]]:
    with open(run / f"samples_rank{rank}.csv", encoding="utf-8") as f:
        return [[int(i) for i in row[1].split()] for row in csv.reader(f)]


def checkpoint(runs: dict, kind: str, rank: int, step: int = STEPS) -> dict:
    folder = runs[kind] / "ckpt" / ("" if rank == 0 else f"rank{rank}")
    return {k: v.asnumpy() for k, v in ms.load_checkpoint(str(folder / f"{PREFIX[runs['model']]}-{step}.ckpt")).items()}


@pytest.mark.parametrize("kind", ["host", "nodes"])
def test_ranks_see_disjoint_samples_covering_the_epoch_and_rank0_alone_logs(request, job, kind):
    logs, run = request.getfixturevalue(kind), job["tmp"] / kind  # one run set up per test
    ranks = [samples(run, r) for r in range(WORKERS)]
    assert [len(r) for r in ranks] == [STEPS] * WORKERS and all(len(b) == BATCH for r in ranks for b in r)
    seen = sorted(i for r in ranks for batch in r for i in batch)
    assert seen == list(range(STEPS * BATCH * WORKERS))  # every image once in the epoch, none twice
    rank0, rank1 = (log.read_text() for log in logs)
    assert f"batch {BATCH} x {WORKERS}" in rank0 and f"step {STEPS}/{STEPS}" in rank0
    assert "rank 1 of 2, pid" in rank1 and f"step {STEPS}/{STEPS}" not in rank1
    assert (run / "loss.csv").is_file()


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
        if self.clip_norm > 0:
            grads = ops.clip_by_global_norm(grads, self.clip_norm)
        self.optimizer(grads)
        return grads[0]


def one_process(model: str, data: str, batches: list[tuple[list[int], list[int]]]) -> tuple[nn.Cell, nn.Cell]:
    """(the network trained by one process on the ranks' halves of each step, the same network untrained),
    built from the model's parts as train.py builds them."""
    parts = importlib.import_module(f"{model}.src.parts").PARTS
    utils = f"{model}.src.model_utils"
    config, ctc, lr_schedule, train_step = (importlib.import_module(f"{utils}.{name}")
                                            for name in ("config", "ctc", "lr_schedule", "train_step"))
    cfg = config.load_config(["--config_path", os.path.join(ROOT, model, "cpu_small.yaml"), *settings(model)])
    ms.set_seed(cfg.seed)  # as setup_context on every rank: the same initial weights
    net = parts.build_network(cfg)
    converter = parts.label_converter(cfg)
    lrs = lr_schedule.warmup_lr(cfg.base_lr, STEPS, cfg.warmup_steps, cfg.warmup_ratio, cfg.lr_decay, STEPS)
    optimizer = train_step.build_optimizer(cfg, net.trainable_params(), lrs)
    step = _TwoHalvesStep(ctc.NetWithLoss(net, ctc.CTCLoss(converter.blank)), optimizer, cfg.clip_grad_norm)
    step.set_train(True)
    source = parts.source(cfg, [data], converter, False)

    def batch(indices: list[int]) -> list[ms.Tensor]:
        *inputs, order = next(parts.dataset(cfg, source, BATCH, np.array(indices)).create_tuple_iterator(num_epochs=1))
        assert order.asnumpy().tolist() == indices
        return inputs

    for half_a, half_b in batches:
        step(*batch(half_a), *batch(half_b))
    ms.set_seed(cfg.seed)
    return net, parts.build_network(cfg)


def test_ranks_end_identical_and_equal_one_process_on_the_same_global_batches(runs):
    net, initial = one_process(runs["model"], runs["data"], list(zip(*[samples(runs["host"], r) for r in range(2)])))
    host = [checkpoint(runs, "host", r) for r in range(WORKERS)]
    nodes = [checkpoint(runs, "nodes", r) for r in range(WORKERS)]
    moved = 0
    for param in net.trainable_params():
        for ranks in (host, nodes):
            np.testing.assert_array_equal(ranks[0][param.name], ranks[1][param.name], err_msg=param.name)
        np.testing.assert_allclose(nodes[0][param.name], host[0][param.name], rtol=1e-5, atol=1e-7, err_msg=param.name)
        np.testing.assert_allclose(host[0][param.name], param.asnumpy(), rtol=1e-4, atol=2e-5, err_msg=param.name)
        moved += not np.allclose(host[0][param.name], initial.parameters_dict()[param.name].asnumpy())
    assert moved > len(net.trainable_params()) // 2


@pytest.fixture(scope="module")
def killed(runs) -> dict:
    """The job again, rank 1 killed after the step-2 checkpoint: its folder, worker logs and console."""
    tmp, model = runs["tmp"], runs["model"]
    run, logs = tmp / "killed", tmp / "killed_logs"
    proc = launch(model, "cpu", ["--master_port", str(free_port()), "--log_dir", str(logs),
                                 *train_args(model, runs["data"], run)], tmp / "killed.out",
                  env={"MS_NODE_TIMEOUT": "8"})  # msrun returns when the scheduler has timed the dead rank out
    deadline = time.time() + 180
    while proc.poll() is None and time.time() < deadline:  # step 3 logged: the step-2 checkpoint is on disk
        text = (logs / "worker_0.log").read_text() if (logs / "worker_0.log").exists() else ""
        if "step 3/" in text:
            break
        time.sleep(0.01)
    pid = int(re.search(r"^rank 1 of 2, pid (\d+)$", (logs / "worker_1.log").read_text(), re.M).group(1))
    os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=120)
    return {"run": run, "logs": logs, "returncode": proc.returncode, "console": (tmp / "killed.out").read_text()}


def test_a_killed_worker_stops_the_job_with_one_error_line(killed):
    assert killed["returncode"] == 1 and killed["console"].splitlines()[-1] == (
        f"error: rank 1 failed (killed by signal KILL), see {killed['logs'] / 'worker_1.log'}"), \
        killed["console"][-3000:]


def test_resume_after_a_killed_worker_equals_the_uninterrupted_run(runs, killed):
    tmp, model, run = runs["tmp"], runs["model"], killed["run"]
    assert not (run / "ckpt" / f"{PREFIX[model]}-{STEPS}.ckpt").exists()
    resumed = launch(model, "cpu", ["--master_port", str(free_port()), "--log_dir", str(tmp / "resumed_logs"),
                                    *train_args(model, runs["data"], run, "--resume", "true")], tmp / "resumed.out")
    finish(resumed, tmp / "resumed.out", tmp / "resumed_logs")
    assert re.search(r"resumed from .* at step [2-9]", (tmp / "resumed_logs" / "worker_0.log").read_text())
    final, whole = checkpoint({**runs, "killed": run}, "killed", 0), checkpoint(runs, "host", 0)
    assert final.keys() == whole.keys()
    for name in whole:  # optimizer state and rank 0's moving statistics too (its own checkpoint's, its batches)
        np.testing.assert_allclose(final[name], whole[name], rtol=1e-5, atol=1e-7, err_msg=name)


def rank_table(path: Path, devices: int) -> str:
    path.write_text(json.dumps(table([("10.0.0.1", [device(d, 1, d) for d in range(devices)])])))
    return str(path)


def run_launcher(model: str, name: str, *args: str, env: dict | None = None, cwd: str = ROOT
                 ) -> subprocess.CompletedProcess:
    return subprocess.run([*launcher(model, name), *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env=dict(os.environ, **(env or {})))


def one_error(proc: subprocess.CompletedProcess, message: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], proc.stderr


def test_ascend_launcher_checks_the_rank_table_before_starting(tmp_path):
    two = rank_table(tmp_path / "hccl_2p.json", 2)
    one_error(run_launcher(SMALLEST, "ascend", two, env={"RANK_SIZE": "8"}),
              f"{two}: rank size 2 (1 servers x 2 devices), 8 expected")
    broken = json.loads(Path(two).read_text())
    broken["server_list"][0]["device"][1]["device_id"] = "0"
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    one_error(run_launcher(SMALLEST, "ascend", str(tmp_path / "broken.json")), "device id 0 appears twice")
    one_error(run_launcher(SMALLEST, "ascend", two, env={"RANK_SIZE": "two"}), "RANK_SIZE 'two' is not a positive")
    assert not any(Path(ROOT, SMALLEST).glob("train_parallel*"))  # refused before any rank started


def test_ascend_launcher_names_the_rank_that_fails(synth_words, tmp_path):
    """Without Ascend every rank stops at once; the launcher names the first one and its log (a lone copy
    of the model folder: the launcher writes into the folder)."""
    folder = tmp_path / SMALLEST
    shutil.copytree(os.path.join(ROOT, SMALLEST), folder,
                    ignore=shutil.ignore_patterns("__pycache__", "output*", "release", "data", "train_parallel*"))
    proc = subprocess.run(["bash", str(folder / "scripts" / "run_distribute_train_ascend.sh"),
                           rank_table(tmp_path / "hccl_2p.json", 2), "--train_dataset_path",
                           os.path.join(synth_words, "train")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "rank 0 of 2 started on device 0" in proc.stdout and "rank 1 of 2 started on device 1" in proc.stdout
    match = re.fullmatch(r"error: rank ([01]) failed \(exit \d+\), see (\S+)\n", proc.stderr)
    assert match and match[2] == str(folder / f"train_parallel{match[1]}" / "train.log"), proc.stderr
    assert "error: " in Path(match[2]).read_text()


@pytest.mark.parametrize("name,args,message", [
    ("msrun", (), None),
    ("msrun", ("--worker_num", "2"), None),
    ("msrun", ("--worker_num", "2", "--local_worker_num", "3"), "--local_worker_num 3 is more than --worker_num 2"),
    ("msrun", ("--worker_num", "4", "--local_worker_num", "2"), "--master_addr: the address of node 0 is needed"),
    ("msrun", ("--worker_num=4", "--local_worker_num", "2", "--master_addr", "10.0.0.1", "--node_rank", "2"),
     "--node_rank 2 is not one of 0..1"),
    ("cpu", ("--worker_num", "x"), "--worker_num 'x' is not a positive integer"),
    ("cpu", ("--master_port", "70000"), "--master_port 70000 is not a port"),
    ("gpu", ("--epochs",), None),
    ("gpu", ("absent.ckpt",), "pretrained checkpoint 'absent.ckpt' is not a file"),
    ("ascend", (), None),
    ("ascend", ("absent.json",), "rank table 'absent.json' is not a file"),
])
def test_launchers_refuse_bad_arguments(name, args, message):
    proc = run_launcher(SMALLEST, name, *args)
    if message is None:
        assert proc.returncode == 2 and proc.stderr.startswith("usage: bash "), proc.stderr
    else:
        one_error(proc, message)
