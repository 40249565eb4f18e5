"""MindSpore Hub entry point: ``create_network("handwritten_zh")`` returns the handwritten simplified Chinese
line recognizer (gray [N, 1, 96, W] -> logits [N, W / 16, 4059]).

Names: ``handwritten_zh`` (the reference's size, default_config.yaml) and ``handwritten_zh_cpu_small``
(cpu_small.yaml).  Keyword arguments override config values, e.g.
``create_network("handwritten_zh", stage_blocks=[1, 2, 2, 1])``.
"""
from __future__ import annotations

from mindspore import nn

from src.model_utils.config import named_config
from src.network import build_network

CONFIGS = {"handwritten_zh": "default_config.yaml", "handwritten_zh_cpu_small": "cpu_small.yaml"}


def create_network(name: str, *args, **kwargs) -> nn.Cell:
    """Build the named network; ``kwargs`` override its config values."""
    return build_network(named_config(name, CONFIGS, args, kwargs))
