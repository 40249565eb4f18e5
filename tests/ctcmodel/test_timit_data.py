"""ctcmodel's TIMIT data side: SPHERE/RIFF audio, .PHN labels and the 61->39 folding, the official MFCC
features, the corpus layout and splits, MindRecord files (ours and official ones), and preprocess_data.py."""
from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
from python_speech_features import mfcc

from conftest import run_script
from ctcmodel.src.audio import read_audio
from ctcmodel.src.feature_store import Record, read_records, write_records
from ctcmodel.src.features import compute_features
from ctcmodel.src.model_utils.errors import DatasetError
from ctcmodel.src.phones import BLANK, PHONE_IDS, PHONES_39, PHONES_61, fold_ids, fold_phones
from ctcmodel.src.timit import CORE_TEST_SPEAKERS, DEV_SPEAKERS, read_labels, read_phn, select_split

PHN = "0 800 h#\n800 1600 bcl\n1600 2400 b\n2400 3200 ix\n3200 4000 h#\n"
PHN_IDS = [PHONE_IDS[p] for p in ("h#", "bcl", "b", "ix", "h#")]


def sphere_bytes(samples, rate=16000, byte_format="01", channels=1, width=2, coding=None, count=None) -> bytes:
    """A NIST SPHERE file: a 1024-byte NIST_1A header, then the samples."""
    count = len(samples) // channels if count is None else count
    lines = ["NIST_1A", "   1024", "database_id -s5 TIMIT", "utterance_id -s8 abc0_sa1", f"channel_count -i {channels}",
             f"sample_count -i {count}", f"sample_rate -i {rate}", f"sample_n_bytes -i {width}",
             f"sample_byte_format -s{len(byte_format)} {byte_format}", "sample_sig_bits -i 16"]
    lines += ([f"sample_coding -s{len(coding)} {coding}"] if coding else []) + ["end_head"]
    header = ("\n".join(lines) + "\n").encode("ascii").ljust(1024, b" ")
    return header + np.asarray(samples, ">i2" if byte_format == "10" else "<i2").tobytes()


def riff_bytes(samples, rate=16000, channels=1, width=2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples, "<i2" if width == 2 else np.uint8).tobytes())
    return out.getvalue()


def noise(n: int = 4000, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-3000, 3000, n).astype(np.int16)


