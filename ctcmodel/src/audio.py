"""Read TIMIT audio: NIST SPHERE (the corpus as distributed by the LDC) or RIFF WAV (converted copies).

Samples come back as float32 mono on the 16-bit integer scale (-32768..32767, not divided by 32768): the
official ctcmodel computes its MFCCs on ``scipy.io.wavfile.read(...)[1].astype('float32')``, and the
cepstra depend on the scale.  Only uncompressed 16-bit PCM mono is read; anything else, a truncated file
or a sample rate other than the expected one raises ``DatasetError`` naming the file and the problem.

SPHERE: the text header starts with ``NIST_1A``, then the header size in bytes (1024 or more), then
``name -type value`` lines (``-i`` integer, ``-r`` real, ``-sN`` string of N characters) up to
``end_head``; the samples follow the header.  Fields used: ``sample_rate``, ``sample_count`` (per
channel), ``channel_count``, ``sample_n_bytes``, ``sample_byte_format`` (``01`` little endian, ``10`` big
endian) and ``sample_coding`` (``pcm`` when absent).  Shorten- or wavpack-compressed files (``sample_coding
pcm,embedded-shorten-v2.00``...) must first be converted: ``sph2pipe -f wav IN OUT``.
"""
from __future__ import annotations

import io
import re
import wave

import numpy as np

from .model_utils.errors import DatasetError

SPHERE_MAGIC = b"NIST_1A"
RIFF_MAGIC = b"RIFF"
EXPECTED_RATE = 16000
SAMPLE_BYTES = 2
_FIELD = re.compile(r"^(\S+)\s+-(i|r|s(\d+)) (.*)$")
_BYTE_ORDERS = {"01": "<i2", "10": ">i2"}
_COMPRESSIONS = ("shorten", "wavpack", "shortpack")


def read_audio(path: str, expected_rate: int = EXPECTED_RATE) -> tuple[np.ndarray, int]:
    """The samples (float32 [n], 16-bit scale) and sample rate of a SPHERE or RIFF WAV file."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as err:
        raise DatasetError(f"cannot read {path}: {err.strerror or err}") from err
    if data.startswith(SPHERE_MAGIC):
        samples, rate = _decode_sphere(data, path)
    elif data.startswith(RIFF_MAGIC) and data[8:12] == b"WAVE":
        samples, rate = _decode_riff(data, path)
    else:
        raise DatasetError(f"{path} is neither NIST SPHERE (NIST_1A) nor RIFF WAV audio")
    if not samples.size:
        raise DatasetError(f"{path} holds no samples")
    if rate != expected_rate:
        raise DatasetError(f"{path}: sample rate {rate} Hz, expected {expected_rate} Hz")
    return samples, rate


def read_sphere_header(data: bytes, path: str) -> tuple[dict[str, object], int]:
    """The fields of a SPHERE header (int, float or str values) and the header size in bytes."""
    lines = data[:64].split(b"\n", 2)
    try:
        size = int(lines[1])
    except (IndexError, ValueError) as err:
        raise DatasetError(f"{path}: SPHERE header without a valid size on its second line") from err
    if size < 16 or len(data) < size:
        raise DatasetError(f"{path} is truncated: its SPHERE header announces {size} bytes, the file holds "
                           f"{len(data)}")
    fields: dict[str, object] = {}
    for line in data[:size].decode("latin-1").split("\n")[2:]:
        if line.strip() == "end_head":
            break
        match = _FIELD.match(line.rstrip("\r"))
        if not match:
            continue
        name, kind, length, value = match.groups()
        try:
            fields[name] = int(value) if kind == "i" else float(value) if kind == "r" else value[:int(length)]
        except ValueError as err:
            raise DatasetError(f"{path}: SPHERE header field {name} has a bad value {value!r}") from err
    return fields, size


def _decode_sphere(data: bytes, path: str) -> tuple[np.ndarray, int]:
    fields, size = read_sphere_header(data, path)
    coding = str(fields.get("sample_coding", "pcm")).strip()
    byte_format = str(fields.get("sample_byte_format", "")).strip()
    if any(name in f"{coding} {byte_format}".lower() for name in _COMPRESSIONS):
        raise DatasetError(f"{path} is compressed SPHERE ({coding}, {byte_format}): convert it to WAV with "
                           f"'sph2pipe -f wav {path} OUT.WAV' first")
    if coding.lower() != "pcm":
        raise DatasetError(f"{path}: sample_coding {coding!r} is not supported (only 16-bit pcm)")
    if "sample_rate" not in fields:
        raise DatasetError(f"{path}: SPHERE header has no sample_rate")
    channels, width = fields.get("channel_count", 1), fields.get("sample_n_bytes", SAMPLE_BYTES)
    if channels != 1:
        raise DatasetError(f"{path} has {channels} channels: only mono audio is supported")
    if width != SAMPLE_BYTES:
        raise DatasetError(f"{path} has {width}-byte samples: only 16-bit pcm is supported")
    if byte_format not in _BYTE_ORDERS:
        raise DatasetError(f"{path}: sample_byte_format {byte_format!r} is neither 01 (little) nor 10 (big endian)")
    available = (len(data) - size) // SAMPLE_BYTES
    count = int(fields.get("sample_count", available))
    if count > available:
        raise DatasetError(f"{path} is truncated: the header announces {count} samples, the file holds {available}")
    samples = np.frombuffer(data, _BYTE_ORDERS[byte_format], count, offset=size)
    return samples.astype(np.float32), int(fields["sample_rate"])


def _decode_riff(data: bytes, path: str) -> tuple[np.ndarray, int]:
    try:
        with wave.open(io.BytesIO(data)) as w:
            channels, width, rate, count = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            frames = w.readframes(count)
    except (wave.Error, EOFError) as err:
        raise DatasetError(f"{path} is not a readable PCM WAV file ({err or 'truncated header'})") from err
    if channels != 1:
        raise DatasetError(f"{path} has {channels} channels: only mono audio is supported")
    if width != SAMPLE_BYTES:
        raise DatasetError(f"{path} has {width}-byte samples: only 16-bit pcm is supported")
    if len(frames) < count * SAMPLE_BYTES:
        raise DatasetError(f"{path} is truncated: the header announces {count} samples, the file holds "
                           f"{len(frames) // SAMPLE_BYTES}")
    return np.frombuffer(frames, "<i2").astype(np.float32), rate
