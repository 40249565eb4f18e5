"""MindSpore Hub for this model zoo: the mindspore_hub API over the cards in ``hub_conf/cards``.

    import hub_conf as mshub
    network = mshub.load("mindspore/ascend/1.1/cnnctc_v1.1", pretrained=False)
    recognize = mshub.pipeline("mindspore/cpu/2.10/cnnctc_cpu_small_v1.0"); recognize("word.png").text

See hub_conf/README.md for the card format, the settings, the cache and what matches mindspore_hub.
"""
import os

# MindSpore 2.10's oneDNN picks a reference convolution kernel on AVX-512 CPUs (50-80x slower);
# capping it at AVX2 selects the JIT kernels.  Read lazily by oneDNN, so set before any network runs.
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")

# pylint: disable=wrong-import-position
from .errors import (ArgumentError, ArgumentTypeError, CardError, DownloadError, HubError,  # noqa: E402
                     InputError, IntegrityError, ModelNotAvailableError, UnknownModelError, WeightsError)
from .load import load  # noqa: E402  (imports the module hub_conf.load first, then binds the function)
from .listing import hub_list, hub_uids  # noqa: E402
from .loader import load_weights  # noqa: E402
from .pipeline import Recognition, pipeline  # noqa: E402
from .settings import get_hub_dir, set_hub_dir  # noqa: E402

__version__ = "2.0.0"  # the mindspore_hub release whose API this follows (see hub_conf/README.md)

__all__ = ["load", "load_weights", "pipeline", "Recognition", "hub_list", "hub_uids", "get_hub_dir", "set_hub_dir",
           "__version__", "HubError",
           "ArgumentError", "ArgumentTypeError", "CardError", "UnknownModelError", "ModelNotAvailableError",
           "DownloadError", "InputError", "IntegrityError", "WeightsError"]
