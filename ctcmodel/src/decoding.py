"""CTC decoding of one utterance's frame scores [T, C]: best path and prefix beam search.

Both return the emitted class ids and the frame at which each was emitted (timestamps: the first frame of
the symbol, not of its repeats).  The blank defaults to the last class (the zoo's: 61 phones, blank 61).

Best path takes the arg-max class of every frame, merges repeats and drops blanks, so "a blank a" gives
two symbols.  ``merge_across_blank=True`` reproduces the official zoo's greedy decoder (and its reported
LER), whose ``last_idx`` changes only when a symbol is emitted, so a blank does not separate repeats.

Prefix beam search (Graves 2012, Hannun et al. 2014) keeps, per prefix, the log probabilities of the
alignments ending in a blank (p_b) and in its last symbol (p_nb).  Each frame extends every beam by every
class at once as a [beam, C] array, merges extensions that equal a prefix already in the beam, and keeps
the ``beam`` most probable prefixes (``numpy.argpartition``).  When an extension joins a prefix in the
beam, the prefix keeps the timestamps of the more probable of the two, so an improbable early emission
does not date a symbol.  ``top_k`` extends by the k most probable classes of each frame only: without a
language model and with ``top_k > beam`` the result is unchanged (a pruned class scores below ``beam``
extensions of the same prefix), exact up to ties.  ``prune`` drops classes whose log probability is below
a threshold, which is not exact.  Both bound the work per frame; at C = 62 it is mostly fixed costs.
"""
from __future__ import annotations

from typing import NamedTuple, Optional, Protocol, Sequence

import numpy as np

from .model_utils.errors import ConfigError


class BigramLM(Protocol):
    """What the decoder needs of a language model over the non-blank classes 0..vocab_size-1.

    ``log_prob(prev, next)`` broadcasts over id arrays; ``prev == vocab_size`` is the sentence start.
    """

    vocab_size: int

    def log_prob(self, prev: np.ndarray, next: np.ndarray) -> np.ndarray: ...


