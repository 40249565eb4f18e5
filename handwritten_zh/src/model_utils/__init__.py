"""Generic machinery of the CTC model zoo, byte-identical in every model folder's ``src/model_utils``.

Config (and the generic config keys, ``common.yaml`` and ``image_models.yaml``), errors, context, checkpoints,
progress, schedules, sample order, train step, ``fit`` loop, CTC loss and decoding, metrics, data pipeline,
training augmentation, evaluation (and its error report: alignment, confusions, image sheet) and export helpers.
Change it in one model folder and run ``python scripts/sync_model_utils.py MODEL`` to copy it to the others.
"""
import hashlib
import os

# MindSpore 2.10's oneDNN runs float32 NCHW convolutions through a reference kernel when it
# picks an AVX-512 code path (50-80x slower on Sapphire Rapids); capping it at AVX2 selects the
# JIT GEMM kernels.  oneDNN reads this lazily, before its first primitive.  Set it yourself to override.
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")


def digest() -> str:
    """First 12 hex digits of the sha256 over this package's ``.py`` files and generic config files (``.yaml``):
    names and contents, sorted."""
    folder = os.path.dirname(os.path.abspath(__file__))
    sha = hashlib.sha256()
    for name in sorted(n for n in os.listdir(folder) if n.endswith((".py", ".yaml"))):
        sha.update(name.encode() + b"\0")
        with open(os.path.join(folder, name), "rb") as f:
            sha.update(f.read())
    return sha.hexdigest()[:12]
