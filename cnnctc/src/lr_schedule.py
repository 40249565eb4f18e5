"""Per-step learning rate: linear warm-up, then half-cosine decay (zoo ``dynamic_lr``)."""
from __future__ import annotations

import math

import numpy as np


def warmup_cosine_lr(base_lr: float, total_steps: int, warmup_steps: int, warmup_ratio: float,
                     min_lr: float = 0.0) -> np.ndarray:
    """Return float32 [total_steps]: from base_lr*warmup_ratio up to base_lr, then cosine to min_lr."""
    if total_steps <= 0:
        raise ValueError(f"total_steps must be positive, got {total_steps}")
    warmup_steps = min(warmup_steps, total_steps)
    start = base_lr * warmup_ratio
    lrs = []
    for step in range(total_steps):
        if step < warmup_steps:
            lrs.append(start + (base_lr - start) * step / warmup_steps)
        else:
            progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
            lrs.append(min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress)))
    return np.asarray(lrs, dtype=np.float32)
