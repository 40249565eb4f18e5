"""TIMIT's 61 phones and the mapping of the synthesis engines' phones onto them.

Each engine phone becomes one or two TIMIT phones; the engine's duration is split between them.

flite (CMU/radio phone set, cmulex; the same for the voices kal, kal16, awb, rms, slt):

* ``aa ae ah ao aw ax ay dh eh er ey f hh ih iy l m n ng ow oy r s sh th uh uw v w y z zh``: the same symbol;
* stops and affricates get a closure: ``b`` -> ``bcl b``, ``d`` -> ``dcl d``, ``g`` -> ``gcl g``,
  ``p`` -> ``pcl p``, ``t`` -> ``tcl t``, ``k`` -> ``kcl k``, ``ch`` -> ``tcl ch``, ``jh`` -> ``dcl jh``
  (closure 60 % of flite's segment, release 40 %: flite's segment holds the silence and the burst);
* ``pau``: ``pau`` inside the sentence, ``h#`` at both ends.

espeak-ng (``en-us`` mnemonics, stress marks removed):

* consonants: ``p b t d k g`` and ``t2`` (-> t) with closures as above, ``tS`` -> ``tcl ch``,
  ``dZ`` -> ``dcl jh`` (espeak-ng puts a stop's silence at the end of the phone before it: that silent
  tail becomes the closure, else 60 % of the stop as for flite); ``t#`` (flap) -> ``dx``, ``?`` -> ``q``,
  ``T`` -> th, ``D`` -> dh, ``S`` -> sh, ``Z`` -> zh, ``h`` -> hh, ``x`` -> k, ``N`` -> ng, ``j`` -> y,
  ``n-`` -> en, ``m-`` -> em, ``l-`` and ``@L`` -> el, the rest by name;
* vowels: ``a aa`` -> ae, ``a# @ @2 @5 @-`` -> ax, ``A: A~ 0`` -> aa, ``3`` -> axr, ``3:`` -> er,
  ``E E2 E3`` -> eh, ``eI`` -> ey, ``I`` -> ih, ``I# I2`` -> ix, ``i i:`` -> iy, ``O O: O2`` -> ao,
  ``OI`` -> oy, ``oU oU#`` -> ow, ``U`` -> uh, ``u:`` -> uw, ``V`` -> ah, ``aI`` -> ay, ``aU`` -> aw;
  r-coloured and centring diphthongs become two phones (first 60 %): ``A@ 0@`` -> aa r, ``e@`` -> eh r,
  ``i@3`` -> ih r, ``O@ o@`` -> ao r, ``U@ u@`` -> uh r, ``i@`` -> iy ax, ``aI@`` -> ay ax, ``aI3`` -> ay axr,
  ``aU@`` -> aw ax;
* ``_ _: _! ||``: pauses as for flite; ``;`` (a vowel-to-vowel link) and ``r-`` (a linking r, always
  after an r-coloured vowel) are added to the phone before them.

The engines never produce ``ax-h eng epi hv nx ux`` (and flite neither ``dx el em en ix axr q``); these
symbols stay legal in the files but do not occur.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

TIMIT_PHONES = (
    "aa ae ah ao aw ax ax-h axr ay b bcl ch d dcl dh dx eh el em en eng epi er ey f g gcl h# hh hv ih ix iy "
    "jh k kcl l m n ng nx ow oy p pau pcl q r s sh t tcl th uh uw ux v w y z zh").split()
CLOSURES = {"b": "bcl", "d": "dcl", "g": "gcl", "p": "pcl", "t": "tcl", "k": "kcl", "ch": "tcl", "jh": "dcl"}
PAUSE, SILENCE = "pau", "h#"
MERGE = ()  # the engine phone joins the phone before it
FIRST_SHARE = 0.6  # share of a split engine phone given to the first TIMIT phone (closure, vowel)
SILENT_DB = -40.0  # a frame this far below the utterance's loudest frame is silent (espeak-ng closures)
FRAME_SECONDS = 0.002
MAX_CLOSURE_SECONDS = 0.12

FLITE = {p: (p,) for p in "aa ae ah ao aw ax ay b ch d dh eh er ey f g hh ih iy jh k l m n ng ow oy p r s "
                          "sh t th uh uw v w y z zh".split()}
FLITE["pau"] = (PAUSE,)

ESPEAK = {
    **{p: (p,) for p in "p b t d k g f v s z m n l r w".split()},
    "t2": ("t",), "tS": ("ch",), "dZ": ("jh",), "t#": ("dx",), "?": ("q",), "T": ("th",), "D": ("dh",),
    "S": ("sh",), "Z": ("zh",), "h": ("hh",), "x": ("k",), "N": ("ng",), "j": ("y",),
    "n-": ("en",), "m-": ("em",), "l-": ("el",), "@L": ("el",), "r-": MERGE,
    "a": ("ae",), "aa": ("ae",), "a#": ("ax",), "@": ("ax",), "@2": ("ax",), "@5": ("ax",), "@-": ("ax",),
    "A:": ("aa",), "A~": ("aa",), "0": ("aa",), "3": ("axr",), "3:": ("er",), "E": ("eh",), "E2": ("eh",),
    "E3": ("eh",), "eI": ("ey",), "I": ("ih",), "I#": ("ix",), "I2": ("ix",), "i": ("iy",), "i:": ("iy",),
    "O": ("ao",), "O:": ("ao",), "O2": ("ao",), "OI": ("oy",), "oU": ("ow",), "oU#": ("ow",), "U": ("uh",),
    "u:": ("uw",), "V": ("ah",), "aI": ("ay",), "aU": ("aw",),
    "A@": ("aa", "r"), "0@": ("aa", "r"), "e@": ("eh", "r"), "i@3": ("ih", "r"), "O@": ("ao", "r"),
    "o@": ("ao", "r"), "U@": ("uh", "r"), "u@": ("uh", "r"), "i@": ("iy", "ax"), "aI@": ("ay", "ax"),
    "aI3": ("ay", "axr"), "aU@": ("aw", "ax"),
    **{p: (PAUSE,) for p in ("_", "_:", "_!", "||")},
    ";": MERGE,
}
PHONE_MAPS = {"flite": FLITE, "espeak": ESPEAK}


class Segment(NamedTuple):
    """One phone from ``start`` to ``end`` (samples); ``word`` indexes the sentence's words (None: pause)."""

    phone: str
    start: int
    end: int
    word: int | None


