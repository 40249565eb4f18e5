"""ctcmodel decoding: best path, prefix beam search (against brute force and a CTC forward pass), the phone
bigram LM, and the phone error rate."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from ctcmodel.src.decoding import (best_path, best_path_batch, log_softmax, prefix_beam_search,
                                   prefix_beam_search_batch)
from ctcmodel.src.evaluation import Decoder, PhoneScores
from ctcmodel.src.ler import PhoneErrorRate, merge_repeats
from ctcmodel.src.model_utils.metrics import edit_distance
from ctcmodel.src.model_utils.errors import ConfigError, DatasetError
from ctcmodel.src.phone_lm import PhoneBigramLM


def ctc_log_prob(log_probs: np.ndarray, labels: list[int], blank: int) -> float:
    """log P(labels | log_probs [T, C]) by the CTC forward algorithm."""
    extended = [blank]
    for label in labels:
        extended += [label, blank]
    alpha = np.full(len(extended), -np.inf)
    alpha[0] = log_probs[0, blank]
    if labels:
        alpha[1] = log_probs[0, labels[0]]
    for t in range(1, len(log_probs)):
        previous = alpha.copy()
        for s, symbol in enumerate(extended):
            total = previous[s]
            if s >= 1:
                total = np.logaddexp(total, previous[s - 1])
            if s >= 2 and symbol != blank and symbol != extended[s - 2]:
                total = np.logaddexp(total, previous[s - 2])
            alpha[s] = total + log_probs[t, symbol]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if labels else alpha[-1])


def brute_force(log_probs: np.ndarray, blank: int) -> dict[tuple[int, ...], float]:
    """log P of every labelling, summed over all C^T alignments."""
    num_frames, num_class = log_probs.shape
    totals: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(num_class), repeat=num_frames):
        labelling = tuple(c for n, c in enumerate(path) if c != blank and (n == 0 or c != path[n - 1]))
        score = float(log_probs[np.arange(num_frames), path].sum())
        totals[labelling] = np.logaddexp(totals.get(labelling, -np.inf), score)
    return totals


def posteriors(frames: list[dict[int, float]], num_class: int) -> np.ndarray:
    """Log probabilities [T, C]: the given class probabilities per frame, the rest shared evenly."""
    probs = np.zeros((len(frames), num_class))
    for t, frame in enumerate(frames):
        rest = [c for c in range(num_class) if c not in frame]
        probs[t, rest] = (1.0 - sum(frame.values())) / max(len(rest), 1)
        for c, p in frame.items():
            probs[t, c] = p
    return np.log(probs)


def random_log_probs(seed: int, num_frames: int, num_class: int, sharpness: float = 2.0) -> np.ndarray:
    return log_softmax(np.random.default_rng(seed).normal(0.0, sharpness, (num_frames, num_class)))


# ---------------------------------------------------------------- best path

def test_best_path_merges_repeats_keeps_blank_separated_ones():
    a, b, c, blank = 0, 1, 2, 3
    path = [a, a, blank, a, b, b, blank, blank, c]
    scores = posteriors([{k: 0.9} for k in path], 4)
    assert best_path(scores) == ([a, a, b, c], [0, 3, 4, 8])
    assert best_path(scores, merge_across_blank=True) == ([a, b, c], [0, 4, 8])  # the official decoder's quirk
    assert best_path(scores, length=4) == ([a, a], [0, 3])
    assert best_path(np.roll(scores, 1, axis=1), blank=0) == ([1, 1, 2, 3], [0, 3, 4, 8])
    batch = np.stack([scores, posteriors([{k: 0.9} for k in [b, blank, b, c, c, a, a, a, a]], 4)])
    assert best_path_batch(batch, [9, 3]) == [([a, a, b, c], [0, 3, 4, 8]), ([b, b], [0, 2])]


# ---------------------------------------------------------------- prefix beam search

@pytest.mark.parametrize("seed", range(4))
def test_prefix_search_with_a_wide_beam_is_exact(seed):
    log_probs = random_log_probs(seed, num_frames=6, num_class=4, sharpness=1.0)
    totals = brute_force(log_probs, blank=3)
    best = max(totals, key=totals.get)
    hypothesis = prefix_beam_search(log_probs, beam=2000)
    assert tuple(hypothesis.ids) == best
    assert hypothesis.score == pytest.approx(totals[best], abs=1e-9)
    assert ctc_log_prob(log_probs, list(best), blank=3) == pytest.approx(totals[best], abs=1e-9)


@pytest.mark.parametrize("seed", range(2))
def test_prefix_search_with_a_bigram_lm_and_a_wide_beam_is_exact(seed):
    log_probs = random_log_probs(seed, num_frames=6, num_class=4, sharpness=1.0)
    lm = PhoneBigramLM.train([[0, 1, 2, 0], [2, 2, 1], [1, 0]], vocab_size=3)

    def rescored(labelling: tuple[int, ...], acoustic: float) -> float:
        contexts = (lm.start,) + labelling[:-1]
        return acoustic + sum(0.7 * lm.log_prob(p, n) - 0.3 for p, n in zip(contexts, labelling))

    totals = {labelling: rescored(labelling, score) for labelling, score in brute_force(log_probs, 3).items()}
    best = max(totals, key=totals.get)
    hypothesis = prefix_beam_search(log_probs, beam=2000, lm=lm, lm_weight=0.7, insertion_bonus=-0.3)
    assert tuple(hypothesis.ids) == best and hypothesis.score == pytest.approx(totals[best], abs=1e-9)


def test_prefix_search_beats_best_path_in_the_classic_case():
    # two frames, P(a) = 0.4 each: the best path is blank blank (0.36), but "a" has 0.16 + 2 * 0.24 = 0.64
    log_probs = posteriors([{0: 0.4, 1: 0.6}] * 2, 2)
    assert best_path(log_probs) == ([], [])
    hypothesis = prefix_beam_search(log_probs, beam=5)
    assert hypothesis.ids == [0] and hypothesis.score == pytest.approx(np.log(0.64))
    assert hypothesis.frames == [0]


@pytest.mark.parametrize("seed", range(12))
def test_prefix_search_is_never_worse_than_best_path(seed):
    log_probs = random_log_probs(seed, num_frames=40, num_class=6)
    greedy, _ = best_path(log_probs)
    hypothesis = prefix_beam_search(log_probs, beam=5)
    found = ctc_log_prob(log_probs, hypothesis.ids, blank=5)
    assert found >= ctc_log_prob(log_probs, greedy, blank=5) - 1e-9
    assert hypothesis.score <= found + 1e-9  # the beam may have lost some alignments, never added any
    assert len(hypothesis.frames) == len(hypothesis.ids) and hypothesis.frames == sorted(set(hypothesis.frames))


@pytest.mark.parametrize("seed", range(6))
def test_top_k_above_the_beam_changes_nothing(seed):
    log_probs = random_log_probs(seed, num_frames=60, num_class=12, sharpness=1.5)
    full = prefix_beam_search(log_probs, beam=3)
    assert prefix_beam_search(log_probs, beam=3, top_k=4) == full
    pruned = prefix_beam_search(log_probs, beam=3, prune=np.log(1e-2))
    assert pruned.score <= full.score + 1e-9


def test_prefix_search_timestamps_and_batch():
    a, b, blank = 0, 1, 2
    frames = [{blank: 0.9}, {a: 0.9}, {a: 0.9}, {blank: 0.9}, {a: 0.9}, {blank: 0.9}, {b: 0.9}, {blank: 0.9}]
    log_probs = posteriors(frames, 3)
    hypothesis = prefix_beam_search(log_probs)
    assert (hypothesis.ids, hypothesis.frames) == ([a, a, b], [1, 4, 6])
    logits = np.stack([log_probs, log_probs]) + 5.0  # logits: any shift of log probabilities
    batch = prefix_beam_search_batch(logits, [8, 3])
    assert batch[0][:2] == hypothesis[:2]
    assert batch[0].score == pytest.approx(hypothesis.score, abs=1e-5)  # rounding picks among tied prefixes
    assert (batch[1].ids, batch[1].frames) == ([a], [1])


def test_bigram_lm_shifts_the_decision():
    a, b, c, blank = 0, 1, 2, 3
    log_probs = posteriors([{a: 0.9}, {blank: 0.9}, {b: 0.5, c: 0.45}, {blank: 0.9}], 4)
    assert prefix_beam_search(log_probs).ids == [a, b]
    lm = PhoneBigramLM.train([[a, c]] * 20 + [[a, b]], vocab_size=3)
    assert lm.log_prob(a, c) > lm.log_prob(a, b)
    assert prefix_beam_search(log_probs, lm=lm, lm_weight=1.0).ids == [a, c]
    assert prefix_beam_search(log_probs, lm=lm, lm_weight=0.0).ids == [a, b]
    borderline = posteriors([{a: 0.9}, {blank: 0.9}, {b: 0.3, blank: 0.65}, {blank: 0.9}], 4)
    assert prefix_beam_search(borderline).ids == [a]
    assert prefix_beam_search(borderline, insertion_bonus=1.0).ids == [a, b]
    with pytest.raises(ConfigError, match="blank last"):
        prefix_beam_search(np.zeros((3, 5)), lm=lm)


# ---------------------------------------------------------------- phone bigram LM

def test_bigram_lm_probabilities():
    sequences = [[0, 1, 1], [0, 2], [1], []]
    for smoothing in ("witten_bell", "add_k"):
        lm = PhoneBigramLM.train(sequences, vocab_size=4, smoothing=smoothing, k=0.5)
        np.testing.assert_allclose(np.exp(lm.log_probs).sum(axis=1), 1.0)
        assert np.isfinite(lm.log_probs).all()
        assert lm.log_prob(lm.start, 0) > lm.log_prob(lm.start, 2)  # two sentences start with phone 0
    add_k = PhoneBigramLM.train(sequences, vocab_size=4, smoothing="add_k", k=0.5)
    assert np.exp(add_k.log_prob(0, 1)) == pytest.approx((1 + 0.5) / (2 + 0.5 * 4))
    contexts = np.array([[lm.start], [0]])
    assert add_k.log_prob(contexts, np.arange(4)[None]).shape == (2, 4)
    with pytest.raises(DatasetError, match="transcription 1"):
        PhoneBigramLM.train([[0], [4]], vocab_size=4)


def test_bigram_lm_save_load_and_broken_files(tmp_path):
    lm = PhoneBigramLM.train([[0, 1, 2], [2, 1]], vocab_size=3, smoothing="add_k", k=0.25)
    path = str(tmp_path / "phones.lm")
    lm.save(path)
    loaded = PhoneBigramLM.load(path)
    np.testing.assert_array_equal(loaded.log_probs, lm.log_probs)
    assert (loaded.smoothing, loaded.k) == ("add_k", 0.25)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not an archive")
    with pytest.raises(ConfigError, match="broken.npz"):
        PhoneBigramLM.load(str(broken))
    np.savez(tmp_path / "partial.npz", counts=lm.counts)
    with pytest.raises(ConfigError, match="partial.npz.*lacks k, smoothing"):
        PhoneBigramLM.load(str(tmp_path / "partial.npz"))
    np.savez(tmp_path / "shape.npz", counts=np.ones((3, 3)), smoothing="add_k", k=1.0)
    with pytest.raises(ConfigError, match="shape.npz.*shape"):
        PhoneBigramLM.load(str(tmp_path / "shape.npz"))
    with pytest.raises(ConfigError, match="missing.npz does not exist"):
        PhoneBigramLM.load(str(tmp_path / "missing.npz"))


# ---------------------------------------------------------------- phone error rate

def test_phone_error_rate_both_definitions_and_merge():
    metric = PhoneErrorRate()
    metric.update(["aa b c", "aa b x y"], ["aa b c d", "aa b"])  # ED 1 of 4, ED 2 of 2
    assert metric.ler == pytest.approx((0.25 + 1.0) / 2)
    assert metric.corpus_ler == pytest.approx(3 / 6)
    assert metric.score == pytest.approx(1 - 0.625)
    other = PhoneErrorRate()
    other.update(["sh", ""], ["", "iy"])  # an empty truth: corpus edits only; an empty prediction: ED 1 of 1
    metric.merge(other)
    assert (metric.utterances, metric.empty_truths) == (3, 1)
    assert metric.ler == pytest.approx((0.25 + 1.0 + 1.0) / 3)
    assert metric.corpus_ler == pytest.approx(5 / 7)
    assert metric.summary() == "LER 75.00% corpus LER 71.43% (3 utterances, 1 with an empty truth, 7 phones)"
    assert PhoneErrorRate().ler == 0.0 and PhoneErrorRate().corpus_ler == 0.0


def test_phone_error_rate_with_folding():
    def fold(phones: list[str]) -> list[str]:
        return [{"ax": "ah", "pcl": "sil", "h#": "sil"}.get(p, p) for p in phones if p != "q"]

    truths, predictions = ["h# ax q b pcl"], ["h# ah b sil"]
    plain, folded = PhoneErrorRate(), PhoneErrorRate(fold=fold)
    plain.update(predictions, truths)
    folded.update(predictions, truths)
    assert plain.ler == pytest.approx(3 / 5)  # ax/ah and pcl/sil substituted, q deleted
    assert folded.ler == 0.0 and folded.truth_phones == 4
    assert folded.summary().endswith("4 phones, folded)")


def official_ler(logits: np.ndarray, frames: list[int], truths: list[list[int]], blank: int) -> float:
    """The official metric's steps (``LER`` of the official src/metric.py, written here from its description):
    greedy decoding whose last symbol changes only on an emission, repeats merged in the truth, mean of
    ED / len(merged truth)."""
    total = 0.0
    for scores, n, truth in zip(logits, frames, truths):
        prediction, last = [], blank
        for symbol in scores[:n].argmax(-1):
            if symbol not in (last, blank):
                prediction.append(int(symbol))
                last = symbol
        reference = [t for i, t in enumerate(truth) if (i == 0 or t != truth[i - 1]) and t < blank]
        total += edit_distance(prediction, reference) / len(reference)
    return total / len(truths)


def test_official_ler_mode_reproduces_the_official_metric():
    """Truths with doubled phones: only ``official`` (both merges) gives the official figure."""
    rng = np.random.default_rng(3)
    blank, utterances = 5, 60
    logits = rng.normal(size=(utterances, 40, blank + 1))
    logits[..., blank] += 1.0
    frames = rng.integers(10, 41, utterances).tolist()
    truths = []
    for _ in range(utterances):
        truth = rng.integers(0, blank, rng.integers(2, 12)).tolist()
        truth.insert(1, truth[0])  # a doubled phone in every truth
        truths.append(truth)

    def text(ids):
        return " ".join(f"p{i}" for i in ids)

    cfg = SimpleNamespace(merge_across_blank=False, ler="official", lm_path="", beam_width=0)
    decoder = Decoder(cfg, SimpleNamespace(blank=blank))
    official, kaldi, merged_prediction_only = PhoneErrorRate(mode="official"), PhoneErrorRate(), PhoneErrorRate()
    for scores, n, truth in zip(logits, frames, truths):
        official.update([text(decoder.best_path(scores, n)[0])], [text(truth)])
        kaldi.update([text(best_path(scores, n, blank)[0])], [text(truth)])
        merged_prediction_only.update([text(best_path(scores, n, blank, merge_across_blank=True)[0])], [text(truth)])
    expected = official_ler(logits, frames, truths, blank)
    assert official.ler == pytest.approx(expected, rel=1e-12)
    assert merged_prediction_only.ler != pytest.approx(expected) and kaldi.ler != pytest.approx(expected)
    assert Decoder(SimpleNamespace(merge_across_blank=False, ler="kaldi", lm_path=""), None).merge_across_blank is False


def test_official_ler_counts_an_empty_truth_and_merges_folded_repeats():
    metric = PhoneErrorRate(mode="official")
    metric.update(["n n ae", "", "aa"], ["n n ae ae", "", ""])  # merged: "n ae" vs "n ae": ED 0
    assert (metric.utterances, metric.empty_truths, metric.ler) == (1, 2, 0.0)
    assert metric.corpus_ler == pytest.approx(1 / 2)  # the empty truth's inserted "aa" counts in the corpus
    assert "2 with an empty truth" in metric.summary() and "official (repeats merged)" in metric.summary()
    folded = PhoneErrorRate(fold=lambda phones: ["ah" if p == "ax" else p for p in phones], mode="official")
    folded.update(["ah"], ["ax ah"])  # folded "ah ah", merged "ah"
    assert folded.ler == 0.0
    assert merge_repeats(["a", "a", "b", "a", "a"]) == ["a", "b", "a"] and merge_repeats([]) == []
    with pytest.raises(ConfigError, match="LER mode must be one of kaldi, official"):
        PhoneErrorRate(mode="merged")
    scores = PhoneScores("official")
    scores.update_prefix(["aa aa"], ["aa"])
    assert scores.prefix[0].mode == scores.best[1].mode == "official" and scores.prefix[0].ler == 0.0
