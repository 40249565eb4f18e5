"""The download cache: one file lock per entry, manifests of model folders, folders set aside.

Several processes may share a cache.  Each entry (a model folder or an asset
file of one cache directory) has a lock file ``.<entry>.lock`` beside it; the
loader holds it (``fcntl.flock``) while it checks, downloads and installs that
entry, so a process that waited finds the copy the other one installed.  Lock
files stay: deleting one would let two processes lock different files.

A model folder is installed with a manifest, ``.hub_manifest.json``: the
sha256 of the archive it came from and the size and sha256 of every file.  A
folder is used only while its manifest matches the card's ``model-sha256`` and
every listed file has its size and sha256.  A folder that is replaced is never deleted at once,
since another process may still import from it: it is renamed to
``.<name>.stale-<id>`` and deleted by a load more than a day later.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

from .errors import DownloadError

MANIFEST = ".hub_manifest.json"
STALE_AFTER_S = 24 * 3600


@contextmanager
def locked(directory: str, entry: str) -> Iterator[None]:
    """Hold the exclusive lock of cache entry ``entry`` in ``directory`` (created when missing)."""
    path = os.path.join(directory, f".{entry}.lock")
    try:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise DownloadError(f"cannot write the cache directory {directory}: {err} (point $MSHUB_DIR or "
                            "set_hub_dir at a writable directory)") from err
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.stderr.write(f"waiting for another process that holds {path}\n")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _file_sha256(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def write_manifest(folder: str, sha256: str) -> None:
    """Record ``sha256`` (the archive's) and the size and sha256 of every file below ``folder`` in its manifest."""
    files = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            files[os.path.relpath(path, folder).replace(os.sep, "/")] = [os.path.getsize(path), _file_sha256(path)]
    with open(os.path.join(folder, MANIFEST), "w", encoding="utf-8") as f:
        json.dump({"archive-sha256": sha256, "files": files}, f, indent=1, sort_keys=True)


def is_complete(folder: str, sha256: str) -> bool:
    """Whether ``folder``'s manifest names the archive ``sha256`` and every file it lists has its size and
    sha256 (a file changed in the cache, even to the same size, makes the folder incomplete)."""
    try:
        with open(os.path.join(folder, MANIFEST), encoding="utf-8") as f:
            manifest = json.load(f)
        if manifest["archive-sha256"] != sha256:
            return False
        for rel, (size, file_sha) in manifest["files"].items():
            path = os.path.join(folder, *rel.split("/"))
            if os.path.getsize(path) != size or _file_sha256(path) != file_sha:
                return False
        return True
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def set_aside(folder: str) -> None:
    """Rename ``folder`` to a hidden stale name beside it; ``sweep`` deletes it a day later."""
    parent, name = os.path.split(folder)
    stale = os.path.join(parent, f".{name}.stale-{uuid.uuid4().hex[:12]}")
    os.replace(folder, stale)
    os.utime(stale)


def sweep(folder: str) -> None:
    """Delete what earlier loads left beside ``folder``: interrupted downloads and day-old stale copies.

    Call it while holding the entry's lock: then no download of the entry is running.
    """
    parent, name = os.path.split(folder)
    now = time.time()
    for entry in os.listdir(parent):
        path = os.path.join(parent, entry)
        if entry.startswith(f".{name}.download-") or (
                entry.startswith(f".{name}.stale-") and now - os.path.getmtime(path) > STALE_AFTER_S):
            shutil.rmtree(path, ignore_errors=True)
