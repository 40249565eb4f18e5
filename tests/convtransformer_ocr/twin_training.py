"""The plate profile trained from the same start in MindSpore and in its PyTorch twin (``modelscope_twin.py``).

``same_start`` builds the MindSpore network of a config and a twin of the same sizes whose weights are the
network's (LayerNorm ``weight``/``bias`` are MindSpore's ``gamma``/``beta``); ``plate_batch`` reads synthesized plates with the project's
preprocessing; ``mindspore_steps`` trains through the zoo's train step (``model_utils.fit.build_train_step``:
AdamW, warm-up, clipping) and ``torch_steps`` takes the same steps with ``torch.optim.AdamW``.  The learning
test (``test_plate_learning.py``) and the curve record (``python tests/convtransformer_ocr/twin_curves.py``)
use them.
"""
from __future__ import annotations

import os
from types import SimpleNamespace

import mindspore as ms
import numpy as np
import torch

from convtransformer_ocr.modelscope_twin import ConvNextViT
from convtransformer_ocr.src.charset import label_converter
from convtransformer_ocr.src.model_utils.config import load_config
from convtransformer_ocr.src.model_utils.ctc import CTCLoss, NetWithLoss
from convtransformer_ocr.src.model_utils.fit import build_train_step
from convtransformer_ocr.src.model_utils.lr_schedule import warmup_lr
from convtransformer_ocr.src.model_utils.train_step import ClippedTrainStep
from convtransformer_ocr.src.network import build_network
from convtransformer_ocr.src.preprocess import decode_rgb, pad_line

MODEL_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "convtransformer_ocr")


def plate_config(*overrides: str) -> SimpleNamespace:
    """cpu_small.yaml (the plate profile) with ``overrides``."""
    return load_config(["--config_path", os.path.join(MODEL_DIR, "cpu_small.yaml"), *overrides],
                       default_path=os.path.join(MODEL_DIR, "default_config.yaml"))


