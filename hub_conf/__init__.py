"""MindSpore Hub for this model zoo: the mindspore_hub API over the cards in ``hub_conf/cards``.

    import hub_conf as mshub
    network = mshub.load("mindspore/ascend/1.1/cnnctc_v1.1", pretrained=False)

See hub_conf/README.md for the card format, the settings and the cache.
"""
import os

# MindSpore 2.10's oneDNN picks a reference convolution kernel on AVX-512 CPUs (50-80x slower);
# capping it at AVX2 selects the JIT kernels.  Read lazily by oneDNN, so set before any network runs.
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")

# pylint: disable=wrong-import-position
from .errors import (CardError, DownloadError, HubError, IntegrityError, ModelNotAvailableError,  # noqa: E402
                     UnknownModelError, WeightsError)
from .loader import hub_list, load, load_weights  # noqa: E402
from .settings import get_hub_dir, set_hub_dir  # noqa: E402

__all__ = ["load", "load_weights", "hub_list", "get_hub_dir", "set_hub_dir", "HubError", "CardError",
           "UnknownModelError", "ModelNotAvailableError", "DownloadError", "IntegrityError", "WeightsError"]
