"""Labelled sample sources: word-image LMDBs (MJSynth / SynthText / benchmark layout, clovaai), image files
listed by annotation files (``FileSource``: gt.txt, or a model's own format), and the base class they share.

A source is a random-access list of samples (key, label): labels are read and normalised once at start
(not UTF-8, outside the charset, or longer than the converter's ``max_length``: skipped and counted);
the encoded input is read and prepared by the model's ``prepare`` function (bytes -> uint8 array, or None
when it is not an image) in the pipeline's workers, and one that does not decode is flagged invalid and
counted, never fatal.  Item i is (input uint8 array, label ids int32[max_length], length int32,
index int64, valid bool), the columns of ``pipeline.create_dataset``.

A training source may augment (``augment``, an ``augment.Augmenter``, set by ``entry.training_source``):
``draw(index, epoch)`` then calls ``prepare(data, augment=transform)``, which applies ``transform`` to the decoded
image before resizing, and each draw of a sample gets its own augmentation.  Items by ``source[i]``
(evaluation) are never augmented.

LMDB: ``num-samples`` and, for i = 1..N, ``image-%09d`` (encoded image) and ``label-%09d`` (UTF-8).  A
path may be one LMDB folder or a tree of them (``data_lmdb_release/training/MJ``).  One LMDB environment
is opened per real path and shared, so the same LMDB may be read for training and evaluation in one process.
"""
from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Hashable, Iterable, Optional, Sequence

import lmdb
import numpy as np

from .augment import Augmenter
from .ctc import CTCLabelConverter
from .errors import DatasetError
from .gt_txt import gt_dataset

Prepare = Callable[..., Optional[np.ndarray]]  # (bytes, augment=None: a transform of the decoded image) -> array
Entries = Callable[[str], Iterable[tuple[str, Optional[bytes]]]]  # dataset path -> (file, raw label or None)
_ENVS: dict[str, lmdb.Environment] = {}
_ENVS_LOCK = threading.Lock()


@dataclass
class SkipCounts:
    """How many samples were left out, and why."""

    out_of_charset: int = 0
    too_long: int = 0
    missing_label: int = 0
    bad_label: int = 0
    corrupt_image: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add_corrupt(self) -> None:
        with self._lock:
            self.corrupt_image += 1

    def any(self) -> bool:
        return bool(self.out_of_charset or self.too_long or self.missing_label or self.bad_label
                    or self.corrupt_image)

    def summary(self) -> str:
        return (f"skipped: {self.out_of_charset} out-of-charset, {self.too_long} too long, "
                f"{self.missing_label} without label, {self.bad_label} labels not UTF-8, "
                f"{self.corrupt_image} corrupt images")


class LabelledSource(ABC):
    """The common part of every source: indexed labels, reading and preparing items, skip counts.

    A subclass indexes its files with ``add`` and reads an input's bytes with ``read``.
    """

    def __init__(self, converter: CTCLabelConverter, prepare: Prepare, strip_unknown: bool):
        self.converter, self.prepare, self.strip_unknown = converter, prepare, strip_unknown
        self.skipped = SkipCounts()
        self.samples: list[tuple[int, Hashable, str]] = []  # (entry: which path given, key for read, label)
        self.sizes: dict[str, int] = {}
        self.num_entries = 0
        self.augment: Optional[Augmenter] = None  # set on a training source to augment its draws

    def add(self, entry: int, key: Hashable, text: Optional[bytes]) -> bool:
        """Index one sample of path number ``entry`` from its raw label; False when it is skipped."""
        if text is None:
            self.skipped.missing_label += 1
            return False
        try:
            label = self.converter.normalize(text.decode("utf-8"), self.strip_unknown)
        except UnicodeDecodeError:
            self.skipped.bad_label += 1
            return False
        if not label:
            self.skipped.out_of_charset += 1
        elif len(self.converter.split(label)) > self.converter.max_length:
            self.skipped.too_long += 1
        else:
            self.samples.append((entry, key, label))
            return True
        return False

    def check_not_empty(self, paths: Sequence[str]) -> None:
        if not self.samples:
            raise DatasetError(f"no usable samples in {', '.join(paths)} ({self.skipped.summary()})")

    @abstractmethod
    def read(self, key: Hashable) -> Optional[bytes]:
        """The encoded input of a sample (None when it is missing)."""

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        return self.draw(index)

    def draw(self, index: int, epoch: Optional[int] = None):
        """Item ``index``; with ``epoch`` on an augmenting source, its input augmented as at that draw (the
        decoded image, before the model's resizing: ``prepare(data, augment=transform)``)."""
        _, key, label = self.samples[index]
        data = self.read(key)
        image = None
        if data:
            if self.augment is None or epoch is None:
                image = self.prepare(data)
            else:
                image = self.prepare(data, augment=partial(self.augment, epoch=epoch, index=index))
        ids, length = self.converter.encode(label)
        if image is None:
            self.skipped.add_corrupt()
            return np.zeros((1, 1, 1), np.uint8), ids, np.int32(length), np.int64(index), np.bool_(False)
        return image, ids, np.int32(length), np.int64(index), np.bool_(True)

    def label(self, index: int) -> str:
        return self.samples[index][2]

    def name(self, index: int) -> str:
        """What names sample ``index`` in reports: its file path, or its key in the dataset."""
        key = self.samples[index][1]
        return key if isinstance(key, str) else str(key)

    def indices_by_entry(self) -> list[np.ndarray]:
        """Sample indices of each of the paths given to the constructor."""
        entries = np.asarray([entry for entry, _, _ in self.samples])
        return [np.flatnonzero(entries == entry) for entry in range(self.num_entries)]

    def describe(self) -> str:
        """One line per file or LMDB with its usable sample count, then what was skipped."""
        lines = [f"  {path}: {count} samples" for path, count in self.sizes.items()]
        return "\n".join(lines + [f"  {self.skipped.summary()}"])


