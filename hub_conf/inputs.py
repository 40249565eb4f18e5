"""What ``hub_conf.pipeline`` accepts, brought to what the model folders' recognizers take.

Images: a path (``str`` or ``pathlib.Path``), a numpy array (H x W, H x W x 1/3/4; uint8, uint16 or float
in [0, 1]: the recognizers check the rest) or a PIL image (any mode; palette, 1-bit, CMYK, ... are
converted to RGB, 16-bit gray kept as uint16).  Speech: a WAV or SPHERE path, or ``(signal, sample_rate)``
with a mono signal that is int16 or float in [-1, 1]; it is resampled to 16 kHz (band-limited, by FFT)
and put on the 16-bit integer scale the features expect.
"""
from __future__ import annotations

import os
from typing import Any, Union

import numpy as np

from .errors import InputError

SPEECH_RATE = 16000
PIL_MODES_AS_IS = {"L": np.uint8, "RGB": np.uint8, "RGBA": np.uint8, "I;16": np.uint16}


def _is_pil(item: Any) -> bool:
    return type(item).__module__.startswith("PIL.") and hasattr(item, "mode") and hasattr(item, "convert")


def image_input(item: Any, number: int) -> Union[str, np.ndarray]:
    """One image as a path string or an array; anything else is an InputError naming the item."""
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    if isinstance(item, np.ndarray):
        return item
    if _is_pil(item):
        dtype = PIL_MODES_AS_IS.get(item.mode)
        return np.asarray(item, dtype) if dtype else np.asarray(item.convert("RGB"), np.uint8)
    raise InputError(f"image {number}: expected a file path, a numpy array or a PIL image, got {type(item).__name__}")


def resample(signal: np.ndarray, rate: int, target: int = SPEECH_RATE) -> np.ndarray:
    """``signal`` at ``rate`` Hz resampled to ``target`` Hz by truncating or zero-padding its spectrum."""
    if rate == target:
        return signal
    count = max(1, round(len(signal) * target / rate))
    spectrum = np.fft.rfft(signal)
    kept = np.zeros(count // 2 + 1, complex)
    n = min(len(spectrum), len(kept))
    kept[:n] = spectrum[:n]
    return np.fft.irfft(kept, count) * (count / len(signal))


def speech_input(item: Any, number: int) -> Union[str, np.ndarray]:
    """One utterance as a path string or a 16 kHz float32 signal on the 16-bit scale."""
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], np.ndarray)):
        raise InputError(f"speech {number}: expected a WAV/SPHERE file path or (signal, sample_rate), got "
                         f"{type(item).__name__}")
    signal, rate = item
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)) or rate < 1000:
        raise InputError(f"speech {number}: the sample rate must be an integer number of Hz (at least 1000), "
                         f"got {rate!r}")
    if signal.ndim != 1 or signal.size == 0:
        raise InputError(f"speech {number}: expected a mono signal (one axis, not empty), got shape {signal.shape}")
    if signal.dtype == np.int16:
        scaled = signal.astype(np.float64)
    elif np.issubdtype(signal.dtype, np.floating) and np.isfinite(signal).all() and np.abs(signal).max() <= 1.0:
        scaled = signal.astype(np.float64) * 32768.0
    else:
        raise InputError(f"speech {number}: a signal must be int16 or float in [-1, 1], got {signal.dtype}"
                         f"{'' if signal.dtype.kind != 'f' else ' outside [-1, 1] or not finite'}")
    return resample(scaled, int(rate)).astype(np.float32)


def as_batch(inputs: Any, speech: bool) -> tuple[list, bool]:
    """(the items, whether one item was given): a list (or, for images, a tuple) is a batch."""
    single = not isinstance(inputs, list) and (speech or not isinstance(inputs, tuple))
    items = [inputs] if single else list(inputs)
    if not items:
        raise InputError("no inputs given (an empty list)")
    convert = speech_input if speech else image_input
    return [convert(item, number) for number, item in enumerate(items)], single
