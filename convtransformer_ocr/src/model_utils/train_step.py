"""One training step: loss scaling, gradient all-reduce, global-norm clipping, overflow handling; the optimizers.

On Ascend the network runs in O2 mixed precision with a fixed loss scale (8096 in the zoo,
``drop_overflow_update=False``); on CPU/GPU in fp32 with scale 1.  Gradients are unscaled before
clipping so the clip norm is in real units (a clip norm <= 0: no clipping).  The optimizer and its state
live in this cell, so its checkpoint holds everything needed to resume.
"""
from __future__ import annotations

from types import SimpleNamespace

import mindspore as ms
import numpy as np
from mindspore import nn, ops
from mindspore.communication import get_group_size

from .adamw import AdamW
from .errors import UsageError

OPTIMIZERS = ("rmsprop", "adam", "adamw", "adadelta")


class ClippedTrainStep(nn.Cell):
    """``step(*inputs)`` -> (loss, overflow flag, loss scale); ``inputs`` are those of the loss network."""

    def __init__(self, net_with_loss: nn.Cell, optimizer: nn.Optimizer, loss_scale: float,
                 clip_norm: float, drop_overflow_update: bool):
        super().__init__(auto_prefix=False)
        self.network = net_with_loss
        self.network.set_grad()
        self.optimizer = optimizer
        self.weights = optimizer.parameters
        self.grad = ops.GradOperation(get_by_list=True, sens_param=True)
        self.hyper_map = ops.HyperMap()
        self.scale_sense = ms.Parameter(ms.Tensor([loss_scale], ms.float32), name="scale_sense",
                                        requires_grad=False)
        self.clip_norm = clip_norm
        self.drop_overflow_update = drop_overflow_update
        self.grad_reducer = nn.Identity()
        if ms.get_auto_parallel_context("parallel_mode") in (ms.ParallelMode.DATA_PARALLEL,
                                                              ms.ParallelMode.HYBRID_PARALLEL):
            self.grad_reducer = nn.DistributedGradReducer(self.weights, True, get_group_size())

    def construct(self, *inputs):
        loss = self.network(*inputs)
        scale = self.scale_sense
        sens = ops.fill(loss.dtype, loss.shape, scale.squeeze().astype(loss.dtype))
        grads = self.grad(self.network, self.weights)(*inputs, sens)
        grads = self.hyper_map(ops.partial(_unscale, scale), grads)
        grads = self.grad_reducer(grads)
        overflow = ops.logical_not(ms.amp.all_finite(grads))
        if self.clip_norm > 0:
            grads = ops.clip_by_global_norm(grads, self.clip_norm)
        if self.drop_overflow_update:
            if not overflow:
                self.optimizer(grads)
        else:
            self.optimizer(grads)
        return loss, overflow, scale


_unscale = ops.MultitypeFuncGraph("unscale")


@_unscale.register("Tensor", "Tensor")
def _unscale_tensor(scale, grad):
    return grad * ops.reciprocal(scale).astype(grad.dtype)


def build_optimizer(cfg: SimpleNamespace, params: list, learning_rate: np.ndarray) -> nn.Optimizer:
    """The optimizer ``cfg.optimizer`` (one of ``OPTIMIZERS``) with a per-step learning-rate array.

    rmsprop: the zoo's centred RMSProp (decay 0.9, momentum ``cfg.momentum``); adam, and adamw as PyTorch's
    (bias-corrected, decoupled weight decay: ``adamw.py``), with epsilon ``cfg.adam_eps``; adadelta (rho 0.9,
    eps 1e-6, as MMOCR's CRNN).
    ``cfg.weight_decay`` applies to all.
    """
    lr = ms.Tensor(learning_rate, ms.float32)
    if cfg.optimizer == "rmsprop":
        return nn.RMSProp(params, learning_rate=lr, decay=0.9, momentum=cfg.momentum, epsilon=1e-10,
                          centered=True, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adam":
        return nn.Adam(params, learning_rate=lr, eps=cfg.adam_eps, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adamw":
        return AdamW(params, learning_rate=lr, eps=cfg.adam_eps, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adadelta":
        return nn.Adadelta(params, learning_rate=lr, rho=0.9, epsilon=1e-6, weight_decay=cfg.weight_decay)
    raise UsageError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {cfg.optimizer!r}")
