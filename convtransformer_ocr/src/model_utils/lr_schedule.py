"""Per-step learning rate: linear warm-up, then half-cosine decay to 0 (the zoo's ``dynamic_lr``), the same
held constant within each epoch (``nn.cosine_decay_lr``, the zoo's ctcmodel), or constant."""
from __future__ import annotations

import numpy as np

from .errors import UsageError

DECAYS = ("cosine", "cosine_epoch", "constant")


def warmup_lr(base_lr: float, total_steps: int, warmup_steps: int, warmup_ratio: float,
              decay: str = "cosine", steps_per_epoch: int = 1) -> np.ndarray:
    """Return float32 [total_steps]: from base_lr*warmup_ratio up to base_lr, then ``decay``: cosine to 0,
    cosine to 0 by whole epochs of ``steps_per_epoch`` steps, or constant."""
    if total_steps <= 0:
        raise UsageError(f"the number of training steps must be positive, got {total_steps}")
    if decay not in DECAYS:
        raise UsageError(f"lr_decay must be one of {', '.join(DECAYS)}, got {decay!r}")
    steps = np.arange(total_steps, dtype=np.float64)
    warmup_steps = min(max(warmup_steps, 0), total_steps)
    start = base_lr * warmup_ratio
    warm = start + (base_lr - start) * steps / max(warmup_steps, 1)
    done = steps - warmup_steps
    if decay == "cosine_epoch":
        done = np.floor(done / max(steps_per_epoch, 1)) * max(steps_per_epoch, 1)
    progress = done / max(1, total_steps - warmup_steps)
    after = base_lr * 0.5 * (1.0 + np.cos(np.pi * progress)) if decay != "constant" else np.full(total_steps, base_lr)
    return np.where(steps < warmup_steps, warm, after).astype(np.float32)
