"""MindSpore's compile cache for ``infer.py`` of models whose network input has one shape: a cold start reuses
the graph compiled by an earlier run of the same configuration (about 2.5 s of 5-9 s on a CPU).

MindSpore's cache checks only the Python files it depends on, not the network's configuration, so each
configuration gets its own folder: ``$CTC_ZOO_COMPILE_CACHE`` (default ``~/.cache/ctc_model_zoo/compile``)
``/<key>``, the key a hash of the model folder, the config values that shape the graph, the model file (path,
size, modification time), the batch size and the MindSpore version.  Set ``CTC_ZOO_COMPILE_CACHE=""`` to turn
it off; a ``MS_COMPILER_CACHE_ENABLE`` already set is the user's choice and left alone.
"""
from __future__ import annotations

import hashlib
import os
from types import SimpleNamespace
from typing import Optional

import mindspore as ms

from .config import MODEL_DIR

RUN_KEYS = ("input", "output", "checkpoint_path", "config_path", "device_id")  # no part of the graph


def enable_compile_cache(cfg: SimpleNamespace, model_path: str, batch_size: int) -> Optional[str]:
    """Point MindSpore's compile cache at this configuration's folder; return it (None when left off)."""
    if "MS_COMPILER_CACHE_ENABLE" in os.environ:
        return None
    root = os.environ.get("CTC_ZOO_COMPILE_CACHE",
                          os.path.join(os.path.expanduser("~"), ".cache", "ctc_model_zoo", "compile"))
    if not root or not os.path.isfile(model_path):
        return None
    stat = os.stat(model_path)
    graph = sorted((k, repr(v)) for k, v in vars(cfg).items() if k not in RUN_KEYS)
    key = repr((MODEL_DIR, graph, os.path.abspath(model_path), stat.st_size, stat.st_mtime_ns, batch_size,
                ms.__version__))
    path = os.path.join(root, hashlib.sha256(key.encode()).hexdigest()[:20])
    os.environ["MS_COMPILER_CACHE_ENABLE"] = "1"
    os.environ["MS_COMPILER_CACHE_PATH"] = path
    return path
