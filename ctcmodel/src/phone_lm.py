"""Phone bigram language model for prefix beam search, trained on the training transcriptions.

Each sentence starts in a start context (row ``vocab_size`` of the [V+1, V] table), so the first phone has
its own distribution; there is no end-of-sentence symbol.  Smoothing: Witten-Bell interpolation with an
add-one unigram (default), or add-k.  Saved as a ``.npz`` of the counts and the smoothing.
"""
from __future__ import annotations

import os
import zipfile
from typing import Iterable, Sequence

import numpy as np

from .model_utils.errors import ConfigError, DatasetError

SMOOTHINGS = ("witten_bell", "add_k")


class PhoneBigramLM:
    """log P(next | prev) over phones 0..V-1 from bigram ``counts`` [V+1, V] (row V: sentence start)."""

    def __init__(self, counts: np.ndarray, smoothing: str = "witten_bell", k: float = 1.0):
        counts = np.asarray(counts, dtype=np.float64)
        if counts.ndim != 2 or counts.shape[1] < 1 or counts.shape[0] != counts.shape[1] + 1:
            raise ConfigError(f"bigram counts must have shape [V+1, V], got {list(counts.shape)}")
        if not np.isfinite(counts).all() or (counts < 0).any():
            raise ConfigError("bigram counts must be finite and non-negative")
        if smoothing not in SMOOTHINGS:
            raise ConfigError(f"smoothing must be one of {', '.join(SMOOTHINGS)}, got {smoothing!r}")
        if not k > 0:
            raise ConfigError(f"add-k smoothing needs k > 0, got {k}")
        self.counts, self.smoothing, self.k = counts, smoothing, float(k)
        self.log_probs = np.log(self._probabilities())

    @property
    def vocab_size(self) -> int:
        return self.counts.shape[1]

    @property
    def start(self) -> int:
        """The context id of the sentence start."""
        return self.vocab_size

    def _probabilities(self) -> np.ndarray:
        context_total = self.counts.sum(axis=1, keepdims=True)
        if self.smoothing == "add_k":
            return (self.counts + self.k) / (context_total + self.k * self.vocab_size)
        unigram = (self.counts.sum(axis=0) + 1.0) / (self.counts.sum() + self.vocab_size)
        types = (self.counts > 0).sum(axis=1, keepdims=True)
        seen = (self.counts + types * unigram) / np.maximum(context_total + types, 1e-300)
        return np.where(context_total > 0, seen, unigram)

    @classmethod
    def train(cls, sequences: Iterable[Sequence[int]], vocab_size: int, smoothing: str = "witten_bell",
              k: float = 1.0) -> "PhoneBigramLM":
        """Count the bigrams (start context included) of phone-id ``sequences`` over ``vocab_size`` phones."""
        counts = np.zeros((vocab_size + 1, vocab_size))
        for number, sequence in enumerate(sequences):
            ids = np.asarray(sequence, dtype=np.int64).reshape(-1)
            if not ids.size:
                continue
            if ids.min() < 0 or ids.max() >= vocab_size:
                raise DatasetError(f"transcription {number} has phone ids outside 0..{vocab_size - 1}")
            np.add.at(counts, (np.concatenate([[vocab_size], ids[:-1]]), ids), 1.0)
        return cls(counts, smoothing, k)

    def log_prob(self, prev: np.ndarray, next: np.ndarray) -> np.ndarray:
        """log P(next | prev), broadcast over id arrays; ``prev == start`` is the sentence start."""
        return self.log_probs[prev, next]

    def save(self, path: str) -> None:
        """Write the counts and smoothing to ``path`` (a ``.npz`` archive, whatever its name)."""
        with open(path, "wb") as f:
            np.savez(f, counts=self.counts, smoothing=np.array(self.smoothing), k=np.array(self.k))

    @classmethod
    def load(cls, path: str) -> "PhoneBigramLM":
        """The model ``save`` wrote to ``path``; ``ConfigError`` naming the file when it is missing or broken."""
        if not os.path.isfile(path):
            raise ConfigError(f"language model file {path} does not exist")
        try:
            with np.load(path, allow_pickle=False) as archive:
                missing = {"counts", "smoothing", "k"} - set(archive.files)
                if missing:
                    raise ConfigError(f"it lacks {', '.join(sorted(missing))}")
                return cls(archive["counts"], str(archive["smoothing"]), float(archive["k"]))
        except (ConfigError, OSError, ValueError, TypeError, EOFError, zipfile.BadZipFile) as err:
            raise ConfigError(f"language model file {path} is not a phone bigram model: {err}") from err
