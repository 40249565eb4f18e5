"""The picture of an utterance for eval.py --report: its 13 MFCCs over time (the first third of the 39
features), each coefficient scaled over the utterance, lowest coefficient at the bottom, in a magma colour map."""
from __future__ import annotations

import cv2
import numpy as np

from .data import UtteranceSource
from .features import MFCC_OPTIONS

ROW_PIXELS = 4  # the height of one coefficient


def feature_picture(source: UtteranceSource, index: int) -> np.ndarray:
    """RGB uint8 [13 * ROW_PIXELS, frames] of utterance ``index``'s MFCCs."""
    cepstra = np.asarray(source.features[index], np.float32)[:, :MFCC_OPTIONS["numcep"]].T[::-1]
    mean, std = cepstra.mean(axis=1, keepdims=True), cepstra.std(axis=1, keepdims=True) + 1e-6
    scaled = np.clip((cepstra - mean) / std, -2.5, 2.5)
    gray = ((scaled + 2.5) * (255 / 5)).astype(np.uint8).repeat(ROW_PIXELS, axis=0)
    return cv2.cvtColor(cv2.applyColorMap(gray, cv2.COLORMAP_MAGMA), cv2.COLOR_BGR2RGB)
