"""Training progress: a step logger (loss, items/s, ETA) and a loss curve written as CSV and PNG."""
from __future__ import annotations

import csv
import os
import time
from typing import Callable, Optional

import numpy as np

from .errors import UsageError


def format_seconds(seconds: float) -> str:
    """H:MM:SS."""
    seconds = int(max(0, seconds))
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ProgressLogger:
    """Prints one line every ``interval`` steps: step, mean loss, lr, items/s, elapsed, ETA."""

    def __init__(self, total_steps: int, items_per_step: int, interval: int, start_step: int = 0,
                 printer: Callable[[str], None] = print, unit: str = "img"):
        self.total_steps, self.items_per_step, self.interval = total_steps, items_per_step, max(1, interval)
        self.printer, self.unit = printer, unit
        self._t0 = self._last_t = time.time()
        self._first_step = self._last_step = start_step
        self._losses: list[float] = []

    def step(self, step: int, loss: float, lr: float) -> None:
        """Record the loss of ``step``; print when the step ends an interval or the run."""
        self._losses.append(loss)
        if step % self.interval and step != self.total_steps:
            return
        now = time.time()
        rate = (step - self._last_step) * self.items_per_step / max(now - self._last_t, 1e-9)
        per_step = (now - self._t0) / max(step - self._first_step, 1)
        mean_loss = sum(self._losses) / len(self._losses)
        self.printer(f"step {step}/{self.total_steps} loss {mean_loss:.4f} lr {lr:.3e} "
                     f"{rate:.1f} {self.unit}/s elapsed {format_seconds(now - self._t0)} "
                     f"ETA {format_seconds(per_step * (self.total_steps - step))}")
        self._last_t, self._last_step, self._losses = now, step, []


class LossCurve:
    """Appends (step, loss[, validation score]) rows to ``loss.csv`` and redraws ``loss.png``.

    With ``resume_step`` the rows of the earlier run up to that step are kept.
    """

    def __init__(self, directory: str, resume_step: Optional[int] = None, score_name: str = "val accuracy"):
        os.makedirs(directory, exist_ok=True)
        self.csv_path = os.path.join(directory, "loss.csv")
        self.png_path = os.path.join(directory, "loss.png")
        self.score_name = score_name
        self.rows: list[tuple[int, float, Optional[float]]] = []
        if resume_step is not None and os.path.isfile(self.csv_path):
            with open(self.csv_path, encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    score = row["val_accuracy"]
                    if int(row["step"]) <= resume_step:
                        self.rows.append((int(row["step"]), float(row["loss"]), float(score) if score else None))

    def add(self, step: int, loss: float, score: Optional[float] = None) -> None:
        """Record one step's loss (and the validation score when it was evaluated)."""
        self.rows.append((step, loss, score))

    def set_score(self, step: int, score: float) -> None:
        """Give the row of ``step`` (the last one added) its validation score."""
        last_step, loss, _ = self.rows[-1]
        if last_step != step:
            raise ValueError(f"the loss curve's last row is step {last_step}, not {step}")
        self.rows[-1] = (step, loss, score)

    def write(self) -> None:
        """Rewrite ``loss.csv`` (through a temporary file and a rename) and ``loss.png`` from all rows; a failed
        write (disk full) is a ``UsageError`` naming the file, the earlier ``loss.csv`` and checkpoints kept."""
        tmp = self.csv_path + f".tmp-{os.getpid()}"
        path = self.csv_path
        try:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(["step", "loss", "val_accuracy"])
                for step, loss, score in sorted(self.rows):
                    writer.writerow([step, f"{loss:.5f}", "" if score is None else f"{score:.4f}"])
            os.replace(tmp, self.csv_path)
            path = self.png_path
            self._plot()
        except OSError as err:
            raise UsageError(f"cannot write {path}: {err.strerror or err}; the checkpoints saved so far are kept, "
                             "continue with --resume true once it can be written") from err
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def _plot(self) -> None:
        import matplotlib  # imported lazily: only training draws
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = sorted(self.rows)
        steps, losses = [r[0] for r in rows], [r[1] for r in rows]
        window = max(1, len(rows) // 100)
        sums = np.cumsum([0.0] + losses)
        starts = np.maximum(0, np.arange(1, len(losses) + 1) - window)
        smooth = (sums[1:] - sums[starts]) / (np.arange(1, len(losses) + 1) - starts)  # trailing mean
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot(steps, losses, color="tab:blue", linewidth=0.5, alpha=0.3)
        ax.plot(steps, smooth, color="tab:blue", linewidth=1.5, label=f"train loss (mean of {window} steps)")
        ax.set_xlabel("step")
        ax.set_ylabel("CTC loss")
        if min(losses, default=0) > 0:
            ax.set_yscale("log")
        evals = [(r[0], r[2]) for r in rows if r[2] is not None]
        if evals:
            ax2 = ax.twinx()
            ax2.plot([e[0] for e in evals], [100 * e[1] for e in evals], "o-", color="tab:red", label=self.score_name)
            ax2.set_ylabel(f"{self.score_name} (%)")
            ax2.set_ylim(0, 100)
        fig.legend(loc="upper center", ncol=2)
        fig.tight_layout()
        fig.savefig(self.png_path, dpi=100)
        plt.close(fig)