def plate_batch(cfg: SimpleNamespace, folder: str, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """The first ``count`` plates of a gt.txt folder: (lines float32 [N, 3, 32, W], labels, lengths, texts)."""
    with open(os.path.join(folder, "gt.txt"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][:count]
    converter = label_converter(cfg)
    lines = []
    for path, _ in rows:
        with open(os.path.join(folder, path), "rb") as f:
            lines.append(pad_line(decode_rgb(f.read()), cfg.line_width))
    encoded = [converter.encode(text) for _, text in rows]
    x = np.stack(lines).astype(np.float32).transpose(0, 3, 1, 2) / 255.0
    labels = np.stack([ids for ids, _ in encoded]).astype(np.int32)
    lengths = np.array([n for _, n in encoded], np.int32)
    return x, labels, lengths, [text for _, text in rows]


def our_name(key: str, names: set) -> str:
    """The MindSpore name of a twin tensor: the same, or a LayerNorm's ``gamma``/``beta`` for ``weight``/``bias``."""
    if key in names:
        return key
    stem, leaf = key.rsplit(".", 1)
    renamed = f"{stem}.{ {'weight': 'gamma', 'bias': 'beta'}[leaf]}"
    if renamed not in names:
        raise KeyError(f"the twin's {key} has no MindSpore parameter")
    return renamed


def same_start(cfg: SimpleNamespace) -> tuple[ms.nn.Cell, ConvNextViT]:
    """(MindSpore network at its own initialisation, seeded by ``cfg.seed``; the twin holding the very same
    weights)."""
    ms.set_seed(cfg.seed)
    net = build_network(cfg)
    twin = ConvNextViT(tuple(cfg.depths), tuple(cfg.dims), cfg.embed_dim, cfg.vit_depth, cfg.num_heads,
                       cfg.mlp_ratio, label_converter(cfg).num_class, cfg.window_width)
    ours = {p.name: p.asnumpy() for p in net.get_parameters()}
    with torch.no_grad():
        for key, tensor in twin.state_dict().items():
            tensor.copy_(torch.from_numpy(ours[our_name(key, set(ours))]))
    return net, twin


def torch_ctc(twin: ConvNextViT, x: torch.Tensor, labels: np.ndarray, lengths: np.ndarray) -> torch.Tensor:
    """CTC summed per plate, mean over the batch (the zoo's ``CTCLoss``), blank 0."""
    log_probs = twin.forward_window(x).log_softmax(-1).transpose(0, 1)
    return torch.nn.functional.ctc_loss(
        log_probs, torch.from_numpy(labels).long(), torch.full((len(x),), log_probs.shape[0], dtype=torch.long),
        torch.from_numpy(lengths).long(), blank=0, reduction="sum", zero_infinity=True) / len(x)


def mindspore_steps(cfg: SimpleNamespace, net: ms.nn.Cell, batch: tuple, steps: int, every: int = 1,
                    adam_weight_decay: bool = False) -> tuple[list[float], dict[int, int]]:
    """Train ``steps`` steps on one batch through the zoo's train step; (losses, {step: plates read} every
    ``every`` steps).  ``adam_weight_decay``: with MindSpore's ``nn.AdamWeightDecay`` (no bias correction),
    the zoo's ``adamw`` before issue 19, instead of ``model_utils.adamw.AdamW``."""
    x, labels, lengths, texts = batch
    converter = label_converter(cfg)
    if adam_weight_decay:
        rates = ms.Tensor(warmup_lr(cfg.base_lr, steps, cfg.warmup_steps, cfg.warmup_ratio, cfg.lr_decay))
        optimizer = ms.nn.AdamWeightDecay(net.trainable_params(), learning_rate=rates, eps=cfg.adam_eps,
                                          weight_decay=cfg.weight_decay)
        cell = ClippedTrainStep(NetWithLoss(net, CTCLoss(converter.blank)), optimizer, 1.0, cfg.clip_grad_norm,
                                cfg.drop_overflow_update)
        cell.set_train(True)
    else:
        cell, _ = build_train_step(cfg, net, CTCLoss(converter.blank), steps)
    inputs = ms.Tensor(x), ms.Tensor(labels), ms.Tensor(lengths)
    losses, read = [], {}
    for step in range(1, steps + 1):
        losses.append(float(cell(*inputs)[0].asnumpy()))
        if step % every == 0:
            net.set_train(False)
            decoded = converter.decode(net(inputs[0]).asnumpy())
            net.set_train(True)
            read[step] = sum(text == truth for (text, _), truth in zip(decoded, texts))
    return losses, read


def torch_steps(cfg: SimpleNamespace, twin: ConvNextViT, batch: tuple, lrs: np.ndarray, every: int = 1
                ) -> tuple[list[float], dict[int, int]]:
    """The same steps with ``torch.optim.AdamW`` at the per-step rates ``lrs`` and the config's clipping."""
    x, labels, lengths, texts = batch
    converter = label_converter(cfg)
    optimizer = torch.optim.AdamW(twin.parameters(), lr=float(lrs[0]), eps=cfg.adam_eps,
                                  weight_decay=cfg.weight_decay)
    inputs = torch.from_numpy(x)
    losses, read = [], {}
    for step, lr in enumerate(lrs, 1):
        twin.train()
        optimizer.param_groups[0]["lr"] = float(lr)
        loss = torch_ctc(twin, inputs, labels, lengths)
        optimizer.zero_grad()
        loss.backward()
        if cfg.clip_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(twin.parameters(), cfg.clip_grad_norm)
        optimizer.step()
        losses.append(loss.item())
        if step % every == 0:
            twin.eval()
            with torch.no_grad():
                decoded = converter.decode(twin.forward_window(inputs).numpy())
            read[step] = sum(text == truth for (text, _), truth in zip(decoded, texts))
    return losses, read
