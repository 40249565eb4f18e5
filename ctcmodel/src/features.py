"""The official ctcmodel's acoustic features: 13 MFCCs every 5 ms plus first and second differences (39-d).

``python_speech_features.mfcc`` with 10 ms rectangular windows every 5 ms, 26 mel filters from 0 to
6000 Hz, pre-emphasis 0.95, no lifter change (22) and no energy in c0, on the float32 signal at the 16-bit
integer scale (``audio.read_audio``).  Deltas are plain first differences over time, as in the official
``diff_feature(feat, nd=2)``: with Δ[t] = mfcc[t+1] - mfcc[t] and ΔΔ[t] = Δ[t+1] - Δ[t], the feature of
frame t is [mfcc[t+2], Δ[t+1], ΔΔ[t]], so an utterance of N MFCC frames gives N - 2 feature frames.
No mean or variance normalisation.
"""
from __future__ import annotations

import numpy as np
from python_speech_features import mfcc

MFCC_OPTIONS = {"winlen": 0.01, "winstep": 0.005, "numcep": 13, "nfilt": 26, "lowfreq": 0, "highfreq": 6000,
                "preemph": 0.95, "appendEnergy": False}
FEATURE_DIM = 3 * MFCC_OPTIONS["numcep"]  # 39


def add_deltas(cepstra: np.ndarray) -> np.ndarray:
    """[N, 13] MFCCs -> [N - 2, 39] = [mfcc[2:], Δ[1:], ΔΔ] with first differences over time."""
    delta = cepstra[1:] - cepstra[:-1]
    delta2 = delta[1:] - delta[:-1]
    return np.concatenate((cepstra[2:], delta[1:], delta2), axis=1)


def compute_features(signal: np.ndarray, sample_rate: int) -> np.ndarray:
    """The float32 [frames, 39] features of a mono signal (16-bit integer scale)."""
    cepstra = mfcc(signal=np.asarray(signal, np.float32), samplerate=sample_rate, **MFCC_OPTIONS)
    return add_deltas(cepstra).astype(np.float32)
