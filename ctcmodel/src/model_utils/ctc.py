"""CTC: the loss, the label converter (text <-> class ids) and greedy (best-path) decoding.

Classes are tokens: the characters of a charset string, or a list of tokens (multi-letter phones, the lines of
a charset file: ``charset``).  The blank is the last class (``blank="last"``, the
MindSpore zoo convention) or class 0 (``blank="first"``), optionally followed by ``reserved``
unused classes before the first token (ModelScope's OCR heads reserve class 1).
"""
from __future__ import annotations

from collections import Counter
from typing import Optional, Sequence, Union

import mindspore as ms
import numpy as np
from mindspore import nn, ops

from .errors import ConfigError, DatasetError

Text = Union[str, Sequence[str]]


class CTCLoss(nn.Cell):
    """logits [B, T, C], labels int32 [B, L] (padded), label lengths int32 [B], optional input lengths int32 [B].

    Per-sample CTC over log-softmax in float32, mean over the batch (the zoo's ``CTCLoss`` +
    ``ReduceMean``).  Dense padded targets keep batch shapes static, so the graph compiles once.
    Without input lengths every sample uses all T steps; with them (variable-length audio) each
    sample uses its own.
    """

    def __init__(self, blank: int):
        super().__init__()
        self.ctc = ops.CTCLossV2(blank=blank, reduction="none", zero_infinity=True)

    def construct(self, logits, labels, label_lengths, input_lengths=None):
        log_probs = ops.log_softmax(ops.transpose(logits.astype(ms.float32), (1, 0, 2)), -1)
        if input_lengths is None:
            input_lengths = ops.fill(ms.int32, (labels.shape[0],), logits.shape[1])
        loss, _ = self.ctc(log_probs, labels, input_lengths, label_lengths)
        return loss.mean()


class NetWithLoss(nn.Cell):
    """``network(*inputs[:n])`` followed by ``loss(logits, *inputs[n:])`` for ``n = network_inputs``; no name
    prefix, so checkpoints keep the network's parameter names."""

    def __init__(self, network: nn.Cell, loss: nn.Cell, network_inputs: int = 1):
        super().__init__(auto_prefix=False)
        self.network = network
        self.loss = loss
        self.network_inputs = network_inputs

    def construct(self, *inputs):
        return self.loss(self.network(*inputs[:self.network_inputs]), *inputs[self.network_inputs:])


class CTCLabelConverter:
    """Encode texts to padded id arrays; decode network outputs to texts.

    ``tokens``: a charset string (one token per character) or a list of tokens.  Texts are
    strings; with multi-character tokens they are tokens joined by ``separator`` (e.g. "h# sh iy").
    """

    def __init__(self, tokens: Text, max_length: int, blank: str = "last", reserved: int = 0,
                 separator: str = ""):
        tokens = list(tokens)
        duplicates = sorted(t for t, count in Counter(tokens).items() if count > 1)
        if duplicates:
            raise ConfigError(f"the character set has duplicate entries: {' '.join(map(repr, duplicates[:10]))}")
        if blank not in ("last", "first"):
            raise ConfigError(f"blank must be 'last' or 'first', got {blank!r}")
        if separator == "" and any(len(t) != 1 for t in tokens):
            raise ConfigError("multi-character tokens need a separator between them in texts")
        self.tokens, self.max_length, self.separator = tokens, max_length, separator
        first = 0 if blank == "last" else 1 + reserved
        self.blank = len(tokens) if blank == "last" else 0
        self.num_class = len(tokens) + 1 + (reserved if blank == "first" else 0)
        self._id = {t: first + i for i, t in enumerate(tokens)}
        self._token = np.array([""] * self.num_class, dtype=object)
        self._token[first:first + len(tokens)] = tokens
        self._fold_case = all(t == t.lower() for t in tokens)

    def split(self, text: str) -> list[str]:
        """A text as tokens."""
        return text.split(self.separator) if self.separator else list(text)

    def join(self, tokens: Sequence[str]) -> str:
        """Tokens as a text."""
        return self.separator.join(tokens)

    def normalize(self, label: str, strip_unknown: bool) -> Optional[str]:
        """Fold case (for a lower-case charset) and handle tokens outside the charset.

        ``strip_unknown`` removes them (evaluation protocol of the word benchmarks); otherwise a label
        with one is rejected (None), so that training never sees a label that does not match its input.
        """
        if self._fold_case:
            label = label.lower()
        tokens = [t for t in self.split(label) if t != ""] if self.separator else self.split(label)
        known = [t for t in tokens if t in self._id]
        if strip_unknown:
            return self.join(known)
        return self.join(tokens) if len(known) == len(tokens) else None

    def encode(self, text: str) -> tuple[np.ndarray, int]:
        """(ids padded with the blank to ``max_length``, number of tokens)."""
        tokens = self.split(text) if text else []
        if len(tokens) > self.max_length:
            raise DatasetError(f"label {text!r} is longer than {self.max_length} tokens")
        ids = np.full(self.max_length, self.blank, dtype=np.int32)
        ids[:len(tokens)] = [self._id[t] for t in tokens]
        return ids, len(tokens)

    def ids_to_text(self, ids: Sequence[int]) -> str:
        """Tokens of class ids (no collapsing): e.g. a padded label row cut to its length."""
        return self.join(self._token[np.asarray(ids, dtype=np.int64)].tolist())

    def collapse(self, ids: Sequence[int]) -> list[int]:
        """Best-path collapse of one frame-wise id sequence: merge repeats, drop blanks."""
        ids = np.asarray(ids, dtype=np.int64)
        keep = np.ones(len(ids), bool)
        keep[1:] = ids[1:] != ids[:-1]
        return ids[keep & (ids != self.blank)].tolist()

    def decode(self, logits: np.ndarray) -> list[tuple[str, float]]:
        """Greedy-decode logits [B, T, C]; confidence is the product of the per-frame max probabilities."""
        probs = softmax(np.asarray(logits, dtype=np.float32))
        best = probs.argmax(axis=-1)
        confidence = probs.max(axis=-1).prod(axis=-1)
        return [(self.ids_to_text(self.collapse(row)), float(c)) for row, c in zip(best, confidence)]

    def texts(self, label_ids: np.ndarray, lengths: np.ndarray) -> list[str]:
        """Padded label ids of a batch back to texts."""
        return [self.ids_to_text(row[:n]) for row, n in zip(label_ids, lengths)]


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, computed stably."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)
