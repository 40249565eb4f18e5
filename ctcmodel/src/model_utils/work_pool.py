"""The synthesizers' worker processes, with a progress line (count, rate, ETA) on stderr.

``WorkerPool(workers, initializer, initargs)`` forks ``workers`` processes (``initializer(*initargs)`` runs in
each, e.g. to hand them the renderers); ``run(work, tasks, progress)`` yields ``work(task)`` for every task, in
the tasks' order unless ``ordered=False``, and advances ``progress`` by the size of each result.  Outputs that
depend only on a task (every sample seeded by its own index) are therefore the same whatever ``workers`` is.
``Progress`` prints ``label: done/total unit, rate unit/s, ETA H:MM:SS`` at most every
``PROGRESS_EVERY_SECONDS`` and once at the end.
"""
from __future__ import annotations

import multiprocessing as mp
import sys
import time
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from .errors import UsageError
from .progress import format_seconds

PROGRESS_EVERY_SECONDS = 5.0


def log_stderr(message: str) -> None:
    """Print a progress line on stderr at once."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


class Progress:
    """Counts ``total`` items of ``unit`` (the rate in ``rate_unit``/s) and reports the count, rate and ETA."""

    def __init__(self, total: int, unit: str, label: str = "", rate_unit: Optional[str] = None,
                 report: Callable[[str], None] = log_stderr, every: float = PROGRESS_EVERY_SECONDS):
        self.total, self.unit, self.label, self.rate_unit = total, unit, label, rate_unit or unit
        self.report, self.every = report, every
        self.done, self.start = 0, time.time()
        self._last = self.start

    @property
    def seconds(self) -> float:
        """Seconds since the start (at least 1e-9)."""
        return max(time.time() - self.start, 1e-9)

    @property
    def rate(self) -> float:
        """Items per second so far."""
        return self.done / self.seconds

    def advance(self, count: int) -> None:
        """``count`` more items done; report when ``every`` seconds have passed or all are done."""
        self.done += count
        if time.time() - self._last > self.every or self.done >= self.total:
            self._last = time.time()
            rate = self.rate
            eta = (self.total - self.done) / rate if rate > 0 else 0.0
            head = f"{self.label}: " if self.label else ""
            self.report(f"{head}{self.done}/{self.total} {self.unit}, {rate:.1f} {self.rate_unit}/s, "
                        f"ETA {format_seconds(eta)}")


class WorkerPool:
    """``workers`` forked processes (a context manager: they end with the ``with`` block)."""

    def __init__(self, workers: int, initializer: Optional[Callable[..., None]] = None, initargs: Sequence = ()):
        if workers < 1:
            raise UsageError(f"--workers must be at least 1, got {workers}")
        self._pool = mp.get_context("fork").Pool(workers, initializer, tuple(initargs))

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self._pool.terminate()
        self._pool.join()

    def run(self, work: Callable[[Any], Any], tasks: Iterable, progress: Progress,
            size: Callable[[Any], int] = len, ordered: bool = True) -> Iterator[Any]:
        """``work(task)`` of every task (in order unless ``ordered`` is False), ``progress`` advanced by
        ``size(result)`` (default: its length, for a task that makes a list of items)."""
        results = self._pool.imap(work, tasks) if ordered else self._pool.imap_unordered(work, tasks)
        for result in results:
            progress.advance(size(result))
            yield result
