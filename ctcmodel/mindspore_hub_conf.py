"""MindSpore Hub entry point: ``create_network("ctcmodel")`` returns the zoo's ctcmodel (two-layer BiLSTM, 62
classes), which takes features [N, T, 39] and frame counts [N].

Names: ``ctcmodel`` (the official network, default_config.yaml) and ``ctcmodel_cpu_small`` (cpu_small.yaml:
the same network, batches bucketed by length).  Keyword arguments override config values, e.g.
``create_network("ctcmodel", pad_mode="bucket")``.  The network's ``convert_checkpoint`` method lets the hub load
the official card's checkpoint (MindSpore 1.3 on Ascend, older LSTM names; ``src/legacy.py``).
"""
from __future__ import annotations

from mindspore import nn

from src.model_utils.config import named_config
from src.network import build_network

CONFIGS = {"ctcmodel": "default_config.yaml", "ctcmodel_cpu_small": "cpu_small.yaml"}


def create_network(name: str, *args, **kwargs) -> nn.Cell:
    """Build the named network; ``kwargs`` override its config values."""
    return build_network(named_config(name, CONFIGS, args, kwargs))

