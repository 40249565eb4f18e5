"""Scoring ctcmodel: the network over utterances, best-path and prefix-search decoding, and phone error
rates on the 61 phones and on the 39 folded ones (``PhoneScores``).

``cfg.ler`` picks the phone error rate: ``kaldi`` (the default) or ``official``, which also decodes the best
path as the official decoder does (``merge_across_blank``), so that it reproduces the official figure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Optional

import mindspore as ms
import numpy as np
from mindspore import nn

from .data import UtteranceSource, eval_batches
from .decoding import Hypothesis, best_path, log_softmax, prefix_beam_search
from .ler import PhoneErrorRate
from .model_utils.ctc import CTCLabelConverter
from .model_utils.report import Recorder
from .phone_lm import PhoneBigramLM
from .phones import fold_phones


def _rates(mode: str) -> tuple[PhoneErrorRate, PhoneErrorRate]:
    return PhoneErrorRate(mode=mode), PhoneErrorRate(fold=fold_phones, mode=mode)


@dataclass
class PhoneScores:
    """Best-path (and, when run, prefix-search) phone error rates on 61 and 39 phones.  ``score`` (what picks
    the best checkpoint) is 1 - the best-path LER on 39 phones.  ``mode``: the LER mode (see src/ler.py).
    A set of metrics, not one: eval.py prints a table of its ``rows`` per file."""

    mode: str = "kaldi"
    best: tuple[PhoneErrorRate, PhoneErrorRate] = field(init=False)
    prefix: Optional[tuple[PhoneErrorRate, PhoneErrorRate]] = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.best = _rates(self.mode)

    def update(self, predictions: list[str], truths: list[str]) -> None:
        """Score best-path predictions (phone strings) against the truths."""
        for rate in self.best:
            rate.update(predictions, truths)

    def update_prefix(self, predictions: list[str], truths: list[str]) -> None:
        """Score prefix-search predictions against the truths."""
        if self.prefix is None:
            self.prefix = _rates(self.mode)
        for rate in self.prefix:
            rate.update(predictions, truths)

    @property
    def score(self) -> float:
        return self.best[1].score

    def rows(self) -> list[tuple[str, PhoneErrorRate]]:
        """(decoder and phone set, rates) of what was measured."""
        rows = [("best path, 61 phones", self.best[0]), ("best path, 39 phones", self.best[1])]
        if self.prefix is not None:
            rows += [("prefix search, 61 phones", self.prefix[0]), ("prefix search, 39 phones", self.prefix[1])]
        return rows

    def summary(self) -> str:
        return "; ".join(f"{name}: LER {rate.ler:.2%}" for name, rate in self.rows()) + \
            f" ({self.best[0].utterances} utterances)"


class Decoder:
    """Best path and, with ``cfg.beam_width`` > 0, prefix beam search (with the bigram LM of ``cfg.lm_path``)."""

    def __init__(self, cfg: SimpleNamespace, converter: CTCLabelConverter):
        self.cfg, self.converter = cfg, converter
        self.merge_across_blank = cfg.merge_across_blank or cfg.ler == "official"
        self.lm = PhoneBigramLM.load(cfg.lm_path) if cfg.lm_path else None

    def best_path(self, logits: np.ndarray, frames: int) -> tuple[list[int], list[int]]:
        return best_path(logits, frames, self.converter.blank, self.merge_across_blank)

    def prefix_search(self, logits: np.ndarray, frames: int) -> Hypothesis:
        return prefix_beam_search(log_softmax(logits[:frames]), self.converter.blank, self.cfg.beam_width,
                                  lm=self.lm, lm_weight=self.cfg.lm_weight, insertion_bonus=self.cfg.insertion_bonus,
                                  top_k=self.cfg.beam_width + 5)


def path_confidence(logits: np.ndarray, frames: int) -> float:
    """The best path's probability per frame (as infer.py's confidence): exp(mean log max probability)."""
    return float(np.exp(log_softmax(logits[:frames]).max(axis=-1).mean())) if frames else 0.0


def evaluate_utterances(cfg: SimpleNamespace, net: nn.Cell, source: UtteranceSource, converter: CTCLabelConverter,
                        recorder: Optional[Recorder] = None) -> PhoneScores:
    """The phone error rates of ``net`` on every utterance of ``source`` (ModelParts' ``evaluate``); the best
    paths are recorded in ``recorder`` (eval.py --report) when given."""
    net.set_train(False)
    decoder = Decoder(cfg, converter)
    scores = PhoneScores(cfg.ler)
    for features, frames, indices in eval_batches(cfg, source, cfg.eval_batch_size):
        logits = net(ms.Tensor(features), ms.Tensor(frames)).asnumpy()
        truths = [converter.ids_to_text(source.labels[n]) for n in indices]
        rows = list(zip(logits, frames))[:len(indices)]
        best = [converter.ids_to_text(decoder.best_path(x, n)[0]) for x, n in rows]
        scores.update(best, truths)
        if recorder is not None:
            recorder.add(indices, truths, [(text, path_confidence(x, n)) for text, (x, n) in zip(best, rows)])
        if cfg.beam_width > 0:
            scores.update_prefix([converter.ids_to_text(decoder.prefix_search(x, n).ids) for x, n in rows], truths)
    return scores
