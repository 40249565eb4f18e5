"""Downloads over HTTP(S) with urllib, and safe extraction of tar archives.

``fetch`` streams a URL to a temporary file beside the destination, showing a
progress bar on stderr, checks the length against Content-Length and the
sha256 against the expected digest, and only then renames the file into place,
so the cache never holds a partial or corrupt file.  ``extract_tar`` refuses
archives whose member names are absolute or contain ``..`` and any member that
is not a regular file or a directory, and checks that every regular file
arrived with its size.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import tarfile
import tempfile
import time
import zlib
from typing import Optional
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from .errors import DownloadError, IntegrityError

CHUNK = 1 << 20
TIMEOUT_S = 60


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _size(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


class _Progress:
    """A one-line progress bar on stderr, redrawn at most five times a second."""

    def __init__(self, label: str, total: Optional[int]):
        self.label, self.total = label, total
        self.start = self.last = time.monotonic()

    def update(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-6)
        size = f"{_size(done)} of {_size(self.total)}" if self.total else _size(done)
        percent = f"{100 * done / self.total:5.1f}% " if self.total else ""
        sys.stderr.write(f"\rDownloading {self.label}: {percent}{size}, {_size(rate)}/s ")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _stream(url: str, out) -> str:
    """Write the body of ``url`` to the open file ``out``; return its sha256."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise DownloadError(f"cannot download {url}: only http and https URLs are supported")
    digest, done, total, bar = hashlib.sha256(), 0, None, None
    try:
        with urlopen(Request(url, headers={"User-Agent": "hub_conf"}), timeout=TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            bar = _Progress(url.rsplit("/", 1)[-1], total)
            for block in iter(lambda: response.read(CHUNK), b""):
                out.write(block)
                digest.update(block)
                done += len(block)
                bar.update(done)
    except HTTPError as err:
        raise DownloadError(f"HTTP error {err.code} ({err.reason}) for {url}") from err
    except URLError as err:
        raise DownloadError(f"cannot reach {urlsplit(url).netloc} for {url}: {err.reason}") from err
    except (OSError, http.client.HTTPException) as err:
        raise DownloadError(f"download of {url} failed after {done} bytes: {err!r}") from err
    finally:
        if bar is not None:
            bar.update(done, final=True)
    if total is not None and done != total:
        raise DownloadError(f"truncated download of {url}: got {done} of {total} bytes")
    return digest.hexdigest()


def fetch(url: str, dest: str, sha256: Optional[str] = None, force: bool = False) -> str:
    """Download ``url`` to ``dest`` unless ``dest`` already holds a file with the expected sha256.

    Without ``sha256`` an existing ``dest`` is reused as it is.  ``force``
    downloads again in any case.  Raises DownloadError or IntegrityError and
    then leaves neither a temporary file nor ``dest`` behind.
    """
    if os.path.isfile(dest) and not force:
        if sha256 is None or sha256_of(dest) == sha256:
            return dest
        sys.stderr.write(f"{dest} does not match its sha256; downloading it again\n")
        os.remove(dest)
    directory = os.path.dirname(os.path.abspath(dest))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(dest)}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            actual = _stream(url, out)
        if sha256 is not None and actual != sha256:
            if os.path.exists(dest):
                os.remove(dest)
            raise IntegrityError(f"INTEGRITY ERROR: {url} has sha256 {actual}, but the card expects {sha256}; "
                                 "the download was deleted")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return dest


def _check_members(members: list, label: str) -> None:
    for member in members:
        parts = member.name.replace("\\", "/").split("/")
        if member.name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
            raise DownloadError(f"refused archive {label}: member {member.name!r} has an absolute path or '..'")
        if not (member.isfile() or member.isdir()):
            raise DownloadError(f"refused archive {label}: member {member.name!r} is not a regular file "
                                "or directory")


# tarfile's "data" filter (Python >= 3.11.4; Debian 12 has 3.11.2) on top of _check_members' own refusals
_DATA_FILTER = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
_BROKEN = (tarfile.TarError, gzip.BadGzipFile, zlib.error, EOFError)


def _check_sizes(members: list, dest: str, label: str) -> None:
    """Every regular-file member (the last of a name wins, as in extraction) is in ``dest`` with its size."""
    sizes = {member.name: member.size for member in members if member.isfile()}
    for name, size in sizes.items():
        path = os.path.join(dest, name)
        if not os.path.isfile(path) or os.path.getsize(path) != size:
            raise DownloadError(f"archive {label}: member {name!r} did not arrive with its {size} bytes")


def extract_tar(archive: str, dest: str, label: str) -> None:
    """Extract ``archive`` into ``dest`` after checking every member; ``label`` (its URL) names it in errors."""
    try:
        tar = tarfile.open(archive, "r:*")
    except tarfile.TarError as err:
        raise DownloadError(f"{label} is not a tar archive (plain, gz, bz2 or xz)") from err
    with tar:
        try:
            members = tar.getmembers()
        except _BROKEN as err:
            raise DownloadError(f"cannot extract archive {label}: {str(err).splitlines()[0]}") from err
        _check_members(members, label)
        try:
            tar.extractall(dest, members=members, **_DATA_FILTER)
        except (*_BROKEN, OSError) as err:
            raise DownloadError(f"cannot extract archive {label} into {dest}: {str(err).splitlines()[0]}") from err
    _check_sizes(members, dest, label)
