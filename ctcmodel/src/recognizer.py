"""``Recognizer``: TIMIT phones, with the time of each, from 16 kHz speech files (SPHERE or RIFF WAV) or
signals, with a ctcmodel checkpoint or an exported MINDIR.

    from src.model_utils.config import load_config
    from src.recognizer import Recognizer
    cfg = load_config(["--config_path", "cpu_small.yaml"])
    rec = Recognizer("release/ctcmodel_cpu_small.ckpt", cfg)
    rec.predict(["SX139.WAV"])            # -> [Prediction("h# sh iy hh ...", confidence), ...]
    rec.transcribe(["SX139.WAV"])         # -> [[(phone, seconds), ...], ...]

Decoding is prefix beam search when ``beam_width`` > 0 (with the bigram model of ``lm_path``), else best
path; the confidence is the decoded labelling's probability per frame (exp(score / frames)).  A phone's
time is the centre of the frame that first emitted it.  Set the MindSpore context first (graph mode and
device, ``src.model_utils.context``).
"""
from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Iterable, Union

import mindspore as ms
import numpy as np

from .audio import read_audio
from .data import batch_width, label_converter
from .decoding import log_softmax
from .evaluation import Decoder
from .features import MFCC_OPTIONS, compute_features
from .model_utils.errors import UsageError
from .model_utils.infer_io import Prediction, Recognizer as BaseRecognizer
from .network import build_network

Speech = Union[str, os.PathLike, np.ndarray]  # a file path, or a 16 kHz mono signal (see ``as_signal``)
FIRST_FRAME_SECONDS = 2 * MFCC_OPTIONS["winstep"] + MFCC_OPTIONS["winlen"] / 2  # two frames dropped by deltas


def as_signal(signal: object, what: str) -> np.ndarray:
    """A 16 kHz mono signal given as an array, as float32 on the 16-bit integer scale: int16 samples as they are,
    float samples either on that scale or in [-1, 1] (peak at most 1: multiplied by 32768).  Other dtypes, more
    than one channel ((n, 2) or (2, n)), NaN or infinite samples, float samples beyond the 16-bit scale and empty
    arrays are a ``UsageError`` saying what was given."""
    array = np.asarray(signal)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)  # (n, 1) or (1, n): one channel
    if array.ndim != 1 or array.size == 0:
        raise UsageError(f"{what}: expected a mono signal of shape (samples,), got shape {array.shape}; give one "
                         "channel, e.g. signal[:, 0] or signal.mean(axis=1)")
    if array.dtype == np.int16:
        return array.astype(np.float32)
    if not np.issubdtype(array.dtype, np.floating):
        raise UsageError(f"{what}: expected int16 samples or float samples, got {array.dtype}")
    if not np.isfinite(array).all():
        raise UsageError(f"{what}: holds NaN or infinite samples")
    peak = float(np.abs(array).max())
    if peak > 32768.0:
        raise UsageError(f"{what}: float samples reach {peak:.3g}, beyond the 16-bit scale (32768); give int16 "
                         "samples or floats in [-1, 1]")
    return (array * 32768.0 if peak <= 1.0 else array).astype(np.float32)


class Recognizer(BaseRecognizer):
    """Recognise TIMIT phones in speech with the network ``cfg`` describes; ``overrides`` change config values
    (checked like command-line values)."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int = 16, **overrides):
        super().__init__(model_path, cfg, batch_size, build_network, label_converter, overrides)
        self.fixed_frames = model_path.lower().endswith(".mindir")  # an export has max_frames frames
        self.decoder = Decoder(self.cfg, self.converter)

    def _features(self, speech: Iterable[Speech]) -> list[np.ndarray]:
        features = []
        for number, item in enumerate(speech):
            is_file = isinstance(item, (str, os.PathLike))
            name = os.fspath(item) if is_file else f"signal {number}"
            signal, rate = read_audio(name) if is_file else (as_signal(item, name), 16000)
            feature = compute_features(signal, rate)
            if not len(feature):
                raise UsageError(f"{name} is too short: {len(signal)} samples ({len(signal) / rate:.3f} s) give no "
                                 f"feature frame")
            if len(feature) > self.cfg.max_frames:
                raise UsageError(f"{name} has {len(feature)} frames, more than max_frames {self.cfg.max_frames} "
                                 f"({self.cfg.max_frames * MFCC_OPTIONS['winstep']:.2f} s)")
            features.append(feature)
        return features

    def _logits(self, features: list[np.ndarray]) -> list[np.ndarray]:
        """Network outputs of each utterance (its own frames), ``batch_size`` utterances of similar length
        at a time."""
        order = np.argsort([len(f) for f in features], kind="stable")
        out: list = [None] * len(features)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start:start + self.batch_size]
            frames = np.array([len(features[n]) for n in chunk], np.int32)
            width = self.cfg.max_frames if self.fixed_frames else batch_width(self.cfg, int(frames.max()))
            batch = np.zeros((self.batch_size, width, features[0].shape[1]), np.float32)
            lengths = np.full(self.batch_size, frames[0], np.int32)
            for row, n in enumerate(chunk):
                batch[row, :len(features[n])] = features[n]
            lengths[:len(chunk)] = frames
            logits = self.network(ms.Tensor(batch), ms.Tensor(lengths)).asnumpy()
            for row, n in enumerate(chunk):
                out[n] = logits[row, :frames[row]]
        return out

    def _decode(self, logits: np.ndarray) -> tuple[list[int], list[int], float]:
        if self.cfg.beam_width > 0:
            hypothesis = self.decoder.prefix_search(logits, len(logits))
            return hypothesis.ids, hypothesis.frames, float(np.exp(hypothesis.score / max(len(logits), 1)))
        ids, frames = self.decoder.best_path(logits, len(logits))
        path_log_prob = log_softmax(logits).max(axis=-1).sum()
        return ids, frames, float(np.exp(path_log_prob / max(len(logits), 1)))

    def transcribe(self, speech: Iterable[Speech]) -> list[list[tuple[str, float]]]:
        """(phone, time in seconds) of every phone of every input."""
        return [timed for timed, _ in self._recognise(speech)]

    def predict(self, speech: Iterable[Speech]) -> list[Prediction]:
        """The phone string, confidence and phone times (``phone@seconds`` details) of every input."""
        return [Prediction(" ".join(p for p, _ in timed), confidence, " ".join(f"{p}@{t:.3f}" for p, t in timed),
                           times=tuple(t for _, t in timed))
                for timed, confidence in self._recognise(speech)]

    def _recognise(self, speech: Iterable[Speech]) -> list[tuple[list[tuple[str, float]], float]]:
        results = []
        for logits in self._logits(self._features(speech)):
            ids, frames, confidence = self._decode(logits)
            timed = [(self.converter.ids_to_text([i]), FIRST_FRAME_SECONDS + f * MFCC_OPTIONS["winstep"])
                     for i, f in zip(ids, frames)]
            results.append((timed, confidence))
        return results
