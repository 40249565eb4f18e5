"""MindSpore Hub entry point: ``create_network("crnn_minivgg")`` returns MMOCR's CRNN.

Names: ``crnn_minivgg`` (MMOCR's crnn_mini-vgg_5e_mj, default_config.yaml) and ``crnn_cpu_small``
(cpu_small.yaml).  Keyword arguments override config values, e.g. ``create_network("crnn_minivgg", hidden_size=128)``.
"""
from __future__ import annotations

from mindspore import nn

from src.crnn import build_network
from src.model_utils.config import named_config

CONFIGS = {"crnn_minivgg": "default_config.yaml", "crnn_cpu_small": "cpu_small.yaml"}


def create_network(name: str, *args, **kwargs) -> nn.Cell:
    """Build the named network; ``kwargs`` override its config values."""
    return build_network(named_config(name, CONFIGS, args, kwargs))
