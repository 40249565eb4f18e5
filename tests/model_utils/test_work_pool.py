"""model_utils.work_pool: the synthesizers' worker processes (results in the tasks' order whatever the number of
workers, an initializer per worker) and their progress line (count, rate, ETA)."""
from __future__ import annotations

import os

import pytest

from cnnctc.src.model_utils.errors import UsageError
from cnnctc.src.model_utils.work_pool import Progress, WorkerPool

_STATE: dict = {}


def _init(offset: int) -> None:
    _STATE["offset"] = offset


def _chunk(task: tuple[int, int]) -> list[tuple[int, int]]:
    """Items start..stop-1 of a task, with the worker's pid (slow first tasks, so that order would show)."""
    start, stop = task
    return [(i + _STATE["offset"], os.getpid()) for i in range(start, stop)]


def test_results_come_in_task_order_whatever_the_worker_count():
    tasks = [(i, min(i + 3, 20)) for i in range(0, 20, 3)]
    runs = []
    for workers in (1, 3):
        lines = []
        progress = Progress(20, "items", "train", "it", report=lines.append, every=1e9)
        with WorkerPool(workers, _init, (100,)) as pool:
            chunks = list(pool.run(_chunk, tasks, progress))
        runs.append([item for chunk in chunks for item, _ in chunk])
        assert progress.done == 20 and len(lines) == 1  # only the final line with ``every`` that long
        assert lines[0].startswith("train: 20/20 items, ") and " it/s, ETA 0:00:00" in lines[0]
    assert runs[0] == runs[1] == list(range(100, 120))


def test_unordered_run_yields_every_result_and_counts_with_size():
    progress = Progress(7, "utterances", report=[].append)
    with WorkerPool(2, _init, (0,)) as pool:
        got = sorted(pool.run(_chunk, [(i, i + 1) for i in range(7)], progress, size=lambda _r: 1, ordered=False))
    assert [chunk[0][0] for chunk in got] == list(range(7)) and progress.done == 7


def test_progress_reports_rate_and_eta_at_most_every_interval():
    lines: list[str] = []
    progress = Progress(10, "plates", report=lines.append, every=0.0)
    progress.advance(4)
    assert lines[-1].startswith("4/10 plates, ") and "plates/s, ETA" in lines[-1]
    assert progress.rate > 0 and progress.seconds > 0


def test_no_workers_is_a_usage_error():
    with pytest.raises(UsageError, match="--workers must be at least 1, got 0"):
        WorkerPool(0)
