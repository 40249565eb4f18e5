"""What a training run writes on rank 0 (step checkpoints with rotation, ``best.ckpt``, the loss curve), the
refusal of a ``save_dir`` that already holds another run, and the check that weights are finite before saving.
"""
from __future__ import annotations

import glob
import math
import os
from types import SimpleNamespace
from typing import Optional

import numpy as np
from mindspore import nn

from .checkpoint import list_checkpoints, prune, read_checkpoint, save_atomic, scalar
from .config import resolve_path
from .errors import UsageError
from .progress import LossCurve


def _run_files(save_dir: str, prefix: str) -> list[str]:
    """The files an earlier run of ``prefix`` left in ``save_dir``: step checkpoints (every rank's), best
    checkpoint, loss curve, sample logs."""
    ckpt_dir = os.path.join(save_dir, "ckpt")
    steps = [p for folder in [ckpt_dir, *glob.glob(os.path.join(glob.escape(ckpt_dir), "rank*"))]
             for p in list_checkpoints(folder, prefix)]
    named = [os.path.join(save_dir, n) for n in ("best.ckpt", "loss.csv", "loss.png")]
    samples = glob.glob(os.path.join(glob.escape(save_dir), "samples_rank*.csv"))
    return steps + [p for p in named if os.path.isfile(p)] + samples


def check_save_dir(cfg: SimpleNamespace) -> None:
    """Refuse to start a new run (no ``--resume``) in a ``save_dir`` holding another run's checkpoints or loss
    curve, unless ``--overwrite true`` says to start over: its rotation and ``--resume`` would mix both runs."""
    if cfg.resume and cfg.overwrite:
        raise UsageError("--resume true continues the run in --save_dir, --overwrite true deletes it: set one")
    if cfg.resume or cfg.overwrite:
        return
    save_dir = resolve_path(cfg.save_dir)
    found = [p for p in _run_files(save_dir, cfg.ckpt_prefix) if not os.path.basename(p).startswith("samples_")]
    if found:
        raise UsageError(f"--save_dir {save_dir} already holds a run ({os.path.relpath(found[-1], save_dir)}): "
                         "continue it with --resume true, choose a new --save_dir, or start over with "
                         "--overwrite true (deletes its checkpoints and loss curve)")


def nonfinite_parameters(cell: nn.Cell) -> list[str]:
    """Names of ``cell``'s parameters (weights and BatchNorm statistics) holding NaN or infinity."""
    return [p.name for p in cell.get_parameters() if not np.isfinite(p.asnumpy()).all()]


class RunFolder:
    """What a run writes on rank 0: step checkpoints with rotation, ``best.ckpt``, the loss curve; a step
    checkpoint or ``best.ckpt`` is written only when every weight of the network is finite."""

    def __init__(self, cfg: SimpleNamespace, rank: int, network: nn.Cell, tags: dict):
        self.cfg, self.rank, self.network, self.tags = cfg, rank, network, tags  # tags: saved in every checkpoint
        self.save_dir = resolve_path(cfg.save_dir)
        self.ckpt_dir = os.path.join(self.save_dir, "ckpt")  # rank 0's, which every rank resumes from
        self.own_ckpt_dir = self.ckpt_dir if rank == 0 else os.path.join(self.ckpt_dir, f"rank{rank}")
        self.best_path = os.path.join(self.save_dir, "best.ckpt")
        self.best_score = -math.inf
        self.curve: Optional[LossCurve] = None

    def start(self, resume_step: Optional[int]) -> None:
        """Open the loss curve; on resume keep its rows up to ``resume_step`` and the best score so far; with
        ``overwrite`` delete the earlier run's files first."""
        if self.cfg.overwrite and self.rank == 0:
            for path in _run_files(self.save_dir, self.cfg.ckpt_prefix):
                os.remove(path)
        if resume_step is not None and os.path.isfile(self.best_path):
            self.best_score = scalar(read_checkpoint(self.best_path), "best_score", -math.inf)
        self.curve = LossCurve(self.save_dir, resume_step=resume_step)

    def step_path(self, step: int, folder: Optional[str] = None) -> str:
        return os.path.join(folder or self.ckpt_dir, f"{self.cfg.ckpt_prefix}-{step}.ckpt")

    def check_finite(self, step: int) -> None:
        """A ``UsageError`` (training diverged) when a weight or statistic of the network is not finite."""
        bad = nonfinite_parameters(self.network)
        if bad:
            raise UsageError(f"training diverged: {len(bad)} weight(s) not finite after step {step} "
                             f"({', '.join(bad[:3])}{' ...' if len(bad) > 3 else ''}); nothing saved for it, the "
                             f"checkpoints saved before are kept in {self.ckpt_dir}; lower --base_lr or "
                             "--clip_grad_norm")

    def save_step(self, train_cell: nn.Cell, step: int, epoch: int) -> None:
        """Rank 0 saves to ``ckpt/``; with ``save_all_ranks`` rank r also saves to ``ckpt/rank{r}/``."""
        if self.rank == 0 or self.cfg.save_all_ranks:
            save_atomic(train_cell, self.step_path(step, self.own_ckpt_dir),
                        append_dict={"step": step, "epoch": epoch, **self.tags})
            prune(self.own_ckpt_dir, self.cfg.ckpt_prefix, self.cfg.keep_checkpoint_max)

    def offer_best(self, step: int, score: float) -> None:
        if self.rank == 0 and score > self.best_score:
            self.best_score = score
            save_atomic(self.network, self.best_path, append_dict={"step": step, "best_score": score, **self.tags})

    def evaluation_pending(self, step: int) -> bool:
        """True when the loss curve's last row is ``step`` without a score: its evaluation was interrupted."""
        rows = self.curve.rows
        return bool(rows) and rows[-1][0] == step and rows[-1][2] is None

    def add_loss(self, step: int, loss: float, write: bool) -> None:
        if self.rank == 0:
            self.curve.add(step, loss)
            if write:
                self.curve.write()

    def add_score(self, step: int, score: float) -> None:
        if self.rank == 0:
            self.curve.set_score(step, score)
            self.curve.write()
