"""Label conversion between text and CTC class ids, and greedy CTC decoding.

Classes 0..N-1 are the characters of ``character`` in order; class N (the last)
is the CTC blank, the MindSpore ``CTCLoss`` convention of the model zoo.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np


class CTCLabelConverter:
    """Encode words to padded id arrays and decode network outputs to words."""

    def __init__(self, character: str, max_length: int):
        if len(set(character)) != len(character):
            raise ValueError("character set has duplicate characters")
        self.character = character
        self.max_length = max_length
        self.blank = len(character)
        self.num_class = len(character) + 1
        self._index = {c: i for i, c in enumerate(character)}
        self._case_insensitive = character == character.lower()

    def normalize(self, label: str, strip_unknown: bool) -> Optional[str]:
        """Fold case (for a lower-case charset) and handle characters outside it.

        ``strip_unknown`` removes them (evaluation protocol of the benchmarks);
        otherwise a label with one is rejected (None), so that training never
        sees a label that does not match its image.
        """
        if self._case_insensitive:
            label = label.lower()
        if strip_unknown:
            return "".join(c for c in label if c in self._index)
        return label if all(c in self._index for c in label) else None

    def encode(self, text: str) -> tuple[np.ndarray, int]:
        """Return (ids padded with the blank to ``max_length``, length)."""
        if len(text) > self.max_length:
            raise ValueError(f"label {text!r} is longer than {self.max_length}")
        ids = np.full(self.max_length, self.blank, dtype=np.int32)
        ids[:len(text)] = [self._index[c] for c in text]
        return ids, len(text)

    def decode_ids(self, ids: Sequence[int]) -> str:
        """Best-path collapse of one frame-wise id sequence: merge repeats, drop blanks."""
        chars, previous = [], self.blank
        for i in ids:
            if i != previous and i != self.blank:
                chars.append(self.character[i])
            previous = i
        return "".join(chars)

    def decode(self, logits: np.ndarray) -> list[tuple[str, float]]:
        """Greedy-decode logits [B, T, C]; confidence is the product of per-frame max probabilities."""
        logits = np.asarray(logits, dtype=np.float32)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=-1, keepdims=True)
        best = probs.argmax(axis=-1)
        confidence = probs.max(axis=-1).prod(axis=-1)
        return [(self.decode_ids(row), float(c)) for row, c in zip(best, confidence)]
