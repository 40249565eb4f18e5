"""The two speech engines behind ``synth_speech.py``: flite and espeak-ng, each returning samples + phones.

flite (Debian ``flite``) is run as a program: ``-psdur`` prints each segment with its end time.  espeak-ng
(Debian ``espeak-ng``) is driven through its library, whose phoneme events carry the first sample of each
phone (``speech_synth_espeak.py``, in a fresh process per sentence for determinism).  Both engines also
give each word's pronunciation when the words are spoken as a comma-separated list; aligning these with
the sentence's phones (edit distance) tells which word each phone belongs to.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .model_utils.errors import UsageError
from .speech_synth_phones import Segment

ESPEAK_HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "speech_synth_espeak.py")
ESPEAK_LANGUAGE = "en-us"
FLITE_LEXICON_VOICE = "kal"  # every flite voice here uses cmulex; kal is the quickest to run
PAUSES = {"pau", "_", "_:", "_!", "||", ";"}
STRESS_MARKS = "',%="
FLITE_F0_HZ = {"kal": 95.0, "kal16": 95.0, "awb": 130.0, "rms": 105.0, "slt": 170.0}  # measured means
ESPEAK_PITCH_PER_SEMITONE = 6.3  # espeak-ng's pitch parameter (50 = the voice's own) per semitone, measured
ESPEAK_PITCH_RANGE = 50  # espeak-ng's intonation range parameter: the voice's own
INSTALL_HINTS = {"flite": "flite not found: apt-get install flite",
                 "espeak-ng": "espeak-ng not found: apt-get install espeak-ng"}


@dataclass(frozen=True)
class Voice:
    """A base voice: an engine and its voice name (flite voice, or espeak-ng variant of en-us)."""

    engine: str
    name: str

    def __str__(self) -> str:
        return f"{self.engine}:{self.name}"


@dataclass(frozen=True)
class Synthesis:
    """An engine's output: mono samples in [-1, 1] at ``rate`` Hz and the phones with their words."""

    samples: np.ndarray
    rate: int
    segments: list[Segment]


def check_engines(voices: Sequence[Voice]) -> None:
    """Raise a UsageError naming the Debian package of a missing engine."""
    programs = {"flite" if v.engine == "flite" else "espeak-ng" for v in voices}
    for program in (p for p in INSTALL_HINTS if p in programs):
        if shutil.which(program) is None:
            raise UsageError(INSTALL_HINTS[program])
    if "flite" in programs:
        _check_flite_voices({v.name for v in voices if v.engine == "flite"})
    if "espeak-ng" in programs:
        _check_espeak_variants({v.name for v in voices if v.engine == "espeak"})


def _check_flite_voices(names: set[str]) -> None:
    listed = _run(["flite", "-lv"]).decode().split(":")[-1].split()  # "Voices available: kal awb ..."
    missing = sorted(names - set(listed))
    if missing:
        raise UsageError(f"flite has no voice {', '.join(missing)}: apt-get install flite")


def _check_espeak_variants(names: set[str]) -> None:
    """espeak-ng takes an unknown variant for its default voice without a word: look for each one's file."""
    version = _run(["espeak-ng", "--version"]).decode()  # "... Data at: /usr/lib/.../espeak-ng-data"
    folder = os.path.join(version.split("Data at:")[-1].strip(), "voices", "!v")
    missing = sorted(n for n in names if not os.path.isfile(os.path.join(folder, n)))
    if missing:
        raise UsageError(f"espeak-ng has no voice variant {', '.join(missing)} in {folder}: "
                         f"apt-get install espeak-ng-data")


def synthesize(voice: Voice, text: str, words: Sequence[str], semitones: float, stretch: float) -> Synthesis:
    """Speak ``text`` (whose words are ``words``) ``semitones`` above the voice's own pitch (flite's rms
    keeps its own) and ``stretch`` times its usual length."""
    if voice.engine == "flite":
        samples, rate, phones = _flite(voice.name, text, FLITE_F0_HZ[voice.name] * 2 ** (semitones / 12), stretch)
        prons = _flite_words(words)
    else:
        samples, rate, phones = _espeak(voice.name, text, semitones, stretch)
        prons = _espeak_words(words)
    return Synthesis(samples, rate, _with_words(phones, prons))


def _run(cmd: Sequence[str]) -> bytes:
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} ... failed: {proc.stderr.decode(errors='replace')[-300:]}")
    return proc.stdout


