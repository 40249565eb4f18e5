"""Ascend rank tables from the repository's top folder: runs (or, when imported, is) the model folders' shared
``scripts/hccl_tools.py`` (the same file in every model folder), so there is one implementation.

    python scripts/hccl_tools.py make --server 10.0.0.1 --devices 0-7
    python scripts/hccl_tools.py check hccl_8p_01234567_10.0.0.1.json --rank_size 8

See ``cnnctc/scripts/hccl_tools.py`` for the commands and the checks.
"""
from __future__ import annotations

import importlib.util
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from sync_model_utils import model_folders

_spec = importlib.util.spec_from_file_location(
    "hccl_tools", os.path.join(_ROOT, model_folders(_ROOT)[0], "scripts", "hccl_tools.py"))
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

if __name__ == "__main__":
    sys.exit(_module.main())
sys.modules[__name__] = _module
