"""MindSpore Hub entry point: ``create_network("cnnctc")`` returns the CNN-CTC network.

Names: ``cnnctc`` (zoo architecture, default_config.yaml) and ``cnnctc_cpu_small`` (widths / 4,
cpu_small.yaml).  Keyword arguments override config values, e.g.
``create_network("cnnctc", output_channel=256)``.
"""
from __future__ import annotations

from mindspore import nn

from src.cnn_ctc import build_network
from src.model_utils.config import named_config

CONFIGS = {"cnnctc": "default_config.yaml", "cnnctc_cpu_small": "cpu_small.yaml"}


def create_network(name: str, *args, **kwargs) -> nn.Cell:
    """Build the named network; ``kwargs`` override its config values."""
    return build_network(named_config(name, CONFIGS, args, kwargs))
