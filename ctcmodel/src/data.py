"""ctcmodel's data: utterances of MindRecord feature files (``preprocess_data.py``) in memory, batches padded
as ``pad_mode`` says, and the per-utterance valid frame counts that the network and the CTC loss take.

A batch is (features float32 [B, W, 39], frames int32 [B], labels int32 [B, max_label_length] padded with
the blank, label lengths int32 [B], frames again (the loss's input lengths), sample indices).  W is
``max_frames`` (``pad_mode: full``, the official layout) or the batch's longest utterance rounded up to a
multiple of ``width_step`` (``pad_mode: bucket``; the sampler then fills each step with utterances of
similar length, see ``model_utils.sampler``).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Iterator, Optional, Sequence

import mindspore.dataset as ds
import numpy as np

from .feature_store import read_records
from .model_utils.ctc import CTCLabelConverter
from .model_utils.errors import DatasetError
from .phones import BLANK, PHONES_61

COLUMNS = ["features", "frames", "labels", "label_lengths", "input_lengths", "index"]


@dataclass
class UtteranceSkips:
    """Utterances left out at loading, and why."""

    too_many_frames: int = 0
    label_too_long: int = 0
    empty_label: int = 0
    nonfinite: int = 0
    label_beyond_frames: int = 0

    def any(self) -> bool:
        return bool(self.too_many_frames or self.label_too_long or self.empty_label or self.nonfinite
                    or self.label_beyond_frames)

    def summary(self) -> str:
        return (f"skipped: {self.too_many_frames} longer than max_frames, {self.label_too_long} with more "
                f"phones than max_label_length, {self.empty_label} without phones, {self.nonfinite} with features "
                f"not finite, {self.label_beyond_frames} with more phones than CTC can align to their frames")


def frames_needed(label: np.ndarray) -> int:
    """The fewest frames CTC can align ``label`` to: one per phone, and a blank between repeated phones."""
    return len(label) + int(np.count_nonzero(label[1:] == label[:-1]))


class UtteranceSource:
    """The usable utterances of MindRecord files, features and labels in memory."""

    def __init__(self, paths: Sequence[str], max_frames: int, max_label_length: int):
        self.paths = list(paths)
        self.skipped = UtteranceSkips()
        self.ids: list[str] = []
        self.features: list[np.ndarray] = []
        self.labels: list[np.ndarray] = []
        self._groups: list[np.ndarray] = []
        for path in self.paths:
            first = len(self.ids)
            for record in read_records(path):
                if len(record.feature) > max_frames:
                    self.skipped.too_many_frames += 1
                elif len(record.label) > max_label_length:
                    self.skipped.label_too_long += 1
                elif len(record.label) == 0:
                    self.skipped.empty_label += 1
                elif not np.isfinite(record.feature).all():
                    self.skipped.nonfinite += 1
                elif frames_needed(record.label) > len(record.feature):
                    self.skipped.label_beyond_frames += 1
                else:
                    self.ids.append(record.id)
                    self.features.append(record.feature)
                    self.labels.append(record.label)
            if len(self.ids) == first:
                raise DatasetError(f"{path} holds no usable utterance ({self.skipped.summary()})")
            self._groups.append(np.arange(first, len(self.ids)))
        self.frames = np.array([len(f) for f in self.features], np.int32)
        self.max_label_length = max_label_length

    def __len__(self) -> int:
        return len(self.ids)

    def name(self, index: int) -> str:
        """What names utterance ``index`` in reports: its id."""
        return self.ids[index]

    def indices_by_entry(self) -> list[np.ndarray]:
        return self._groups

    def describe(self) -> str:
        hours = self.frames.sum() * 0.005 / 3600
        return "\n".join(f"  {os.path.relpath(p)}: {len(g)} utterances" for p, g in zip(self.paths, self._groups)) \
            + f"\n  {hours:.2f} h of audio, {int(self.frames.mean()) if len(self) else 0} frames on average"

    def batch(self, indices: np.ndarray, width: int) -> tuple[np.ndarray, ...]:
        """The padded batch of the utterances ``indices`` at ``width`` frames (see the module docstring)."""
        features = np.zeros((len(indices), width, self.features[0].shape[1]), np.float32)
        labels = np.full((len(indices), self.max_label_length), BLANK, np.int32)
        for row, number in enumerate(indices):
            features[row, :self.frames[number]] = self.features[number]
            labels[row, :len(self.labels[number])] = self.labels[number]
        frames = self.frames[indices]
        label_lengths = np.array([len(self.labels[n]) for n in indices], np.int32)
        return features, frames, labels, label_lengths, frames, np.asarray(indices, np.int64)


def batch_width(cfg: SimpleNamespace, longest: int) -> int:
    """Frames of a batch whose longest utterance has ``longest`` frames."""
    if cfg.pad_mode == "full":
        return cfg.max_frames
    return min(cfg.max_frames, math.ceil(longest / cfg.width_step) * cfg.width_step)


class _Batches:
    """Random access to the padded batches of consecutive ``batch_size`` indices of ``order``."""

    def __init__(self, cfg: SimpleNamespace, source: UtteranceSource, order: np.ndarray, batch_size: int):
        self.cfg, self.source, self.batch_size = cfg, source, batch_size
        self.order = order[:len(order) // batch_size * batch_size].reshape(-1, batch_size)

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, number: int) -> tuple[np.ndarray, ...]:
        indices = self.order[number]
        return self.source.batch(indices, batch_width(self.cfg, int(self.source.frames[indices].max())))


def utterance_dataset(cfg: SimpleNamespace, source: UtteranceSource, batch_size: int,
                      order: Optional[np.ndarray] = None) -> ds.Dataset:
    """Training batches of ``source`` in ``order`` (default: as stored; a whole number of batches is used)."""
    order = np.arange(len(source)) if order is None else order
    return ds.GeneratorDataset(_Batches(cfg, source, order, batch_size), column_names=COLUMNS, shuffle=False,
                               num_parallel_workers=1, python_multiprocessing=False)


def eval_batches(cfg: SimpleNamespace, source: UtteranceSource,
                 batch_size: int) -> Iterator[tuple[np.ndarray, ...]]:
    """Every utterance of ``source`` once, by increasing length, in batches of ``batch_size`` (the last one
    padded with copies of its first utterance; the index column tells the real rows)."""
    order = np.argsort(source.frames, kind="stable")
    for start in range(0, len(order), batch_size):
        indices = order[start:start + batch_size]
        real = len(indices)
        indices = np.concatenate([indices, np.full(batch_size - real, indices[0])])
        features, frames, *_ = source.batch(indices, batch_width(cfg, int(source.frames[indices].max())))
        yield features, frames, indices[:real]


def label_converter(cfg: SimpleNamespace) -> CTCLabelConverter:
    """The 61 TIMIT phones, classes 0..60, blank 61; texts are phones separated by spaces."""
    return CTCLabelConverter(list(PHONES_61), cfg.max_label_length, separator=" ")


def source(cfg: SimpleNamespace, paths: Sequence[str], converter: Optional[CTCLabelConverter] = None,
           for_eval: bool = False) -> UtteranceSource:
    """The utterances of the MindRecord files ``paths`` (ModelParts' ``source``)."""
    return UtteranceSource(paths, cfg.max_frames, cfg.max_label_length)