def _flite(voice: str, text: str, f0_hz: float, stretch: float) -> tuple[np.ndarray, int, list[tuple]]:
    """Samples, rate and [(phone, start, end)] from ``flite -psdur``."""
    with tempfile.TemporaryDirectory(prefix="flite") as tmp:
        path = os.path.join(tmp, "out.wav")
        out = _run(["flite", "-voice", voice, "--setf", f"int_f0_target_mean={f0_hz:.1f}",
                    "--setf", f"duration_stretch={stretch:.3f}", "-psdur", "-t", text, "-o", path])
        with wave.open(path) as f:
            rate = f.getframerate()
            samples = np.frombuffer(f.readframes(f.getnframes()), "<i2").astype(np.float64) / 32768.0
    phones, start = [], 0
    for item in out.decode().split():
        phone, end_s = item.rsplit(":", 1)
        end = min(round(float(end_s) * rate), len(samples))
        phones.append((phone, start, max(start, end)))
        start = max(start, end)
    return samples, rate, phones


def _espeak(variant: str, text: str, semitones: float, stretch: float) -> tuple[np.ndarray, int, list[tuple]]:
    """Samples, rate and [(phone, start, end)] from espeak-ng's phoneme events."""
    pitch = int(np.clip(round(50 + ESPEAK_PITCH_PER_SEMITONE * semitones), 0, 99))
    rate_wpm = int(round(175 / stretch))
    out = _run([sys.executable, "-I", "-S", ESPEAK_HELPER, f"{ESPEAK_LANGUAGE}+{variant}", str(rate_wpm),
                str(pitch), str(ESPEAK_PITCH_RANGE), text])
    header, pcm = out.split(b"\n", 1)
    meta = json.loads(header)
    samples = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768.0
    starts = [min(int(s), len(samples)) for _, s in meta["phones"]] + [len(samples)]
    phones = [(name.strip(), starts[i], max(starts[i], starts[i + 1])) for i, (name, _) in enumerate(meta["phones"])]
    return samples, int(meta["rate"]), phones


def _flite_words(words: Sequence[str]) -> list[list[str]]:
    out = _run(["flite", "-voice", FLITE_LEXICON_VOICE, "-ps", "-t", ", ".join(words), "none"]).decode()
    groups, current = [], []
    for phone in out.split():
        if phone == "pau":
            if current:
                groups.append(current)
            current = []
        else:
            current.append(phone)
    return groups + ([current] if current else [])


def _espeak_words(words: Sequence[str]) -> list[list[str]]:
    out = _run(["espeak-ng", "-q", "-x", "--sep= ", "-v", ESPEAK_LANGUAGE, ", ".join(words)]).decode()
    lines = [[p.strip(STRESS_MARKS) for p in line.split()] for line in out.splitlines()]
    return [[p for p in line if p and p not in PAUSES] for line in lines if line]


def _with_words(phones: Sequence[tuple], prons: Sequence[Sequence[str]]) -> list[Segment]:
    """Segments whose word is the word of the pronunciation phone each spoken phone aligns with."""
    spoken = [i for i, (p, _, _) in enumerate(phones) if p not in PAUSES]
    word_of = align_words([phones[i][0] for i in spoken], prons)
    words = dict(zip(spoken, word_of))
    return [Segment(p, s, e, words.get(i)) for i, (p, s, e) in enumerate(phones)]


def align_words(spoken: Sequence[str], prons: Sequence[Sequence[str]]) -> list[int]:
    """For each spoken phone, the index of its word: a minimum edit-distance alignment with the words'
    pronunciations; a phone without a counterpart belongs to the word of the phone before it."""
    lexical = [(p, w) for w, pron in enumerate(prons) for p in pron]
    n, m = len(spoken), len(lexical)
    cost = np.zeros((n + 1, m + 1), np.int32)
    cost[:, 0], cost[0, :] = np.arange(n + 1), np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i, j] = min(cost[i - 1, j - 1] + (spoken[i - 1] != lexical[j - 1][0]),
                             cost[i - 1, j] + 1, cost[i, j - 1] + 1)
    word_of: list[int | None] = [None] * n
    i, j = n, m
    while i > 0:
        if j > 0 and cost[i, j] == cost[i - 1, j - 1] + (spoken[i - 1] != lexical[j - 1][0]):
            word_of[i - 1] = lexical[j - 1][1]
            i, j = i - 1, j - 1
        elif j > 0 and cost[i, j] == cost[i, j - 1] + 1:
            j -= 1
        else:
            i -= 1
    return _fill_gaps(word_of)


def _fill_gaps(word_of: list[int | None]) -> list[int]:
    first = next((w for w in word_of if w is not None), 0)
    filled, last = [], first
    for w in word_of:
        last = last if w is None else w
        filled.append(last)
    return filled
