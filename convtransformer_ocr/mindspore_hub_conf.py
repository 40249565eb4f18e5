"""MindSpore Hub entry point: ``create_network("convtransformer_ocr")`` returns ModelScope's
ConvNextViT licence-plate recognizer.

Names: ``convtransformer_ocr`` (ModelScope's network, default_config.yaml) and
``convtransformer_ocr_cpu_small`` (the small plate model, cpu_small.yaml).  Keyword arguments override config
values, e.g. ``create_network("convtransformer_ocr_cpu_small", vit_depth=1)``.
"""
from __future__ import annotations

from mindspore import nn

from src.model_utils.config import named_config
from src.network import build_network

CONFIGS = {"convtransformer_ocr": "default_config.yaml",
           "convtransformer_ocr_cpu_small": "cpu_small.yaml"}


def create_network(name: str, *args, **kwargs) -> nn.Cell:
    """Build the named network; ``kwargs`` override its config values."""
    return build_network(named_config(name, CONFIGS, args, kwargs))