def find_lmdbs(path: str) -> list[str]:
    """The LMDB folders at or below ``path`` (sorted), or a clear error."""
    if not os.path.exists(path):
        raise DatasetError(f"dataset path {path} does not exist")
    if os.path.isfile(os.path.join(path, "data.mdb")):
        return [path]
    found = sorted(root for root, _, files in os.walk(path, followlinks=True) if "data.mdb" in files)
    if not found:
        raise DatasetError(f"no LMDB (data.mdb) found under {path}")
    return found


def open_lmdb(path: str) -> lmdb.Environment:
    """The process's read-only environment of the LMDB at ``path`` (one per real path)."""
    key = os.path.realpath(path)
    with _ENVS_LOCK:
        if key not in _ENVS:
            try:
                _ENVS[key] = lmdb.open(key, max_readers=128, readonly=True, lock=False, readahead=False,
                                       meminit=False)
            except lmdb.Error as err:
                raise DatasetError(f"cannot open LMDB {path}: {err}") from err
        return _ENVS[key]


class LmdbWordSource(LabelledSource):
    """Random-access source over one or many word LMDBs (or trees of them)."""

    def __init__(self, paths: Sequence[str], converter: CTCLabelConverter, prepare: Prepare,
                 strip_unknown: bool = False):
        super().__init__(converter, prepare, strip_unknown)
        found = [(entry, p) for entry, path in enumerate(paths) for p in find_lmdbs(path)]
        self.lmdb_paths = [p for _, p in found]
        self.num_entries = len(paths)
        for number, (entry, path) in enumerate(found):
            self.sizes[path] = self._index(entry, number, path)
        self.check_not_empty(self.lmdb_paths)

    def _index(self, entry: int, number: int, path: str) -> int:
        env = open_lmdb(path)
        with env.begin() as txn:
            raw = txn.get(b"num-samples")
            if raw is None:
                raise DatasetError(f"LMDB {path} has no 'num-samples' key: not a word-image LMDB")
            try:
                count = int(raw.decode())
            except (ValueError, UnicodeDecodeError) as err:
                raise DatasetError(f"LMDB {path}: 'num-samples' is {raw[:40]!r}, not an integer") from err
            if count <= 0:
                raise DatasetError(f"LMDB {path} holds no samples (num-samples = {count})")
            entries = env.stat()["entries"]
            if count > entries:
                raise DatasetError(f"LMDB {path}: 'num-samples' says {count} but the LMDB holds only {entries} "
                                   "keys; the file is truncated or num-samples is wrong")
            return sum(self.add(entry, (number, i), txn.get(b"label-%09d" % i)) for i in range(1, count + 1))

    def name(self, index: int) -> str:
        """The LMDB and image key of sample ``index``."""
        number, i = self.samples[index][1]
        return f"{self.lmdb_paths[number]}#image-{i:09d}"

    def read(self, key: Hashable) -> Optional[bytes]:
        number, i = key
        with open_lmdb(self.lmdb_paths[number]).begin() as txn:
            return txn.get(b"image-%09d" % i)


class FileSource(LabelledSource):
    """Random-access source over image files: ``entries`` lists the (file path, raw label or None) of one dataset
    path (by default a gt.txt dataset, ``gt_txt``); keys are the file paths, and a file that cannot be read
    is a counted corrupt sample.  ``skipped`` replaces the base skip counts (a subclass's own kinds)."""

    def __init__(self, paths: Sequence[str], converter: CTCLabelConverter, prepare: Prepare,
                 strip_unknown: bool = False, entries: Entries = gt_dataset, skipped: Optional[SkipCounts] = None):
        super().__init__(converter, prepare, strip_unknown)
        if skipped is not None:
            self.skipped = skipped
        self.num_entries = len(paths)
        for entry, path in enumerate(paths):
            self.sizes[path] = sum(self.add_file(entry, file, text) for file, text in entries(path))
        self.check_not_empty(paths)

    def add_file(self, entry: int, file: str, text: Optional[bytes]) -> bool:
        """Index one file of path number ``entry``; False when it is skipped (counted)."""
        return self.add(entry, file, text)

    def read(self, key: Hashable) -> Optional[bytes]:
        try:
            with open(key, "rb") as f:
                return f.read()
        except OSError:
            return None
