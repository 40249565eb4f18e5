"""Word-image LMDBs (MJSynth / SynthText / benchmark layout) as a ``mindspore.dataset`` pipeline.

An LMDB holds ``num-samples`` and, for i = 1..N, ``image-%09d`` (encoded image)
and ``label-%09d`` (utf-8).  A path may be one LMDB folder or a tree of them
(clovaai layout, e.g. ``data_lmdb_release/training/MJ``).  Labels are read once
at start; those outside the charset or longer than ``max_length`` are skipped
and counted.  Images are decoded and resized in parallel workers; an image that
does not decode is dropped by a ``filter`` and counted, never fatal.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Optional, Sequence

import lmdb
import mindspore.dataset as ds
import numpy as np

from .charset import CTCLabelConverter
from .preprocess import decode_rgb, normalize_ops, resize_keep_ratio_pad


class DatasetError(ValueError):
    """A dataset path or LMDB is missing or malformed."""


def find_lmdbs(path: str) -> list[str]:
    """Return the LMDB folders at or below ``path`` (sorted), or raise a clear error."""
    if not os.path.exists(path):
        raise DatasetError(f"dataset path {path} does not exist")
    if os.path.isfile(os.path.join(path, "data.mdb")):
        return [path]
    found = sorted(root for root, _, files in os.walk(path, followlinks=True) if "data.mdb" in files)
    if not found:
        raise DatasetError(f"no LMDB (data.mdb) found under {path}")
    return found


def _open(path: str) -> lmdb.Environment:
    try:
        return lmdb.open(path, max_readers=64, readonly=True, lock=False, readahead=False, meminit=False)
    except lmdb.Error as err:
        raise DatasetError(f"cannot open LMDB {path}: {err}") from err


@dataclass
class SkipCounts:
    """How many samples were left out, and why."""

    out_of_charset: int = 0
    too_long: int = 0
    missing_label: int = 0
    corrupt_image: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add_corrupt(self) -> None:
        with self._lock:
            self.corrupt_image += 1

    def summary(self) -> str:
        return (f"skipped: {self.out_of_charset} out-of-charset, {self.too_long} too long, "
                f"{self.missing_label} without label, {self.corrupt_image} corrupt images")


class LmdbWordSource:
    """Random-access source over one or many word LMDBs; returns preprocessed samples.

    Each item is (image uint8 HxWx3, label ids int32[max_length], length int32, valid bool).
    """

    def __init__(self, paths: Sequence[str], converter: CTCLabelConverter, height: int, width: int,
                 strip_unknown: bool = False):
        self.converter = converter
        self.height, self.width = height, width
        self.skipped = SkipCounts()
        found = [(entry, p) for entry, path in enumerate(paths) for p in find_lmdbs(path)]
        self.lmdb_paths = [p for _, p in found]
        self.entry_of_lmdb = [entry for entry, _ in found]  # which of ``paths`` each LMDB came from
        self.num_entries = len(paths)
        self.samples: list[tuple[int, int, str]] = []  # (lmdb number, key index, label)
        self.sizes: dict[str, int] = {}
        for number, path in enumerate(self.lmdb_paths):
            count = self._index(number, path, strip_unknown)
            self.sizes[path] = count
        if not self.samples:
            raise DatasetError(f"no usable samples in {', '.join(self.lmdb_paths)} ({self.skipped.summary()})")
        self._envs: list[lmdb.Environment] = []
        self._envs_lock = threading.Lock()

    def _index(self, number: int, path: str, strip_unknown: bool) -> int:
        env = _open(path)
        kept = 0
        with env.begin() as txn:
            raw = txn.get(b"num-samples")
            if raw is None:
                raise DatasetError(f"LMDB {path} has no 'num-samples' key: not a word-image LMDB")
            try:
                count = int(raw.decode())
            except ValueError as err:
                raise DatasetError(f"LMDB {path}: 'num-samples' is {raw!r}, not an integer") from err
            if count <= 0:
                raise DatasetError(f"LMDB {path} holds no samples (num-samples = {count})")
            for i in range(1, count + 1):
                raw_label = txn.get(b"label-%09d" % i)
                if raw_label is None:
                    self.skipped.missing_label += 1
                    continue
                label = self.converter.normalize(raw_label.decode("utf-8", errors="replace"), strip_unknown)
                if not label:
                    self.skipped.out_of_charset += 1
                elif len(label) > self.converter.max_length:
                    self.skipped.too_long += 1
                else:
                    self.samples.append((number, i, label))
                    kept += 1
        env.close()
        return kept

    def _env(self, number: int) -> lmdb.Environment:
        if not self._envs:
            with self._envs_lock:
                if not self._envs:
                    self._envs = [_open(p) for p in self.lmdb_paths]
        return self._envs[number]

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        number, key, label = self.samples[index]
        with self._env(number).begin() as txn:
            image = decode_rgb(txn.get(b"image-%09d" % key))
        ids, length = self.converter.encode(label)
        if image is None:
            self.skipped.add_corrupt()
            return (np.zeros((self.height, self.width, 3), np.uint8), ids, np.int32(length), np.bool_(False))
        return (resize_keep_ratio_pad(image, self.height, self.width), ids, np.int32(length), np.bool_(True))

    def label(self, index: int) -> str:
        return self.samples[index][2]

    def indices_by_entry(self) -> list[np.ndarray]:
        """Sample indices of each of the ``paths`` given to the constructor."""
        entries = np.asarray([self.entry_of_lmdb[number] for number, _, _ in self.samples])
        return [np.flatnonzero(entries == entry) for entry in range(self.num_entries)]


COLUMNS = ["image", "label", "length", "valid"]


class _InOrder:
    """The samples of a source in a given order, read sequentially (an order may repeat samples and be
    longer than the source, which a ``GeneratorDataset`` sampler may not)."""

    def __init__(self, source: LmdbWordSource, order: np.ndarray):
        self.source, self.order = source, order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, index: int):
        return self.source[int(self.order[index])]


def create_dataset(source: LmdbWordSource, batch_size: int, shuffle: bool, num_workers: int = 2,
                   drop_remainder: bool = True, order: Optional[np.ndarray] = None) -> ds.Dataset:
    """Build the pipeline: parallel decode/resize -> drop corrupt -> normalise (C++) -> batch.

    Batches hold image float32 [B,3,H,W], label int32 [B,L], length int32 [B].  ``order`` (this
    device's sample indices, see ``src.sampler``, which also does the sharding) replaces ``shuffle``.
    ``num_workers`` is capped at the machine's core count (MindSpore refuses more).
    """
    num_workers = max(1, min(num_workers, os.cpu_count() or 1))
    samples = source if order is None else _InOrder(source, order)
    dataset = ds.GeneratorDataset(samples, column_names=COLUMNS, shuffle=shuffle and order is None,
                                  num_parallel_workers=num_workers, python_multiprocessing=False)
    dataset = dataset.filter(predicate=lambda valid: bool(valid), input_columns=["valid"],
                             num_parallel_workers=1)
    dataset = dataset.project(["image", "label", "length"])
    dataset = dataset.map(operations=normalize_ops(), input_columns=["image"], num_parallel_workers=num_workers)
    return dataset.batch(batch_size, drop_remainder=drop_remainder)


def label_converter(cfg) -> CTCLabelConverter:
    """The converter described by the config (charset and longest label)."""
    return CTCLabelConverter(cfg.character, cfg.max_label_length)


def describe(source: LmdbWordSource) -> str:
    """One line per LMDB with its usable sample count, then what was skipped."""
    lines = [f"  {path}: {count} samples" for path, count in source.sizes.items()]
    return "\n".join(lines + [f"  {source.skipped.summary()}"])


def batch_labels(batch_labels_ids: np.ndarray, lengths: np.ndarray, converter: CTCLabelConverter) -> list[str]:
    """Turn padded label ids of a batch back into strings."""
    return ["".join(converter.character[i] for i in row[:n]) for row, n in zip(batch_labels_ids, lengths)]
