"""MindSpore Hub entry point: ``create_network("cnnctc")`` returns the CNN-CTC network.

Names: ``cnnctc`` (zoo architecture, default_config.yaml) and ``cnnctc_cpu_small`` (widths / 4,
cpu_small.yaml).  Keyword arguments override config values, e.g.
``create_network("cnnctc", output_channel=256)``.
"""
from __future__ import annotations

import os

from mindspore import nn

from src.cnn_ctc import build_network
from src.model_utils.config import MODEL_DIR, load_config, with_overrides

CONFIGS = {"cnnctc": "default_config.yaml", "cnnctc_cpu_small": "cpu_small.yaml"}


def create_network(name: str, *args, **kwargs) -> nn.Cell:
    """Build the named network; ``kwargs`` override its config values."""
    if name not in CONFIGS:
        raise ValueError(f"unknown network {name!r}; choose one of {', '.join(CONFIGS)}")
    if args:
        raise TypeError(f"create_network takes config overrides as keywords only, got {args!r}")
    cfg = load_config([], default_path=os.path.join(MODEL_DIR, CONFIGS[name]))
    return build_network(with_overrides(cfg, kwargs, f"create_network({name!r})"))
