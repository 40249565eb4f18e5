"""Signal steps of the speech synthesizer: band-limited resampling (a vocal-tract change) and the channel.

``resample(x, step)`` reads ``x`` every ``step`` input samples through a Kaiser-windowed sinc, low-passed
below the output's Nyquist frequency.  Reading a 16 kHz recording at ``step = 1.1`` plays it 10 % faster:
formants, pitch and tempo rise by 10 %, like a speaker with a 10 % shorter vocal tract.

``channel`` pads the speech with leading and trailing silence, band-limits it like a microphone and its
amplifier (2nd-order high-pass, 4th-order low-pass, zero phase), adds pink background noise at a given
signal-to-noise ratio over the whole file (silences are never digital zero), and scales it to a peak level.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SINC_HALF_WIDTH = 16  # input samples on each side of an output sample
KAISER_BETA = 8.0
CHUNK = 8192  # output samples computed at a time
KERNEL_PHASES = 1024  # kernel table points per input sample (the nearest one is used)
INT16_MAX = 32767
FILTER_TAIL = 2048  # samples of zeros at least after the signal in the FFT filtering


@dataclass(frozen=True)
class Channel:
    """A recording channel: pass band, background noise level and peak level (a fraction of full scale)."""

    highpass_hz: float
    lowpass_hz: float
    snr_db: float
    peak: float


def resample(x: np.ndarray, step: float) -> np.ndarray:
    """``y[n] = x(n * step)``, band-limited to ``min(1, 1 / step)`` of the input's Nyquist frequency."""
    table = _kernel_table(min(1.0, 1.0 / step) * 0.95)
    n_out = int(len(x) / step)
    taps = np.arange(-SINC_HALF_WIDTH + 1, SINC_HALF_WIDTH + 1)
    padded = np.concatenate([np.zeros(SINC_HALF_WIDTH), x, np.zeros(SINC_HALF_WIDTH + 1)])
    out = np.empty(n_out)
    for first in range(0, n_out, CHUNK):
        t = np.arange(first, min(first + CHUNK, n_out)) * step
        index = np.floor(t).astype(np.int64)[:, None] + taps[None, :]
        phase = np.rint((t - np.floor(t)) * KERNEL_PHASES).astype(np.int64)  # nearest tabulated phase
        kernel = table[(taps[None, :] * -KERNEL_PHASES + phase[:, None]) + SINC_HALF_WIDTH * KERNEL_PHASES]
        out[first:first + len(t)] = np.einsum("ij,ij->i", padded[index + SINC_HALF_WIDTH], kernel)
    return out


def _kernel_table(cutoff: float) -> np.ndarray:
    """The Kaiser-windowed sinc kernel at ``KERNEL_PHASES`` points per input sample over its whole width."""
    distance = np.arange(2 * SINC_HALF_WIDTH * KERNEL_PHASES + 1) / KERNEL_PHASES - SINC_HALF_WIDTH
    window = np.i0(KAISER_BETA * np.sqrt(np.clip(1.0 - (distance / SINC_HALF_WIDTH) ** 2, 0.0, 1.0)))
    return cutoff * np.sinc(cutoff * distance) * window / np.i0(KAISER_BETA)


def channel(speech: np.ndarray, lead: int, tail: int, rate: int, chan: Channel,
            rng: np.random.Generator) -> np.ndarray:
    """``lead`` + ``tail`` samples of silence around ``speech``, filtered, with noise, as int16."""
    signal = np.concatenate([np.zeros(lead), speech, np.zeros(tail)])
    n = len(signal)
    n_fft = 1 << (n + FILTER_TAIL - 1).bit_length()  # a power of two (fast) with room for the filter's tails
    freqs = np.fft.rfftfreq(n_fft, 1.0 / rate)
    safe = np.maximum(freqs, 1.0)
    response = 1.0 / np.sqrt(1.0 + (chan.highpass_hz / safe) ** 4) / np.sqrt(1.0 + (freqs / chan.lowpass_hz) ** 8)
    signal = np.fft.irfft(np.fft.rfft(signal, n_fft) * response, n_fft)[:n]
    pink = response / np.sqrt(safe / 100.0)
    noise = np.fft.irfft(np.fft.rfft(rng.standard_normal(n_fft)) * pink, n_fft)[:n]
    speech_rms = np.sqrt(np.mean(signal[lead:len(signal) - tail] ** 2)) + 1e-12
    signal += noise * speech_rms / (np.sqrt(np.mean(noise ** 2)) + 1e-12) / 10 ** (chan.snr_db / 20)
    signal *= chan.peak * INT16_MAX / (np.max(np.abs(signal)) + 1e-12)
    return np.clip(np.round(signal), -INT16_MAX - 1, INT16_MAX).astype("<i2")
