"""The TIMIT corpus as published by the LDC: ``ROOT/TRAIN|TEST/DR1..DR8/SPEAKER/UTT.WAV|.PHN|.WRD|.TXT``.

Names may be upper or lower case (``TIMIT/TRAIN/DR1/FCJF0/SA1.WAV``, ``timit/train/dr1/fcjf0/sa1.wav``), and
the folder given may be ROOT or hold it one or two levels down (``TIMIT/``, ``data/``, as in some
redistributions).  An utterance is a ``UTT.WAV`` with its ``UTT.PHN``; other files (``.WRD``, ``.TXT``,
converted copies such as ``SA1.WAV.wav``) are ignored.  Its id is ``speaker_utt`` in lower case
(``fcjf0_si1027``), unique over the corpus.

Splits, as in the literature and Kaldi's timit recipe: the two dialect ``SA`` sentences, read by every
speaker, are left out unless ``keep_sa``; ``train`` = TRAIN (462 speakers, 3696 utterances); ``test`` = the
core test set (24 speakers of TEST, 192 utterances) or, with ``test_set='complete'``, all of TEST (168
speakers, 1344 utterances, including the dev speakers); ``dev`` = the 50-speaker development set of
Halberstadt (1998) (Kaldi's ``conf/dev_spk.list``, 400 utterances), disjoint from the core test set.
The official ctcmodel trains on all of TRAIN and tests on all of TEST with the SA sentences
(4620 / 1680 utterances): ``keep_sa=True, test_set='complete'``.

``.PHN`` lines are ``BEGIN END PHONE`` (sample offsets at 16 kHz, phones of ``phones.PHONES_61``).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterator, NamedTuple

import numpy as np

from .model_utils.errors import DatasetError
from .phones import PHONE_IDS

SPLITS = ("train", "test", "dev")
TEST_SETS = ("core", "complete")
CORE_TEST_SPEAKERS = (  # 2 men and 1 woman of each dialect region DR1..DR8
    "mdab0", "mwbt0", "felc0", "mtas1", "mwew0", "fpas0", "mjmp0", "mlnt0", "fpkt0", "mlll0", "mtls0", "fjlm0",
    "mbpm0", "mklt0", "fnlp0", "mcmj0", "mjdh0", "fmgd0", "mgrt0", "mnjm0", "fdhc0", "mjln0", "mpam0", "fmld0")
DEV_SPEAKERS = (  # Kaldi egs/timit/s5/conf/dev_spk.list, in its order
    "faks0", "fdac1", "fjem0", "mgwt0", "mjar0", "mmdb1", "mmdm2", "mpdf0", "fcmh0", "fkms0", "mbdg0", "mbwm0",
    "mcsh0", "fadg0", "fdms0", "fedw0", "mgjf0", "mglb0", "mrtk0", "mtaa0", "mtdt0", "mthc0", "mwjg0", "fnmr0",
    "frew0", "fsem0", "mbns0", "mmjr0", "mdls0", "mdlf0", "mdvc0", "mers0", "fmah0", "fdrw0", "mrcs0", "mrjm4",
    "fcal1", "mmwh0", "fjsj0", "majc0", "mjsw0", "mreb0", "fgjd0", "fjmg0", "mroa0", "mteb0", "mjfc0", "mrjr0",
    "fmml0", "mrws1")
_DIALECT = re.compile(r"^dr\d$", re.IGNORECASE)
_AUDIO = re.compile(r"^([^.]+)\.wav$", re.IGNORECASE)


@dataclass(frozen=True)
class Utterance:
    """One recorded sentence: its id, where it is, and its audio and phone files."""

    id: str
    folder: str  # "train" or "test": the corpus folder it is in
    dialect: str
    speaker: str
    name: str  # sa1, si1027, sx127...
    wav: str
    phn: str


class PhoneSegment(NamedTuple):
    """One line of a ``.PHN`` file: the phone and its first and end sample."""

    begin: int
    end: int
    phone: str


def _subdirs(path: str) -> list[str]:
    return sorted((e for e in os.listdir(path) if os.path.isdir(os.path.join(path, e))), key=str.lower)


def _child(path: str, name: str) -> str | None:
    """The sub-folder of ``path`` called ``name`` in any case, or None."""
    return next((os.path.join(path, e) for e in _subdirs(path) if e.lower() == name), None)


def _breadth_first(path: str, depth: int) -> Iterator[str]:
    """``path``, then its sub-folders, down to ``depth`` levels; a level is listed only when reached."""
    level = [path]
    for reached in range(depth + 1):
        yield from level
        if reached < depth:
            level = [os.path.join(folder, sub) for folder in level for sub in _subdirs(folder)]


def find_root(dataset_dir: str) -> str:
    """The folder holding TRAIN/ and TEST/: ``dataset_dir`` itself or a folder one or two levels below."""
    if not os.path.isdir(dataset_dir):
        raise DatasetError(f"TIMIT folder {dataset_dir} does not exist")
    for folder in _breadth_first(dataset_dir, 2):
        if _child(folder, "train") or _child(folder, "test"):
            return folder
    raise DatasetError(f"no TIMIT TRAIN/ or TEST/ folder in {dataset_dir} or two levels below "
                       f"(expected ROOT/TRAIN/DR1/FCJF0/SA1.WAV)")


def list_folder(root: str, folder: str) -> list[Utterance]:
    """Every utterance (SA included) of ``root``'s TRAIN (``folder='train'``) or TEST folder, sorted."""
    path = _child(root, folder)
    if path is None:
        raise DatasetError(f"TIMIT root {root} has no {folder.upper()}/ folder")
    utterances = []
    for dialect in (d for d in _subdirs(path) if _DIALECT.match(d)):
        for speaker in _subdirs(os.path.join(path, dialect)):
            speaker_dir = os.path.join(path, dialect, speaker)
            files = {name.lower(): os.path.join(speaker_dir, name) for name in os.listdir(speaker_dir)}
            for name in sorted(files):
                match = _AUDIO.match(name)
                if not match or not os.path.isfile(files[name]):
                    continue
                utt = match.group(1)
                phn = files.get(f"{utt}.phn")
                if phn is None:
                    raise DatasetError(f"{files[name]} has no phone transcription {utt.upper()}.PHN beside it")
                utterances.append(Utterance(f"{speaker.lower()}_{utt}", folder, dialect.lower(), speaker.lower(),
                                            utt, files[name], phn))
    return utterances


