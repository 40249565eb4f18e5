"""A deterministic speech corpus in the exact TIMIT layout, spoken by flite and espeak-ng (``synth_speech.py``).

``OUT/{TRAIN,TEST}/DR1..DR8/SPEAKER/UTT.{WAV,PHN,WRD,TXT}`` as on the TIMIT CD: NIST SPHERE 16 kHz 16-bit
mono, phones in TIMIT's 61 symbols (``speech_synth_phones``) from ``h#`` to ``h#``, word and sentence
timings, speakers named like TIMIT's (``MKAL0``), utterances ``SX…`` (a sentence read by up to 7 speakers
of a split), ``SI…`` (read once) and, for every 8th speaker of a split, ``SA1``/``SA2`` (TIMIT's two
dialect sentences, which readers usually leave out).  ``OUT/synth_speech.json`` lists the speakers.

Speakers.  Each speaker is one base voice plus a vocal-tract length (the waveform resampled by 0.86-1.15,
the alignment scaled with it), a pitch shift, a speaking rate, a microphone pass band, a noise level and a
peak level, drawn from the seed and the speaker's name; each utterance jitters pitch and rate a little.
flite voices: kal (8 kHz: nothing above 4 kHz, like a telephone) and kal16 (diphone, the same US man),
awb (clustergen, a Scottish man), rms (clustergen, US man), slt (clustergen, US woman); espeak-ng: variants
of ``en-us`` (formant synthesis).

Voice split (unseen voices).  TEST speakers use voices that no TRAIN speaker uses: half of them flite
**awb** (as men, and with a 10-15 % shorter vocal tract and a higher pitch as women), the other half the
espeak-ng variants m3 m5 m7 Denis klatt3 (men) and f3 f5 belinda (women).  TRAIN has both sexes from all
three synthesis methods: kal, kal16 and rms as men and, with a shorter tract and a higher pitch, as women;
slt as a woman and, with a 10-14 % longer tract and a lower pitch, as a man; other espeak-ng variants of
both sexes.  Why awb: a quick proxy (a frame classifier of the 39 phones trained on the other voices)
recognised awb best of the flite voices held out one at a time (frame accuracy 0.62, against 0.84 for new
speakers of training voices, 0.55 for rms, 0.48-0.63 for kal/kal16, 0.49-0.52 for slt), and awb is still a
new recorded speaker with another accent; the held-out espeak-ng variants are new formant settings of a
seen synthesizer (0.79-0.85).  ``OUT/synth_speech.json`` gives each speaker's voice, to score per voice.

TEST speakers are TIMIT's 24 core-test speakers (in its dialect regions), taken in an order that mixes
regions and sexes; beyond 24, new names.  TRAIN and TEST sentences differ (``speech_synth_text``).  Every
utterance is made from its own seeded generator (and espeak-ng in a fresh process), so the files are the
same bytes whatever ``--workers`` is.
"""
from __future__ import annotations

import json
import os
import shutil
import string
import zlib
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from .model_utils.errors import UsageError
from .model_utils.work_pool import Progress, WorkerPool
from .speech_synth_engines import Voice, check_engines, synthesize
from .speech_synth_phones import SILENCE, Segment, timit_segments
from .speech_synth_signal import Channel, channel, resample
from .speech_synth_text import SA_SENTENCES, load_sentences, sentence_words

RATE = 16000
SPLITS = ("TRAIN", "TEST")
CORE_TEST = {"DR1": ("MDAB0", "MWBT0", "FELC0"), "DR2": ("MTAS1", "MWEW0", "FPAS0"),
             "DR3": ("MJMP0", "MLNT0", "FPKT0"), "DR4": ("MLLL0", "MTLS0", "FJLM0"),
             "DR5": ("MBPM0", "MKLT0", "FNLP0"), "DR6": ("MCMJ0", "MJDH0", "FMGD0"),
             "DR7": ("MGRT0", "MNJM0", "FDHC0"), "DR8": ("MJLN0", "MPAM0", "FMLD0")}
DIALECTS = tuple(CORE_TEST)
TIMIT_TRAIN_SPEAKERS = (38, 76, 76, 68, 70, 35, 77, 22)  # per dialect region
FEMALE_SHARE = 0.4
SA_EVERY = 8
SX_READERS = 7
SX_SHARE = 5 / 8  # TIMIT: 5 SX and 3 SI of a speaker's 8 non-SA sentences
STRETCH, UTTERANCE_SEMITONES, UTTERANCE_STRETCH = (0.85, 1.2), (-1.0, 1.0), (0.95, 1.05)
HIGHPASS_HZ, LOWPASS_HZ, SNR_DB, PEAK = (40.0, 200.0), (6000.0, 7900.0), (25.0, 45.0), (0.2, 0.55)
SILENCE_SECONDS = (0.1, 0.3)
SUMMARY_FILE = "synth_speech.json"


