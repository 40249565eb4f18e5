"""model_utils' AdamW takes PyTorch's ``torch.optim.AdamW`` steps (bias correction, decoupled decay) with a
per-step learning rate, where MindSpore's ``nn.AdamWeightDecay`` (no bias correction) does not."""
from __future__ import annotations

import mindspore as ms
import numpy as np
import pytest
from mindspore import nn

from cnnctc.src.model_utils.adamw import AdamW

torch = pytest.importorskip("torch")

LRS = np.array([1e-3, 4e-3, 1e-2, 1e-2, 5e-3, 2e-3], np.float32)


def _run_mindspore(optimizer_class, start: np.ndarray, grads: np.ndarray, **kwargs) -> np.ndarray:
    param = ms.Parameter(ms.Tensor(start), name="w")
    optimizer = optimizer_class([param], learning_rate=ms.Tensor(LRS), **kwargs)
    for grad in grads:
        optimizer((ms.Tensor(grad),))
    return param.asnumpy()


def _run_torch(start: np.ndarray, grads: np.ndarray) -> np.ndarray:
    param = torch.nn.Parameter(torch.from_numpy(start.copy()))
    optimizer = torch.optim.AdamW([param], lr=float(LRS[0]), eps=1e-8, weight_decay=0.05)
    for lr, grad in zip(LRS, grads):
        optimizer.param_groups[0]["lr"] = float(lr)
        param.grad = torch.from_numpy(grad)
        optimizer.step()
    return param.detach().numpy()


def test_adamw_steps_as_pytorch_adamw():
    rng = np.random.default_rng(0)
    start = rng.normal(size=(4, 3)).astype(np.float32)
    grads = rng.normal(scale=0.1, size=(len(LRS), 4, 3)).astype(np.float32)
    ours = _run_mindspore(AdamW, start, grads, eps=1e-8, weight_decay=0.05)
    np.testing.assert_allclose(ours, _run_torch(start, grads), rtol=1e-5, atol=1e-6)
    bert_style = _run_mindspore(nn.AdamWeightDecay, start, grads, eps=1e-8, weight_decay=0.05)
    assert np.abs(bert_style - start).max() > 2 * np.abs(ours - start).max()  # what the plate profile suffered


def test_adamw_state_is_in_the_optimizer_parameters():
    param = ms.Parameter(ms.Tensor(np.ones(3, np.float32)), name="w")
    names = {p.name for p in AdamW([param], learning_rate=1e-3).get_parameters()}
    assert {"adam_m.w", "adam_v.w", "beta1_power", "beta2_power", "global_step"} <= names