def write(path: Path, data: bytes | str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


# ---------------------------------------------------------------------------------------------- audio


@pytest.mark.parametrize("byte_format", ["01", "10"])
def test_sphere_little_and_big_endian(tmp_path, byte_format):
    samples = noise()
    path = write(tmp_path / "SA1.WAV", sphere_bytes(samples, byte_format=byte_format))
    signal, rate = read_audio(path)
    assert rate == 16000 and signal.dtype == np.float32
    np.testing.assert_array_equal(signal, samples.astype(np.float32))  # 16-bit scale, not divided


def test_riff_wav(tmp_path):
    samples = noise()
    signal, rate = read_audio(write(tmp_path / "a.wav", riff_bytes(samples)))
    assert rate == 16000
    np.testing.assert_array_equal(signal, samples.astype(np.float32))


AUDIO_ERRORS = {  # case: (file content, message)
    "sphere-truncated": (sphere_bytes(noise(), count=5000),
                         "is truncated: the header announces 5000 samples, the file holds 4000"),
    "sphere-truncated-header": (sphere_bytes(noise())[:700], "is truncated: its SPHERE header announces 1024 bytes"),
    "sphere-8k": (sphere_bytes(noise(), rate=8000), "sample rate 8000 Hz, expected 16000 Hz"),
    "sphere-stereo": (sphere_bytes(noise(), channels=2), "has 2 channels: only mono"),
    "sphere-8bit": (sphere_bytes(noise(), width=1), "has 1-byte samples: only 16-bit pcm"),
    "sphere-shorten": (sphere_bytes(noise(), coding="pcm,embedded-shorten-v2.00"),
                       "compressed SPHERE .*'sph2pipe -f wav "),
    "sphere-ulaw": (sphere_bytes(noise(), coding="ulaw"), "sample_coding 'ulaw' is not supported"),
    "sphere-byte-format": (sphere_bytes(noise(), byte_format="1"), "sample_byte_format '1' is neither"),
    "sphere-empty": (sphere_bytes(noise()[:0]), "holds no samples"),
    "riff-22k": (riff_bytes(noise(), rate=22050), "sample rate 22050 Hz, expected 16000 Hz"),
    "riff-stereo": (riff_bytes(noise(), channels=2), "has 2 channels: only mono"),
    "riff-8bit": (riff_bytes(noise().astype(np.uint8), width=1), "has 1-byte samples"),
    "riff-truncated": (riff_bytes(noise())[:2000], "is truncated: the header announces 4000 samples"),
    "not-audio": (b"not audio at all", "is neither NIST SPHERE"),
}


@pytest.mark.parametrize("case", sorted(AUDIO_ERRORS))
def test_audio_errors_name_the_file_and_the_problem(tmp_path, case):
    data, message = AUDIO_ERRORS[case]
    path = write(tmp_path / "X.WAV", data)
    with pytest.raises(DatasetError, match=message) as err:
        read_audio(path)
    assert path in str(err.value) and "\n" not in str(err.value)


# ------------------------------------------------------------------------------------- phones, .PHN


def test_phone_sets_and_folding():
    assert len(PHONES_61) == 61 and PHONES_61[27] == "h#" and BLANK == 61 and len(PHONES_39) == 39
    assert fold_phones(["h#", "pcl", "p", "q", "ix", "ax-h", "hv", "zh", "en", "nx", "el", "pau", "h#"]) == [
        "sil", "sil", "p", "ih", "ah", "hh", "sh", "n", "n", "l", "sil", "sil"]  # q deleted, repeats kept
    ids = [PHONE_IDS[p] for p in ("dcl", "d", "q", "ao", "axr", "ux", "epi")]
    assert [PHONES_39[i] for i in fold_ids(ids)] == ["sil", "d", "aa", "er", "uw", "sil"]
    with pytest.raises(ValueError):
        fold_ids([BLANK])


def test_phn_parsing(tmp_path):
    path = write(tmp_path / "SI1.PHN", PHN)
    assert read_phn(path)[1] == (800, 1600, "bcl")
    assert read_labels(path).tolist() == PHN_IDS and read_labels(path).dtype == np.int32
    bad = write(tmp_path / "BAD.PHN", "0 800 h#\n800 1600 xx\n")
    with pytest.raises(DatasetError, match=r"BAD.PHN:2: unknown phone 'xx'"):
        read_phn(bad)
    with pytest.raises(DatasetError, match=r"BAD2.PHN:1: expected 'BEGIN END PHONE'"):
        read_phn(write(tmp_path / "BAD2.PHN", "0 h#\n"))


# ------------------------------------------------------------------------------------------ features


def test_features_are_the_official_mfcc_and_differences():
    signal = noise(4800, seed=1).astype(np.float32)
    features = compute_features(signal, 16000)
    cepstra = mfcc(signal, samplerate=16000, winlen=0.01, winstep=0.005, numcep=13, nfilt=26, lowfreq=0,
                   highfreq=6000, preemph=0.95, appendEnergy=False)
    delta = np.diff(cepstra, axis=0)
    expected = np.concatenate([cepstra[2:], delta[1:], np.diff(delta, axis=0)], axis=1).astype(np.float32)
    assert features.shape == (len(cepstra) - 2, 39) == (57, 39) and features.dtype == np.float32
    np.testing.assert_array_equal(features, expected)
    np.testing.assert_array_equal(features, compute_features(signal.copy(), 16000))


# -------------------------------------------------------------------------------------------- corpus

CORPUS = {  # (folder, dialect, speaker): utterances
    ("train", "dr1", "fcjf0"): ["sa1", "sa2", "si1027", "sx127"],
    ("train", "dr2", "marc0"): ["si1188"],
    ("test", "dr1", CORE_TEST_SPEAKERS[0]): ["sa1", "si1766", "sx46"],
    ("test", "dr1", DEV_SPEAKERS[0]): ["sa1", "si943"],
    ("test", "dr3", "mzzz0"): ["si1"],
}


def make_corpus(root: Path, upper: bool, audio=lambda key: sphere_bytes(noise(seed=key))) -> None:
    case = str.upper if upper else str.lower
    for key, ((folder, dialect, speaker), utterances) in enumerate(CORPUS.items()):
        for number, utt in enumerate(utterances):
            stem = root / case(folder) / case(dialect) / case(speaker) / case(utt)
            write(stem.with_suffix(case(".wav")), audio(10 * key + number))
            write(stem.with_suffix(case(".phn")), PHN)
            write(stem.with_suffix(case(".txt")), "0 4000 She had.\n")
            write(stem.parent / (stem.name + case(".wav") + ".wav"), riff_bytes(noise()))  # a converted copy


@pytest.mark.parametrize("level,upper", [("", False), ("TIMIT", True), ("data", False)])
def test_corpus_layouts_and_splits(tmp_path, level, upper):
    make_corpus(tmp_path / "corpus" / level, upper, audio=lambda key: b"")
    root = str(tmp_path / "corpus")

    def ids(split, **kw):
        return [u.id for u in select_split(root, split, **kw)]

    assert ids("train") == ["fcjf0_si1027", "fcjf0_sx127", "marc0_si1188"]
    assert ids("train", keep_sa=True) == ["fcjf0_sa1", "fcjf0_sa2", "fcjf0_si1027", "fcjf0_sx127", "marc0_si1188"]
    assert ids("test") == ["mdab0_si1766", "mdab0_sx46"]
    assert ids("test", test_set="complete") == ["faks0_si943", "mdab0_si1766", "mdab0_sx46", "mzzz0_si1"]
    assert ids("dev") == ["faks0_si943"] and ids("dev", keep_sa=True) == ["faks0_sa1", "faks0_si943"]
    utterance = select_split(root, "train")[0]
    assert utterance.wav.endswith("SI1027.WAV" if upper else "si1027.wav") and utterance.dialect == "dr1"


def test_speaker_lists():
    assert len(set(CORE_TEST_SPEAKERS)) == 24 and len(set(DEV_SPEAKERS)) == 50
    assert not set(CORE_TEST_SPEAKERS) & set(DEV_SPEAKERS)


def test_corpus_errors(tmp_path):
    with pytest.raises(DatasetError, match="no TIMIT TRAIN/ or TEST/ folder"):
        select_split(str(tmp_path), "train")
    write(tmp_path / "TRAIN" / "DR1" / "FCJF0" / "SI1.WAV", b"")
    with pytest.raises(DatasetError, match=r"SI1.WAV has no phone transcription SI1.PHN"):
        select_split(str(tmp_path), "train")


# ------------------------------------------------------------------------------- MindRecord, CLI


def test_official_mindrecord_files_are_trimmed(tmp_path):
    from mindspore.mindrecord import FileWriter

    writer = FileWriter(str(tmp_path / "test.mindrecord"), shard_num=4)
    writer.add_schema({"id": {"type": "int32"}, "feature": {"type": "float32", "shape": [-1, 39]},
                       "masks": {"type": "float32", "shape": [-1, 256]}, "label": {"type": "int32", "shape": [-1]},
                       "seq_len": {"type": "int32"}}, "nlp_schema")
    rows = []
    for i in range(3):
        feature = np.zeros((40, 39), np.float32)
        feature[:10 + i] = i + 1
        label = np.full(75, BLANK, np.int32)
        label[:5] = PHN_IDS
        rows.append({"id": i, "feature": feature, "masks": (feature[:, :1] != 0) * np.ones((1, 256), np.float32),
                     "label": label, "seq_len": 10 + i})
    writer.write_raw_data(rows)
    writer.commit()
    records = sorted(read_records(str(tmp_path / "test.mindrecord0")), key=lambda r: r.id)
    assert [r.id for r in records] == ["0", "1", "2"]
    assert [r.feature.shape for r in records] == [(10, 39), (11, 39), (12, 39)] and (records[2].feature == 3).all()
    assert all(r.label.tolist() == PHN_IDS for r in records)


def test_our_mindrecord_round_trip_and_errors(tmp_path):
    path = str(tmp_path / "dev.mindrecord")
    records = [Record(f"u{i}", np.full((5 + i, 39), i, np.float32), np.arange(i + 1, dtype=np.int32))
               for i in range(4)]
    assert write_records(path, iter(records)) == 4
    back = read_records(path)
    assert [r.id for r in back] == [r.id for r in records]
    for got, want in zip(back, records):
        np.testing.assert_array_equal(got.feature, want.feature)
        np.testing.assert_array_equal(got.label, want.label)
    with pytest.raises(DatasetError, match="does not exist"):
        read_records(str(tmp_path / "missing.mindrecord"))
    with pytest.raises(DatasetError, match="cannot open .* as MindRecord"):
        read_records(write(tmp_path / "junk.mindrecord", b"junk" * 100))


def test_preprocess_data_end_to_end(tmp_path):
    corpus = tmp_path / "timit"
    make_corpus(corpus / "TIMIT", upper=True)
    broken = corpus / "TIMIT" / "TRAIN" / "DR2" / "MARC0" / "SI1188.WAV"
    broken.write_bytes(broken.read_bytes()[:3000])  # truncated: skipped, never fatal
    short = corpus / "TIMIT" / "TEST" / "DR1" / "MDAB0" / "SX46.WAV"
    short.write_bytes(sphere_bytes(noise(3200)))  # its .PHN ends at sample 4000: skipped
    out = tmp_path / "out"
    proc = run_script("ctcmodel", "preprocess_data.py", "--dataset_dir", str(corpus), "--out_dir", str(out),
                      "--workers", "2")
    assert "train: skipped marc0_si1188:" in proc.stdout and "is truncated" in proc.stdout
    assert "train: 2 utterances, 94 frames, 0.00 h of audio, 1 skipped" in proc.stdout
    assert "train: 3/3 utterances" in proc.stderr and "utt/s, ETA" in proc.stderr
    assert "test: skipped mdab0_sx46:" in proc.stdout and "a phone ends at sample 4000, past the end of the audio " \
        "(3200)" in proc.stdout
    expected = {"train": ["fcjf0_si1027", "fcjf0_sx127"], "test": ["mdab0_si1766"], "dev": ["faks0_si943"]}
    for split, ids in expected.items():
        records = read_records(str(out / f"{split}.mindrecord"))
        assert [r.id for r in records] == ids
        for record, utterance in zip(records, select_split(str(corpus), split)):
            np.testing.assert_array_equal(record.feature, compute_features(*read_audio(utterance.wav)))
            assert record.label.tolist() == PHN_IDS

    only_test = tmp_path / "only_test"  # a corpus without TRAIN/: the splits that exist are preprocessed
    only_test.mkdir()
    (corpus / "TIMIT" / "TEST").rename(only_test / "TEST")
    proc = run_script("ctcmodel", "preprocess_data.py", "--dataset_dir", str(only_test), "--out_dir",
                      str(tmp_path / "out_test"))
    assert f"train: no TRAIN/ folder in {only_test}" in proc.stdout
    assert [r.id for r in read_records(str(tmp_path / "out_test" / "test.mindrecord"))] == expected["test"]
    assert not (tmp_path / "out_test" / "train.mindrecord").exists()

    proc = run_script("ctcmodel", "preprocess_data.py", "--dataset_dir", str(tmp_path / "none"), "--out_dir",
                      str(out), check=False)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        f"error: TIMIT folder {tmp_path / 'none'} does not exist"]
    proc = run_script("ctcmodel", "preprocess_data.py", "--dataset_dir", str(corpus), "--out_dir",
                      str(out / "train.mindrecord"), check=False)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        f"error: --out_dir {out / 'train.mindrecord'} is a file, not a folder"]