@dataclass(frozen=True)
class Profile:
    """A base voice with the ranges its speakers' vocal-tract factor and pitch shift are drawn from."""

    voice: Voice
    vtl: tuple[float, float]
    semitones: tuple[float, float]


def _profiles(engine: str, names: str, vtl: tuple[float, float], semitones: tuple[float, float]
              ) -> list[Profile]:
    return [Profile(Voice(engine, n), vtl, semitones) for n in names.split()]


MALE_TRACT, FEMALE_TRACT, OWN_TRACT, LONGER_TRACT = (0.9, 1.06), (1.1, 1.15), (0.94, 1.06), (0.86, 0.9)
# (split, sex) -> (flite profiles, espeak-ng profiles); speakers take them in turn, alternating engines
PROFILES = {
    ("TRAIN", "M"): (_profiles("flite", "kal16 rms kal", MALE_TRACT, (-3, 3))
                     + _profiles("flite", "slt", LONGER_TRACT, (-7, -5)),
                     _profiles("espeak", "m1 m2 klatt m4 m6 Andy klatt2 Lee m8", OWN_TRACT, (-3, 3))),
    ("TRAIN", "F"): (_profiles("flite", "kal16 kal", FEMALE_TRACT, (6, 9))
                     + _profiles("flite", "slt", OWN_TRACT, (-2, 2))
                     + _profiles("flite", "rms", FEMALE_TRACT, (0, 0)),  # rms keeps its pitch in flite
                     _profiles("espeak", "f1 f2 f4 steph aunty", OWN_TRACT, (-3, 3))),
    ("TEST", "M"): (_profiles("flite", "awb", MALE_TRACT, (-3, 3)),
                    _profiles("espeak", "m3 m5 m7 Denis klatt3", OWN_TRACT, (-3, 3))),
    ("TEST", "F"): (_profiles("flite", "awb", FEMALE_TRACT, (3, 6)),
                    _profiles("espeak", "f3 f5 belinda", OWN_TRACT, (-3, 3))),
}


@dataclass(frozen=True)
class Speaker:
    """A synthetic speaker: TIMIT name, split, dialect region, base voice and its fixed variation."""

    name: str
    split: str
    dialect: str
    voice: Voice
    vtl: float
    semitones: float
    stretch: float
    channel: Channel


@dataclass(frozen=True)
class Utterance:
    """One file set to write: the speaker, TIMIT utterance id (``SX12``) and sentence."""

    speaker: Speaker
    uid: str
    text: str


def split_voices() -> dict[str, list[str]]:
    """The base voices each split draws its speakers from (disjoint)."""
    return {split: sorted({str(p.voice) for sex in "MF" for group in PROFILES[(split, sex)] for p in group})
            for split in SPLITS}


def core_test_order() -> list[tuple[str, str]]:
    """TIMIT's 24 core-test speakers as (name, dialect), each round of 8 taking one per region, sexes mixed."""
    return [(CORE_TEST[dr][(r + d) % 3], dr) for r in range(3) for d, dr in enumerate(DIALECTS)]


def plan_speakers(n_train: int, n_test: int, seed: int) -> list[Speaker]:
    """The speakers of both splits, deterministic in (n_train, n_test, seed)."""
    rng = np.random.default_rng([seed, 1])
    taken = {name for names in CORE_TEST.values() for name in names}
    test = core_test_order()[:n_test]
    test += [(_new_name(rng, taken), DIALECTS[k % len(DIALECTS)]) for k in range(n_test - len(test))]
    share = np.array(TIMIT_TRAIN_SPEAKERS) / sum(TIMIT_TRAIN_SPEAKERS)
    train = [(_new_name(rng, taken), DIALECTS[rng.choice(len(DIALECTS), p=share)]) for _ in range(n_train)]
    speakers = []
    for split, people in (("TRAIN", train), ("TEST", test)):
        turns = {"M": 0, "F": 0}
        for name, dialect in people:
            sex = name[0]
            speakers.append(_speaker(name, split, dialect, _profile(split, sex, turns[sex]), seed))
            turns[sex] += 1
    return speakers


def _new_name(rng: np.random.Generator, taken: set[str]) -> str:
    sex = "F" if rng.random() < FEMALE_SHARE else "M"
    while True:
        initials = "".join(rng.choice(list(string.ascii_uppercase), 3))
        free = [f"{sex}{initials}{d}" for d in range(10) if f"{sex}{initials}{d}" not in taken]
        if free:
            taken.add(free[0])
            return free[0]


