"""Speak one sentence with espeak-ng's library and print its samples with the phone events (stdlib only).

    python speech_synth_espeak.py VOICE RATE_WPM PITCH RANGE TEXT

Prints one JSON line ``{"rate": Hz, "phones": [[mnemonic, first_sample], ...]}`` then the samples as
16-bit little-endian PCM.  espeak-ng keeps state from one sentence to the next (a pitch flutter and the
libc random generator), so each sentence runs in a fresh process: the output depends on the arguments only.
"""
from __future__ import annotations

import ctypes
import json
import sys

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 1
EVENT_LIST_TERMINATED, EVENT_PHONEME = 0, 7
CHARS_UTF8 = 1
RATE, PITCH, RANGE = 1, 3, 4


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _EventId)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


def speak(voice: str, rate_wpm: int, pitch: int, pitch_range: int, text: str) -> tuple[int, bytes, list]:
    """Return (sample rate, PCM bytes, [[phone mnemonic, first sample], ...]) for ``text``."""
    lib = ctypes.CDLL("libespeak-ng.so.1")
    sample_rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, INITIALIZE_PHONEME_EVENTS)
    if sample_rate <= 0 or lib.espeak_SetVoiceByName(voice.encode()) != 0:
        raise SystemExit(f"espeak-ng cannot load voice {voice}")
    for parameter, value in ((RATE, rate_wpm), (PITCH, pitch), (RANGE, pitch_range)):
        lib.espeak_SetParameter(parameter, value, 0)
    chunks: list[bytes] = []
    phones: list[list] = []

    def on_audio(samples, count, events):
        if count > 0:
            chunks.append(ctypes.string_at(samples, 2 * count))
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            if events[i].type == EVENT_PHONEME:
                phones.append([events[i].id.string.decode(), events[i].sample])
            i += 1
        return 0

    callback = _CALLBACK(on_audio)
    lib.espeak_SetSynthCallback(callback)
    data = text.encode()
    lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, CHARS_UTF8, None, None)
    lib.espeak_Synchronize()
    return sample_rate, b"".join(chunks), phones


def main() -> None:
    voice, rate_wpm, pitch, pitch_range, text = sys.argv[1:6]
    sample_rate, pcm, phones = speak(voice, int(rate_wpm), int(pitch), int(pitch_range), text)
    sys.stdout.buffer.write(json.dumps({"rate": sample_rate, "phones": phones}).encode() + b"\n" + pcm)


if __name__ == "__main__":
    main()
