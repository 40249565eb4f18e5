"""AdamW as PyTorch's ``torch.optim.AdamW`` (Loshchilov and Hutter): bias-corrected moments, decoupled decay.

MindSpore's ``nn.AdamWeightDecay`` (BERT's optimizer) leaves out Adam's bias correction: its step is
m / (sqrt(v) + eps) with both moments still near their zero start, which makes the first few hundred steps
2 to 6 times larger than Adam's (6.2x at step 20 with beta2 = 0.999).  A ConvNeXt + transformer started at
MindSpore's initialisation does not survive that at lr 1e-3 (its outputs stop depending on the input; see
convtransformer_ocr/README.md), where PyTorch's AdamW from the very same weights learns.  This optimizer takes
PyTorch's step, per parameter and step t:

    p <- p (1 - lr wd);  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
    p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

The moments (``adam_m.*``, ``adam_v.*``) and the powers b1^t, b2^t are parameters of the optimizer, so a
checkpoint of the train step holds everything a resumed run needs.
"""
from __future__ import annotations

import mindspore as ms
from mindspore import nn, ops

_update = ops.MultitypeFuncGraph("adamw_update")


@_update.register("Tensor", "Tensor", "Tensor", "Tensor", "Tensor", "Tensor", "Tensor", "Tensor", "Tensor",
                  "Tensor", "Tensor")
def _update_tensor(beta1, beta2, eps, lr, decay, step_size, v_correction, param, m, v, grad):
    """One parameter's AdamW step (float32); returns the new parameter."""
    grad = grad.astype(ms.float32)
    next_m = beta1 * m + (1.0 - beta1) * grad
    next_v = beta2 * v + (1.0 - beta2) * grad * grad
    decayed = param.astype(ms.float32) * (1.0 - lr * decay)
    next_param = decayed - step_size * next_m / (ops.sqrt(next_v / v_correction) + eps)
    next_param = ops.depend(next_param, ops.assign(m, next_m))
    next_param = ops.depend(next_param, ops.assign(v, next_v))
    return ops.assign(param, next_param.astype(param.dtype))


class AdamW(nn.Optimizer):
    """PyTorch's AdamW; ``learning_rate`` a float or a per-step array (as every zoo optimizer here)."""

    def __init__(self, params, learning_rate, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(learning_rate, params)
        self.beta1 = ms.Tensor(beta1, ms.float32)
        self.beta2 = ms.Tensor(beta2, ms.float32)
        self.eps = ms.Tensor(eps, ms.float32)
        self.decay = ms.Tensor(weight_decay, ms.float32)
        self.moments1 = self._parameters.clone(prefix="adam_m", init="zeros")
        self.moments2 = self._parameters.clone(prefix="adam_v", init="zeros")
        self.beta1_power = ms.Parameter(ms.Tensor(1.0, ms.float32), name="beta1_power")
        self.beta2_power = ms.Parameter(ms.Tensor(1.0, ms.float32), name="beta2_power")
        self.hyper_map = ops.HyperMap()

    def construct(self, gradients):
        lr = self.get_lr()
        self.assignadd(self.global_step, self.global_step_increase_tensor)
        beta1_power = self.beta1_power * self.beta1
        beta2_power = self.beta2_power * self.beta2
        ops.assign(self.beta1_power, beta1_power)
        ops.assign(self.beta2_power, beta2_power)
        step_size = lr / (1.0 - beta1_power)
        return self.hyper_map(ops.partial(_update, self.beta1, self.beta2, self.eps, lr, self.decay, step_size,
                                          1.0 - beta2_power),
                              self._parameters, self.moments1, self.moments2, gradients)