def _profile(split: str, sex: str, turn: int) -> Profile:
    flite, espeak = PROFILES[(split, sex)]
    group = flite if turn % 2 == 0 else espeak
    return group[turn // 2 % len(group)]


def _speaker(name: str, split: str, dialect: str, profile: Profile, seed: int) -> Speaker:
    rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
    chan = Channel(rng.uniform(*HIGHPASS_HZ), rng.uniform(*LOWPASS_HZ), rng.uniform(*SNR_DB), rng.uniform(*PEAK))
    return Speaker(name, split, dialect, profile.voice, rng.uniform(*profile.vtl), rng.uniform(*profile.semitones),
                   rng.uniform(*STRETCH), chan)


def plan_utterances(speakers: Sequence[Speaker], per_speaker: int, sentences: dict[str, list[str]],
                    seed: int) -> list[Utterance]:
    """Each speaker's SX and SI sentences (plus SA1/SA2 for every 8th speaker of a split).  Sentences are
    numbered as they come, SX from 3 and SI from 453 like TIMIT's; a shared SX sentence keeps its number."""
    numbers: dict[tuple[str, str], str] = {}
    counters = {"SX": 3, "SI": 453}
    utterances = []
    for k, split in enumerate(SPLITS):
        people = [s for s in speakers if s.split == split]
        pool = [sentences[split][i] for i in np.random.default_rng([seed, 2, k]).permutation(len(sentences[split]))]
        for i, (spk, readings) in enumerate(zip(people, _readings(len(people), per_speaker, pool, split))):
            for kind, text in readings:
                if (kind, text) not in numbers:
                    numbers[(kind, text)] = f"{kind}{counters[kind]}"
                    counters[kind] += 1
                utterances.append(Utterance(spk, numbers[(kind, text)], text))
            if i % SA_EVERY == 0:
                utterances += [Utterance(spk, f"SA{j + 1}", t) for j, t in enumerate(SA_SENTENCES)]
    return utterances


def _readings(n_people: int, per_speaker: int, pool: Sequence[str], split: str) -> list[list[tuple[str, str]]]:
    """Per speaker, [(SX or SI, sentence)]: an SX sentence goes to up to 7 speakers, an SI one to one."""
    n_sx = round(per_speaker * SX_SHARE)
    n_si = per_speaker - n_sx
    n_sx_sentences = max(n_sx, -(-n_people * n_sx // SX_READERS))
    if n_sx_sentences + n_people * n_si > len(pool):
        raise UsageError(f"{split} needs more sentences than the {len(pool)} available: "
                         f"fewer speakers or utterances per speaker")
    si_pool = pool[n_sx_sentences:]
    return [[("SX", pool[(i * n_sx + j) % n_sx_sentences]) for j in range(n_sx)]
            + [("SI", t) for t in si_pool[i * n_si:(i + 1) * n_si]] for i in range(n_people)]


def render(utt: Utterance, seed: int) -> tuple[np.ndarray, list[Segment]]:
    """The int16 samples at 16 kHz and the TIMIT phones (h# at both ends) of one utterance."""
    spk = utt.speaker
    rng = np.random.default_rng([seed, zlib.crc32(spk.name.encode()), zlib.crc32(utt.uid.encode())])
    semitones = spk.semitones + rng.uniform(*UTTERANCE_SEMITONES)
    stretch = spk.stretch * rng.uniform(*UTTERANCE_STRETCH)
    syn = synthesize(spk.voice, utt.text, sentence_words(utt.text), semitones, stretch)
    phones = timit_segments(spk.voice.engine, syn.segments, syn.samples, syn.rate)
    origin, step = phones[0].start, spk.vtl * syn.rate / RATE
    speech = resample(syn.samples[origin:phones[-1].end], step)
    lead, tail = (round(rng.uniform(*SILENCE_SECONDS) * RATE) for _ in range(2))
    samples = channel(speech, lead, tail, RATE, spk.channel, rng)
    bounds = _monotonic([lead + round((p.start - origin) / step) for p in phones] + [lead + len(speech)])
    timed = [p._replace(start=bounds[i], end=bounds[i + 1]) for i, p in enumerate(phones)]
    return samples, [Segment(SILENCE, 0, lead, None), *timed, Segment(SILENCE, lead + len(speech), len(samples), None)]


def _monotonic(bounds: list[int]) -> list[int]:
    """Phone boundaries made strictly increasing (a phone keeps at least one sample)."""
    out = [bounds[0]]
    for b in bounds[1:-1]:
        out.append(max(b, out[-1] + 1))
    out.append(bounds[-1])
    if out[-1] <= out[-2]:
        raise RuntimeError("an utterance has more phones than samples")
    return out


def sphere_header(utterance_id: str, samples: np.ndarray) -> bytes:
    """TIMIT's 1024-byte NIST SPHERE header for 16 kHz 16-bit little-endian mono PCM."""
    fields = [("database_id", "SYNTH_TIMIT"), ("database_version", "1.0"), ("utterance_id", utterance_id),
              ("channel_count", 1), ("sample_count", len(samples)), ("sample_rate", RATE),
              ("sample_min", int(samples.min())), ("sample_max", int(samples.max())), ("sample_n_bytes", 2),
              ("sample_byte_format", "01"), ("sample_sig_bits", 16), ("sample_coding", "pcm")]
    lines = [f"{k} -i {v}" if isinstance(v, int) else f"{k} -s{len(v)} {v}" for k, v in fields]
    text = "NIST_1A\n   1024\n" + "\n".join(lines) + "\nend_head\n"
    return text.encode("ascii").ljust(1024, b" ")


def write_utterance(out: str, utt: Utterance, samples: np.ndarray, phones: Sequence[Segment]) -> None:
    """Write UTT.WAV, .PHN, .WRD and .TXT into ``out/SPLIT/DR/SPEAKER``."""
    spk = utt.speaker
    folder = os.path.join(out, spk.split, spk.dialect, spk.name)
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, utt.uid)
    with open(base + ".WAV", "wb") as f:
        f.write(sphere_header(f"{spk.name[1:].lower()}_{utt.uid.lower()}", samples) + samples.tobytes())
    _write_lines(base + ".PHN", [f"{p.start} {p.end} {p.phone}" for p in phones])
    _write_lines(base + ".WRD", [f"{s} {e} {w}" for s, e, w in _word_spans(phones, sentence_words(utt.text))])
    _write_lines(base + ".TXT", [f"0 {len(samples)} {utt.text}"])


def _word_spans(phones: Sequence[Segment], words: Sequence[str]) -> list[tuple[int, int, str]]:
    spans: dict[int, list[int]] = {}
    for p in phones:
        if p.word is not None:
            span = spans.setdefault(p.word, [p.start, p.end])
            span[1] = p.end
    return [(spans[i][0], spans[i][1], w) for i, w in enumerate(words) if i in spans]


def _write_lines(path: str, lines: Sequence[str]) -> None:
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("".join(line + "\n" for line in lines))


def _work(task: tuple[Utterance, int, str]) -> int:
    utt, seed, out = task
    samples, phones = render(utt, seed)
    write_utterance(out, utt, samples, phones)
    return len(samples)


def build_corpus(out: str, n_train: int, n_test: int, per_speaker: int, seed: int, workers: int,
                 report: Callable[[str], None]) -> tuple[dict, float]:
    """Write the corpus to ``out``; return the summary written to ``out/synth_speech.json`` and the hours."""
    if min(n_train, n_test, per_speaker) < 1 or workers < 1:
        raise UsageError("speakers, utterances per speaker and workers must be at least 1")
    speakers = plan_speakers(n_train, n_test, seed)
    check_engines([s.voice for s in speakers])
    utterances = plan_utterances(speakers, per_speaker, load_sentences(), seed)
    summary = _summary(speakers, utterances, seed, per_speaker)
    _prepare_output(out, summary)
    tasks = [(u, seed, out) for u in utterances]
    progress = Progress(len(tasks), "utterances", "synthesized", "utt", report)
    with WorkerPool(workers) as pool:
        total_samples = sum(pool.run(_work, tasks, progress, size=lambda _length: 1, ordered=False))
    return summary, total_samples / RATE / 3600


def _prepare_output(out: str, summary: dict) -> None:
    """Remove an earlier corpus of ours from ``out`` (refuse other TRAIN/TEST folders); write the summary."""
    marker = os.path.join(out, SUMMARY_FILE)
    stale = [os.path.join(out, s) for s in SPLITS if os.path.exists(os.path.join(out, s))]
    if stale and not os.path.isfile(marker):
        raise UsageError(f"{out} holds {', '.join(SPLITS)} folders not written by synth_speech.py: "
                         f"give a new or empty --out")
    for path in stale:
        shutil.rmtree(path)
    os.makedirs(out, exist_ok=True)
    with open(marker, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)


def _summary(speakers: Sequence[Speaker], utterances: Sequence[Utterance], seed: int, per_speaker: int) -> dict:
    def row(s: Speaker) -> dict:
        fields = asdict(s)
        fields["voice"] = str(s.voice)
        return json.loads(json.dumps(fields), parse_float=lambda v: round(float(v), 4))  # floats to 4 decimals

    return {"seed": seed, "utterances_per_speaker": per_speaker, "voices": split_voices(),
            "utterances": {sp: sum(u.speaker.split == sp for u in utterances) for sp in SPLITS},
            "speakers": [row(s) for s in speakers]}
