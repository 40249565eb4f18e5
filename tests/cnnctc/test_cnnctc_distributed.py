"""Data-parallel training over two CPU processes with msrun (scripts/run_distribute_train_cpu.sh)."""
from __future__ import annotations

import os
import socket
import subprocess

from conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_cpu_processes_train_together(synth_words, tmp_path):
    env = dict(os.environ, DEVICE_NUM="2", MASTER_PORT=str(_free_port()), MSRUN_LOG_DIR=str(tmp_path / "logs"))
    proc = subprocess.run(
        ["bash", os.path.join(ROOT, "cnnctc", "scripts", "run_distribute_train_cpu.sh"),
         "--train_dataset_path", os.path.join(synth_words, "train"), "--max_steps", "4",
         "--train_batch_size", "4", "--eval_interval", "0", "--log_interval", "1",
         "--save_checkpoint_steps", "4", "--save_dir", str(tmp_path / "run")],
        env=env, capture_output=True, text=True, timeout=600)
    logs = {name: (tmp_path / "logs" / name).read_text() for name in os.listdir(tmp_path / "logs")}
    assert proc.returncode == 0, proc.stdout + proc.stderr + "".join(logs.values())
    worker_logs = [text for name, text in logs.items() if name.startswith("worker")]
    assert len(worker_logs) == 2
    assert any("batch 4 x 2" in text and "step 4/4" in text for text in worker_logs)
    assert os.path.isfile(tmp_path / "run" / "ckpt" / "CNNCTC-4.ckpt")