class Hypothesis(NamedTuple):
    """A decoded labelling: class ids, the frame each was first emitted at, its log score.

    The score is log P(labelling | frames) over the alignments the beam kept (all of them with a beam wide
    enough), plus ``lm_weight`` * LM log probability and ``insertion_bonus`` per symbol when they are used.
    """

    ids: list[int]
    frames: list[int]
    score: float


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log-softmax over the last axis in float64 (leaves log probabilities unchanged)."""
    x = np.asarray(logits, dtype=np.float64)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def best_path(scores: np.ndarray, length: Optional[int] = None, blank: Optional[int] = None,
              merge_across_blank: bool = False) -> tuple[list[int], list[int]]:
    """(ids, frames) of the arg-max path of ``scores`` [T, C] (logits or log probabilities), first ``length`` frames.

    ``frames`` holds the first frame of each emitted symbol's run.
    """
    scores = np.asarray(scores)
    blank = scores.shape[-1] - 1 if blank is None else blank
    best = scores[:length].argmax(axis=-1)
    frames = np.arange(len(best))
    if merge_across_blank:
        symbol = best != blank
        best, frames = best[symbol], frames[symbol]
    start = np.ones(len(best), bool)
    start[1:] = best[1:] != best[:-1]
    start &= best != blank
    return best[start].tolist(), frames[start].tolist()


def best_path_batch(scores: np.ndarray, lengths: Optional[Sequence[int]] = None, blank: Optional[int] = None,
                    merge_across_blank: bool = False) -> list[tuple[list[int], list[int]]]:
    """``best_path`` of every utterance of ``scores`` [B, T, C]; ``lengths`` [B] are the valid frames."""
    scores = np.asarray(scores)
    lengths = [scores.shape[1]] * len(scores) if lengths is None else lengths
    return [best_path(row, int(n), blank, merge_across_blank) for row, n in zip(scores, lengths, strict=True)]


def _extension_scores(num_class: int, blank: int, lm: Optional[BigramLM], lm_weight: float,
                      insertion_bonus: float) -> Optional[np.ndarray]:
    """[C, C]: what extending a prefix ending in class row (the blank row: the empty prefix) by class column adds."""
    if lm is None:
        return None if insertion_bonus == 0 else np.full((num_class, num_class), float(insertion_bonus))
    if lm.vocab_size != num_class - 1 or blank != num_class - 1:
        raise ConfigError(f"the language model covers {lm.vocab_size} symbols: it needs {lm.vocab_size + 1} "
                          f"classes with the blank last, got {num_class} classes and blank {blank}")
    vocab = np.arange(lm.vocab_size + 1)
    table = np.zeros((num_class, num_class))
    table[:, :-1] = lm_weight * lm.log_prob(vocab[:, None], vocab[None, :-1]) + insertion_bonus
    return table


def _pruned(log_probs: np.ndarray, blank: int, top_k: Optional[int], prune: Optional[float]) -> np.ndarray:
    """``log_probs`` [T, C] with -inf for the classes no prefix is extended by at each frame (the blank too)."""
    num_frames, num_class = log_probs.shape
    excluded = np.zeros((num_frames, num_class), bool)
    excluded[:, blank] = True
    if top_k is not None and top_k < num_class - 1:
        if top_k < 1:
            raise ConfigError(f"top_k must be at least 1, got {top_k}")
        lowest = np.argpartition(np.where(excluded, -np.inf, log_probs), num_class - top_k, axis=1)
        excluded[np.arange(num_frames)[:, None], lowest[:, :num_class - top_k]] = True  # the blank and the rest
    if prune is not None:
        excluded |= log_probs < prune
    return np.where(excluded, -np.inf, log_probs)


def prefix_beam_search(log_probs: np.ndarray, blank: Optional[int] = None, beam: int = 5,
                       lm: Optional[BigramLM] = None, lm_weight: float = 0.5, insertion_bonus: float = 0.0,
                       top_k: Optional[int] = None, prune: Optional[float] = None) -> Hypothesis:
    """The most probable labelling of ``log_probs`` [T, C] (log-softmax outputs) found keeping ``beam`` prefixes.

    ``lm``: a bigram model scored as ``lm_weight`` * log P(symbol | previous symbol or sentence start) plus
    ``insertion_bonus`` each time a prefix grows by a symbol.  ``top_k``, ``prune``: see the module docstring.
    """
    log_probs = np.asarray(log_probs, dtype=np.float64)
    num_frames, num_class = log_probs.shape
    blank = num_class - 1 if blank is None else blank
    if beam < 1:
        raise ConfigError(f"beam must be at least 1, got {beam}")
    table = _extension_scores(num_class, blank, lm, lm_weight, insertion_bonus)
    extension_probs = _pruned(log_probs, blank, top_k, prune)
    prefixes: list[tuple[int, ...]] = [()]
    frames: list[tuple[int, ...]] = [()]
    last = np.array([blank])  # last symbol of each prefix; the blank for the empty prefix
    p_b, p_nb = np.zeros(1), np.full(1, -np.inf)
    for t in range(num_frames):
        row, beams = log_probs[t], np.arange(len(prefixes))
        total = np.logaddexp(p_b, p_nb)
        stay_b = total + row[blank]
        stay_nb = p_nb + row[last]  # the last symbol repeated: collapses into the same prefix
        extend = total[:, None] + extension_probs[t]
        # extending by the last symbol needs a blank in between: only alignments ending in a blank count
        extend[beams, last] = p_b + extension_probs[t, last]
        if table is not None:
            extend += table[last]
        index, previous_frames = {prefix: k for k, prefix in enumerate(prefixes)}, frames
        frames = list(frames)
        for j, prefix in enumerate(prefixes):  # an extension already in the beam joins it, pruned or not
            k = index.get(prefix[:-1]) if prefix else None
            if k is not None:
                symbol = prefix[-1]
                joining = (p_b[k] if symbol == last[k] else total[k]) + row[symbol]
                if table is not None:
                    joining += table[last[k], symbol]
                if joining > np.logaddexp(stay_b[j], stay_nb[j]):  # the timestamps of the larger part
                    frames[j] = previous_frames[k] + (t,)
                stay_nb[j] = np.logaddexp(stay_nb[j], joining)
                extend[k, symbol] = -np.inf
        stay = np.logaddexp(stay_b, stay_nb)
        scores = np.concatenate([stay, extend.ravel()])
        keep = scores.argpartition(-beam)[-beam:] if len(scores) > beam else np.arange(len(scores))
        keep = keep[scores[keep] > -np.inf].tolist() or keep[:1].tolist()
        new_prefixes, new_frames, new_last, new_b, new_nb = [], [], [], [], []
        for i in keep:
            if i < len(prefixes):
                new_prefixes.append(prefixes[i])
                new_frames.append(frames[i])
                new_last.append(last[i])
                new_b.append(stay_b[i])
                new_nb.append(stay_nb[i])
            else:
                k, symbol = divmod(i - len(prefixes), num_class)
                new_prefixes.append(prefixes[k] + (symbol,))
                new_frames.append(previous_frames[k] + (t,))
                new_last.append(symbol)
                new_b.append(-np.inf)
                new_nb.append(scores[i])
        prefixes, frames = new_prefixes, new_frames
        last, p_b, p_nb = np.array(new_last), np.array(new_b), np.array(new_nb)
    total = np.logaddexp(p_b, p_nb)
    best = int(total.argmax())
    return Hypothesis(list(prefixes[best]), list(frames[best]), float(total[best]))


def prefix_beam_search_batch(logits: np.ndarray, lengths: Optional[Sequence[int]] = None,
                             blank: Optional[int] = None, **options) -> list[Hypothesis]:
    """``prefix_beam_search`` of every utterance of ``logits`` [B, T, C] (or log probabilities), first
    ``lengths[b]`` frames each; ``options`` are its keyword arguments."""
    log_probs = log_softmax(logits)
    lengths = [log_probs.shape[1]] * len(log_probs) if lengths is None else lengths
    return [prefix_beam_search(row[:int(n)], blank, **options) for row, n in zip(log_probs, lengths, strict=True)]