def timit_segments(engine: str, segments: Sequence[Segment], wave: np.ndarray, rate: int) -> list[Segment]:
    """Map an engine's segments to TIMIT phones, from the first to the last spoken phone (no edge pauses)."""
    table = PHONE_MAPS[engine]
    out: list[Segment] = []
    for seg in segments:
        if seg.phone not in table:
            raise ValueError(f"{engine} phone {seg.phone!r} has no TIMIT mapping")
        phones = table[seg.phone]
        if phones == MERGE or (phones == (PAUSE,) and out and out[-1].phone == PAUSE):
            if out:
                out[-1] = out[-1]._replace(end=seg.end)
        elif phones[0] in CLOSURES:
            _add_stop(out, seg, phones[0], engine == "espeak", wave, rate)
        elif len(phones) == 2:
            cut = seg.start + round(FIRST_SHARE * (seg.end - seg.start))
            out += [Segment(phones[0], seg.start, cut, seg.word), Segment(phones[1], cut, seg.end, seg.word)]
        else:
            out.append(seg._replace(phone=phones[0]))
    while out and out[0].phone == PAUSE:
        out.pop(0)
    while out and out[-1].phone == PAUSE:
        out.pop()
    return [s for s in out if s.end > s.start]


def _add_stop(out: list[Segment], seg: Segment, phone: str, closure_before: bool, wave: np.ndarray,
              rate: int) -> None:
    """Append closure + release; the closure is the silent tail of the phone before (espeak-ng) or the
    first part of the stop itself."""
    silent_from = _silent_tail_start(wave, rate, out[-1], seg.start) if closure_before and out else seg.start
    if seg.start - silent_from >= FRAME_SECONDS * rate * 4:
        out[-1] = out[-1]._replace(end=silent_from)
        out += [Segment(CLOSURES[phone], silent_from, seg.start, seg.word), seg._replace(phone=phone)]
        return
    cut = seg.start + round(FIRST_SHARE * (seg.end - seg.start))
    out += [Segment(CLOSURES[phone], seg.start, cut, seg.word), Segment(phone, cut, seg.end, seg.word)]


def _silent_tail_start(wave: np.ndarray, rate: int, before: Segment, end: int) -> int:
    """Start of the silent run of frames that ends at ``end``, within the second half of ``before``."""
    frame = max(1, round(FRAME_SECONDS * rate))
    loudest = float(np.max(np.abs(wave))) + 1e-9
    limit = max(before.start + (before.end - before.start) // 2, end - round(MAX_CLOSURE_SECONDS * rate))
    start = end
    while start - frame >= limit:
        chunk = wave[start - frame:start]
        if 20 * np.log10(np.sqrt(np.mean(chunk ** 2)) / loudest + 1e-12) > SILENT_DB:
            break
        start -= frame
    return start
