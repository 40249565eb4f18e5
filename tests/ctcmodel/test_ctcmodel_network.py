"""ctcmodel's network: the official parameters (names, shapes, 584,254), the official forward in ``full`` mode,
padding-independent outputs in ``bucket`` mode, and the per-epoch cosine schedule of the official recipe."""
from __future__ import annotations

import json
import os

import mindspore as ms
import numpy as np
from mindspore import nn, ops

from ctcmodel.src.network import CTCModel

MANIFEST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                        "ctcmodel_official_manifest.json")  # a copy of ../shared/reference/ctcmodel.json


def test_names_shapes_and_count_equal_the_official_manifest():
    with open(MANIFEST, encoding="utf-8") as f:
        manifest = json.load(f)
    net = CTCModel()
    assert {p.name: list(p.shape) for p in net.get_parameters()} == {n: s for n, s, _ in manifest["params"]}
    assert sum(p.size for p in net.trainable_params()) == manifest["total_params"] == 584_254


def _features(batch: int, frames: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(batch, frames, 39)).astype(np.float32)


class _OfficialForward(nn.Cell):
    """The official CTCModel.construct: time-major nn.LSTM over the whole padded input, masks, Dense."""

    def __init__(self, ours: CTCModel):
        super().__init__()
        self.lstm = nn.LSTM(39, 128, num_layers=2, bidirectional=True)
        self.embedding = ours.embedding
        for mine, theirs in zip(ours.lstm.get_parameters(), self.lstm.get_parameters()):
            theirs.set_data(mine.data)

    def construct(self, features, masks):
        x = ops.transpose(features, (1, 0, 2))
        hidden, _ = self.lstm(x)
        hidden = hidden * ops.transpose(masks, (1, 0, 2))
        steps, batch, width = hidden.shape
        return self.embedding(hidden.reshape(steps * batch, width)).reshape(steps, batch, -1)


def test_full_mode_equals_the_official_forward():
    ours = CTCModel(use_lengths=False)
    ours.set_train(False)
    frames = np.array([120, 75], np.int32)
    x = _features(2, 120)
    x[1, 75:] = 0
    masks = (np.arange(120)[None, :, None] < frames[:, None, None]).astype(np.float32).repeat(256, axis=2)
    official = _OfficialForward(ours)(ms.Tensor(x), ms.Tensor(masks)).asnumpy().transpose(1, 0, 2)
    mine = ours(ms.Tensor(x), ms.Tensor(frames)).asnumpy()
    valid = masks[..., :1].astype(bool).repeat(62, axis=2)
    np.testing.assert_allclose(mine[valid], official[valid], atol=1e-5)
    assert np.all(mine[~valid] == 0)


def test_bucket_mode_outputs_do_not_depend_on_padding_or_batch_mates():
    net = CTCModel(use_lengths=True)
    net.set_train(False)
    utterance = _features(1, 60, seed=1)
    alone = net(ms.Tensor(utterance), ms.Tensor(np.array([60], np.int32))).asnumpy()[0]
    batch = np.zeros((3, 100, 39), np.float32)
    batch[0, :90] = _features(1, 90, seed=2)[0]
    batch[1, :60] = utterance[0]
    batch[2, :30] = _features(1, 30, seed=3)[0]
    padded = net(ms.Tensor(batch), ms.Tensor(np.array([90, 60, 30], np.int32))).asnumpy()
    np.testing.assert_allclose(padded[1, :60], alone, atol=1e-5)
    assert np.all(padded[1, 60:] == 0)


def test_full_mode_reads_the_padding_as_the_official_network_does():
    net = CTCModel(use_lengths=False)
    net.set_train(False)
    utterance = _features(1, 60, seed=1)
    short = net(ms.Tensor(utterance), ms.Tensor(np.array([60], np.int32))).asnumpy()[0]
    longer = np.zeros((1, 160, 39), np.float32)
    longer[0, :60] = utterance[0]
    padded = net(ms.Tensor(longer), ms.Tensor(np.array([60], np.int32))).asnumpy()[0, :60]
    assert np.abs(padded - short).max() > 1e-4  # the backward LSTM starts in the padding
