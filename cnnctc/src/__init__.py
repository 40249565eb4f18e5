"""CNN-CTC (Baek et al. 2019) for MindSpore: network, data, training and evaluation helpers."""
import os

# MindSpore 2.10's oneDNN runs float32 NCHW convolutions through a reference kernel when it
# picks an AVX-512 code path (50-80x slower on Sapphire Rapids); capping it at AVX2 selects the
# JIT GEMM kernels.  oneDNN reads this lazily, before its first primitive.  Set it yourself to override.
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