def split_folder_name(split: str) -> str:
    """The corpus folder a split is drawn from: TRAIN for train, TEST for test and dev."""
    return "TRAIN" if split == "train" else "TEST"


def split_folder(root: str, split: str) -> str | None:
    """The folder (any letter case) of ``root`` that ``split`` is drawn from, or None when the corpus lacks it."""
    return _child(root, split_folder_name(split).lower())


def select_split(dataset_dir: str, split: str, test_set: str = "core", keep_sa: bool = False) -> list[Utterance]:
    """The utterances of ``split`` (train, test or dev) of the corpus in ``dataset_dir``; see the module doc."""
    if split not in SPLITS:
        raise DatasetError(f"unknown TIMIT split {split!r} (one of {', '.join(SPLITS)})")
    if test_set not in TEST_SETS:
        raise DatasetError(f"unknown TIMIT test set {test_set!r} (one of {', '.join(TEST_SETS)})")
    root = find_root(dataset_dir)
    utterances = list_folder(root, split_folder_name(split).lower())
    if split == "dev":
        utterances = [u for u in utterances if u.speaker in DEV_SPEAKERS]
    elif split == "test" and test_set == "core":
        utterances = [u for u in utterances if u.speaker in CORE_TEST_SPEAKERS]
    return [u for u in utterances if keep_sa or not u.name.startswith("sa")]


def read_phn(path: str) -> list[PhoneSegment]:
    """The segments of a ``.PHN`` file; an unknown phone or a malformed line raises ``DatasetError``."""
    try:
        with open(path, encoding="latin-1") as f:
            lines = f.read().splitlines()
    except OSError as err:
        raise DatasetError(f"cannot read {path}: {err.strerror or err}") from err
    segments = []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            raise DatasetError(f"{path}:{number}: expected 'BEGIN END PHONE', got {line.strip()!r}")
        if parts[2] not in PHONE_IDS:
            raise DatasetError(f"{path}:{number}: unknown phone {parts[2]!r} (not one of the 61 TIMIT phones)")
        segments.append(PhoneSegment(int(parts[0]), int(parts[1]), parts[2]))
    if not segments:
        raise DatasetError(f"{path} holds no phones")
    return segments


def read_labels(path: str) -> np.ndarray:
    """The 61-phone class ids (int32) of a ``.PHN`` file, in order, as the official ctcmodel's labels."""
    return np.array([PHONE_IDS[s.phone] for s in read_phn(path)], np.int32)
