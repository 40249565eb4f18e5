"""ctcmodel/synth_speech.py: TIMIT layout, SPHERE headers, phone/word/text files, determinism, disjoint voices."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, run_script
from ctcmodel.src.speech_synth import CORE_TEST, PROFILES, core_test_order, plan_speakers, split_voices
from ctcmodel.src.speech_synth_engines import align_words, check_engines
from ctcmodel.src.speech_synth_phones import TIMIT_PHONES, Segment, timit_segments

ARGS = ("--train_speakers", "2", "--test_speakers", "1", "--utterances_per_speaker", "2", "--seed", "5")
PATH_PATTERN = re.compile(r"(TRAIN|TEST)/DR[1-8]/[MF][A-Z]{3}\d/(SX\d+|SI\d+|SA[12])\.(WAV|PHN|WRD|TXT)")


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> tuple[str, str]:
    one, two = str(tmp_path_factory.mktemp("speech1")), str(tmp_path_factory.mktemp("speech2"))
    run_script("ctcmodel", "synth_speech.py", "--out", one, *ARGS, "--workers", "2")
    run_script("ctcmodel", "synth_speech.py", "--out", two, *ARGS, "--workers", "1")
    return one, two


def corpus_files(root: str) -> dict[str, bytes]:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root).replace(os.sep, "/")] = f.read()
    return out


def read_sphere(data: bytes) -> tuple[dict[str, str], np.ndarray]:
    header = data[:1024].decode("ascii")
    assert header.startswith("NIST_1A\n   1024\n") and "\nend_head\n" in header
    fields = {}
    for line in header.split("\nend_head\n")[0].splitlines()[2:]:
        key, kind, value = line.split(" ", 2)
        assert kind == "-i" or (kind.startswith("-s") and int(kind[2:]) == len(value)), line
        fields[key] = value
    return fields, np.frombuffer(data[1024:], "<i2")


def utterances(files: dict[str, bytes]) -> list[str]:
    return sorted(path[:-4] for path in files if path.endswith(".WAV"))


def test_timit_layout(corpora):
    files = corpus_files(corpora[0])
    names = [p for p in files if p != "synth_speech.json"]
    assert names and all(PATH_PATTERN.fullmatch(p) for p in names), names
    for utt in utterances(files):
        assert all(f"{utt}.{ext}" in files for ext in ("PHN", "WRD", "TXT"))
    speakers = {p.split("/")[2]: p.split("/")[:2] for p in names}
    assert sorted(s for s, (split, _) in speakers.items() if split == "TEST") == [core_test_order()[0][0]]
    for name, (split, dialect) in speakers.items():
        assert split == "TRAIN" or name in CORE_TEST[dialect]
    assert any(p.endswith("/SA1.WAV") for p in names) and any("/SX" in p for p in names)


def test_sphere_headers(corpora):
    files = corpus_files(corpora[0])
    for utt in utterances(files):
        fields, samples = read_sphere(files[utt + ".WAV"])
        assert int(fields["sample_count"]) == len(samples) == (len(files[utt + ".WAV"]) - 1024) // 2
        assert (fields["sample_rate"], fields["channel_count"], fields["sample_n_bytes"]) == ("16000", "1", "2")
        assert (fields["sample_byte_format"], fields["sample_sig_bits"], fields["sample_coding"]) == ("01", "16", "pcm")
        assert (int(fields["sample_min"]), int(fields["sample_max"])) == (samples.min(), samples.max())
        assert fields["utterance_id"] == f"{utt.split('/')[2][1:].lower()}_{utt.split('/')[3].lower()}"
        assert np.abs(samples).max() > 3000  # speech, not silence


def test_phone_word_text_files(corpora):
    files = corpus_files(corpora[0])
    for utt in utterances(files):
        n = int(read_sphere(files[utt + ".WAV"])[0]["sample_count"])
        phn = [line.split() for line in files[utt + ".PHN"].decode().splitlines()]
        assert phn[0][2] == phn[-1][2] == "h#" and all(p[2] != "h#" for p in phn[1:-1])
        assert int(phn[0][0]) == 0 and int(phn[-1][1]) == n
        assert all(a[1] == b[0] for a, b in zip(phn, phn[1:])) and all(int(p[0]) < int(p[1]) for p in phn)
        assert {p[2] for p in phn} <= set(TIMIT_PHONES)
        text = files[utt + ".TXT"].decode()
        begin, end, sentence = text.rstrip("\n").split(" ", 2)
        assert (begin, end) == ("0", str(n)) and sentence[0].isupper() and sentence.endswith(".")
        words = [line.split() for line in files[utt + ".WRD"].decode().splitlines()]
        assert [w[2] for w in words] == [w.strip(".,").lower() for w in sentence.split()]
        bounds = [int(b) for w in words for b in w[:2]]
        assert bounds == sorted(bounds) and int(phn[0][1]) <= bounds[0] and bounds[-1] <= int(phn[-1][0])


def test_same_arguments_same_bytes(corpora):
    one, two = (corpus_files(c) for c in corpora)
    assert one.keys() == two.keys() and all(one[k] == two[k] for k in one)


def test_train_and_test_voices_disjoint(corpora):
    voices = split_voices()
    assert voices["TRAIN"] and voices["TEST"] and not set(voices["TRAIN"]) & set(voices["TEST"])
    with open(os.path.join(corpora[0], "synth_speech.json"), encoding="utf-8") as f:
        summary = json.load(f)
    assert all(s["voice"] in voices[s["split"]] for s in summary["speakers"])
    speakers = plan_speakers(120, 30, 0)
    used = {split: {str(s.voice) for s in speakers if s.split == split} for split in ("TRAIN", "TEST")}
    assert not used["TRAIN"] & used["TEST"]
    assert any(v.startswith("flite") for v in used["TEST"]) and any(v.startswith("espeak") for v in used["TEST"])
    test_names = [s.name for s in speakers if s.split == "TEST"]
    assert set(test_names[:24]) == {n for names in CORE_TEST.values() for n in names} and len(set(test_names)) == 30
    assert {s.name[0] for s in speakers if s.split == "TRAIN"} == {"M", "F"}


def test_every_configured_voice_is_installed():
    check_engines([p.voice for groups in PROFILES.values() for group in groups for p in group])


def test_missing_engine_is_one_error_line(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))
    proc = subprocess.run([sys.executable, "synth_speech.py", "--out", str(tmp_path / "out"), *ARGS],
                          cwd=os.path.join(ROOT, "ctcmodel"), env=env, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr == "error: flite not found: apt-get install flite\n"


def test_words_follow_an_edit_distance_alignment():
    # flite says "the apple" as dh iy ae p ax l, but "the" alone as dh ax
    assert align_words("dh iy ae p ax l".split(), [["dh", "ax"], ["ae", "p", "ax", "l"]]) == [0, 0, 1, 1, 1, 1]
    assert align_words("b iy z".split(), [["b", "iy"], ["z"]]) == [0, 0, 1]


def test_stops_get_closures_and_edge_pauses_go():
    segments = [Segment("pau", 0, 100, None), Segment("k", 100, 200, 0), Segment("ae", 200, 300, 0),
                Segment("pau", 300, 400, None), Segment("t", 400, 500, 1), Segment("pau", 500, 600, None)]
    out = timit_segments("flite", segments, np.zeros(600), 16000)
    assert [(s.phone, s.start, s.end) for s in out] == [
        ("kcl", 100, 160), ("k", 160, 200), ("ae", 200, 300), ("pau", 300, 400), ("tcl", 400, 460), ("t", 460, 500)]
