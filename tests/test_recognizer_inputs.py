"""Recognizer API inputs that used to give wrong text or a traceback: generators (cnnctc), and speech signals
of other scales, channels, dtypes or lengths, NaN samples and pathlib paths (ctcmodel)."""
from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT

_T = np.arange(16000)
TONE = (3000 * np.sin(_T * 0.05 * (1 + _T / 8000)) * (np.sin(_T / 1600) > 0)).astype(np.int16)  # chirp bursts


def test_cnnctc_predict_takes_a_generator():
    from cnnctc.src.model_utils.config import load_config
    from cnnctc.src.recognizer import Recognizer

    cfg = load_config(["--config_path", os.path.join(ROOT, "cnnctc", "cpu_small.yaml")])
    rec = Recognizer(os.path.join(ROOT, "cnnctc", "release", "cnnctc_cpu_small.ckpt"), cfg, batch_size=2)
    images = [np.full((32, 100, 3), v, np.uint8) for v in (0, 128, 255)]
    assert rec.predict(image for image in images) == rec.predict(images)


@pytest.fixture(scope="module")
def speech_recognizer():
    from ctcmodel.src.model_utils.config import load_config
    from ctcmodel.src.recognizer import Recognizer

    cfg = load_config(["--config_path", os.path.join(ROOT, "ctcmodel", "cpu_small.yaml"), "--lm_path", "",
                       "--beam_width", "0"])
    return Recognizer(os.path.join(ROOT, "ctcmodel", "release", "ctcmodel_cpu_small.ckpt"), cfg, batch_size=2)


def test_ctcmodel_signal_forms_give_the_same_phones(speech_recognizer, tmp_path):
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(16000)
        f.writeframes(TONE.tobytes())
    forms = [str(path), Path(path), TONE, TONE.astype(np.float32), TONE.astype(np.float32) / 32768, TONE[:, None]]
    predictions = speech_recognizer.predict(form for form in forms)
    assert predictions[0].text and [p.text for p in predictions] == [predictions[0].text] * len(forms)
    assert [p.confidence for p in predictions] == pytest.approx([predictions[0].confidence] * len(forms), rel=1e-4)


@pytest.mark.parametrize("signal,message", [
    (np.stack([TONE, TONE], axis=1), r"signal 0: expected a mono signal .* got shape \(16000, 2\)"),
    (np.stack([TONE, TONE]), r"signal 0: expected a mono signal .* got shape \(2, 16000\)"),
    (np.where(np.arange(16000) == 5, np.nan, TONE.astype(np.float32)), "signal 0: holds NaN or infinite samples"),
    (TONE.astype(np.float32) * 100, "signal 0: float samples reach 3e\\+05, beyond the 16-bit scale"),
    (TONE.astype(np.int32), "signal 0: expected int16 samples or float samples, got int32"),
    (TONE[:100], r"signal 0 is too short: 100 samples \(0.006 s\) give no feature frame"),
])
def test_ctcmodel_refuses_signals_it_would_misread(speech_recognizer, signal, message):
    from ctcmodel.src.model_utils.errors import UsageError

    with pytest.raises(UsageError, match=message):
        speech_recognizer.predict([signal])
