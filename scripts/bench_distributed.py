"""Data-parallel scaling on this machine for ``scripts/benchmark.py --model M --distributed N``: the model's
``scripts/run_distribute_train_cpu.sh`` trains the CPU profile for a fixed number of steps with 1 worker, then
with N workers (msrun on loopback, a free port), each worker taking ``--batch`` samples per step (global batch
= batch x workers).  The rate is what rank 0 logs (samples of all ranks per second), averaged over the
logged intervals after the first (which holds the graph compilation); scaling efficiency = rate with N workers /
(N x rate with 1).  The workers share this machine's cores, so on a small machine the figure shows contention,
not what N devices give.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile

RATE = re.compile(r"^step (\d+)/\d+ loss \S+ lr \S+ ([\d.]+) (\S+)/s ", re.M)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def training_rate(root: str, model: str, workers: int, batch: int, steps: int, train_path: str) -> tuple[float, str]:
    """(samples per second of all workers after the first logged interval, the unit) of one launcher run."""
    interval = max(1, steps // 4)
    with tempfile.TemporaryDirectory() as run:
        logs = os.path.join(run, "logs")
        proc = subprocess.run(
            ["bash", os.path.join(root, model, "scripts", "run_distribute_train_cpu.sh"), "--worker_num", str(workers),
             "--master_port", str(_free_port()), "--log_dir", logs, "--train_dataset_path", train_path,
             "--max_steps", str(steps), "--train_batch_size", str(batch), "--log_interval", str(interval),
             "--eval_interval", "0", "--save_checkpoint_steps", str(steps), "--save_dir", run],
            capture_output=True, text=True)
        with open(os.path.join(logs, "worker_0.log"), encoding="utf-8") as f:
            log = f.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{workers} worker(s) failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}{log[-2000:]}")
    rates = [(float(rate), unit) for _, rate, unit in RATE.findall(log)][1:]
    if not rates:
        raise RuntimeError(f"no rate logged after the first interval: raise --steps ({steps})")
    # equal samples per interval: the overall rate is the harmonic mean
    return len(rates) / sum(1 / rate for rate, _ in rates), rates[0][1]


def scaling(root: str, model: str, workers: int, batch: int, steps: int, train_path: str) -> dict:
    """Rates with 1 and ``workers`` workers and the scaling efficiency."""
    one, unit = training_rate(root, model, 1, batch, steps, train_path)
    many, _ = training_rate(root, model, workers, batch, steps, train_path)
    return {"model": model, "cores": os.cpu_count(), "workers": workers, "batch_per_worker": batch, "steps": steps,
            "unit": unit, "rate_1_worker": one, f"rate_{workers}_workers": many,
            "scaling_efficiency": many / (workers * one)}


def report_scaling(r: dict) -> None:
    n, unit = r["workers"], r["unit"]
    print(f"""
model {r['model']} (cpu_small), {r['cores']} cores, CPU workers via scripts/run_distribute_train_cpu.sh, \
{r['steps']} steps, batch {r['batch_per_worker']} per worker
  1 worker                     {r['rate_1_worker']:.1f} {unit}/s
  {f"{n} workers, global batch {n * r['batch_per_worker']}":<29}{r[f'rate_{n}_workers']:.1f} {unit}/s
  scaling efficiency           {100 * r['scaling_efficiency']:.0f}% (rate with {n} / ({n} x rate with 1))""",
          flush=True)
