"""Exact GELU, x * (1 + erf(x / sqrt 2)) / 2, built from ops that every export format has.

MindSpore cannot export ``Erf``, ``Sign`` or ``Reciprocal`` to ONNX, so erf is Abramowitz and Stegun's 7.1.26
(absolute error below 1.5e-7, float32 rounding level): erf(z) = sign(z) (1 - t (a1 + t (a2 + t (a3 + t (a4 +
t a5)))) exp(-z^2)), t = 1 / (1 + p |z|), with sign(z) as z / (|z| + 1e-30).  It has no parameters, so
checkpoints are unchanged.  Its gradient is written out, d/dx x Phi(x) = Phi(x) + x phi(x) with MindSpore's own
``Erf`` (training only, never exported): differentiating the 15 element-wise ops of the approximation took a
quarter of the plate profile's training step.
"""
from __future__ import annotations

from mindspore import nn, ops

P = 0.3275911
A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
SQRT_HALF = 0.7071067811865476
TINY = 1e-30
INV_SQRT_2PI = 0.3989422804014327


class ExactGELU(nn.Cell):
    """GELU with the erf form (PyTorch's ``nn.GELU()``), exportable to ONNX."""

    def construct(self, x):
        z = x * SQRT_HALF
        magnitude = ops.abs(z)
        t = ops.ones_like(z) / (1.0 + P * magnitude)  # not 1 / (...): ONNX export lacks Reciprocal
        poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))))
        erf_magnitude = 1.0 - poly * ops.exp(-magnitude * magnitude)
        sign = z / (magnitude + TINY)  # ONNX export lacks Sign; at z ~ 0, erf_magnitude ~ 0 anyway
        return 0.5 * x * (1.0 + sign * erf_magnitude)

    def bprop(self, x, out, dout):
        """dGELU/dx = Phi(x) + x phi(x): the normal distribution's CDF and density."""
        cdf = 0.5 * (1.0 + ops.erf(x * SQRT_HALF))
        pdf = ops.exp(-0.5 * x * x) * INV_SQRT_2PI
        return (dout * (cdf + x * pdf),)
