"""The 61 TIMIT phones (the network's classes) and their folding to the 39 phones that TIMIT results are
scored on.

``PHONES_61`` is the official ctcmodel's ``PHONEME_LIST`` (TIMIT's phone set, alphabetical): phone i is
class i, and the CTC blank is class 61 (``BLANK``), which the official MindRecord files also pad labels
with.  ``FOLD_61_TO_39`` is the folding of Lee & Hon (1989) exactly as Kaldi's timit recipe applies it
(``egs/timit/s5/conf/phones.60-48-39.map``, 61 -> 39 column): e.g. ``ao -> aa``, ``ax ax-h -> ah``,
``axr -> er``, ``hv -> hh``, ``ix -> ih``, ``el -> l``, ``em -> m``, ``en nx -> n``, ``eng -> ng``,
``zh -> sh``, ``ux -> uw``, the closures ``bcl dcl gcl pcl tcl kcl`` and ``h# pau epi -> sil``; the glottal
stop ``q`` has no 39-phone counterpart and is deleted.

Like Kaldi's scoring (``timit_norm_trans.pl``), folding maps phone by phone and does NOT merge the
repeats it creates: ``bcl b`` becomes ``sil b`` and ``pau h#`` becomes ``sil sil``, two phones.  Apply the
same folding to the reference and to the hypothesis before measuring the 39-phone error rate.
"""
from __future__ import annotations

from typing import Iterable

PHONES_61 = (
    "aa", "ae", "ah", "ao", "aw", "ax", "ax-h", "axr", "ay", "b", "bcl", "ch", "d", "dcl", "dh",
    "dx", "eh", "el", "em", "en", "eng", "epi", "er", "ey", "f", "g", "gcl", "h#", "hh", "hv", "ih",
    "ix", "iy", "jh", "k", "kcl", "l", "m", "n", "ng", "nx", "ow", "oy", "p", "pau", "pcl", "q", "r",
    "s", "sh", "t", "tcl", "th", "uh", "uw", "ux", "v", "w", "y", "z", "zh")
PHONE_IDS = {phone: index for index, phone in enumerate(PHONES_61)}
BLANK = len(PHONES_61)  # 61: the CTC blank, and the official label padding
NUM_CLASSES = BLANK + 1

DELETED = "q"
FOLD_61_TO_39 = {
    "aa": "aa", "ae": "ae", "ah": "ah", "ao": "aa", "aw": "aw", "ax": "ah", "ax-h": "ah", "axr": "er",
    "ay": "ay", "b": "b", "bcl": "sil", "ch": "ch", "d": "d", "dcl": "sil", "dh": "dh", "dx": "dx",
    "eh": "eh", "el": "l", "em": "m", "en": "n", "eng": "ng", "epi": "sil", "er": "er", "ey": "ey",
    "f": "f", "g": "g", "gcl": "sil", "h#": "sil", "hh": "hh", "hv": "hh", "ih": "ih", "ix": "ih",
    "iy": "iy", "jh": "jh", "k": "k", "kcl": "sil", "l": "l", "m": "m", "n": "n", "ng": "ng", "nx": "n",
    "ow": "ow", "oy": "oy", "p": "p", "pau": "sil", "pcl": "sil", "r": "r", "s": "s", "sh": "sh", "t": "t",
    "tcl": "sil", "th": "th", "uh": "uh", "uw": "uw", "ux": "uw", "v": "v", "w": "w", "y": "y", "z": "z",
    "zh": "sh"}
PHONES_39 = tuple(dict.fromkeys(FOLD_61_TO_39[p] for p in PHONES_61 if p != DELETED))  # first-seen order
_FOLDED_IDS = tuple(None if p == DELETED else PHONES_39.index(FOLD_61_TO_39[p]) for p in PHONES_61)


def fold_phones(phones: Iterable[str]) -> list[str]:
    """The 39-phone sequence of 61-phone symbols: each phone folded, ``q`` deleted, repeats kept."""
    folded = []
    for phone in phones:
        if phone not in PHONE_IDS:
            raise ValueError(f"unknown TIMIT phone {phone!r}")
        if phone != DELETED:
            folded.append(FOLD_61_TO_39[phone])
    return folded


def fold_ids(ids: Iterable[int]) -> list[int]:
    """``fold_phones`` on class ids: 61-phone ids (0..60) -> indices into ``PHONES_39``."""
    folded = []
    for index in ids:
        index = int(index)
        if not 0 <= index < BLANK:
            raise ValueError(f"phone id {index} is not one of the 61 TIMIT phones (0..{BLANK - 1})")
        if _FOLDED_IDS[index] is not None:
            folded.append(_FOLDED_IDS[index])
    return folded
