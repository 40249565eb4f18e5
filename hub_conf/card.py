"""Model cards: markdown files with a YAML header between two ``---`` lines, as on MindSpore Hub.

A card's uid is its path below the card directory without ``.md``, e.g.
``mindspore/ascend/1.1/cnnctc_v1.1`` (publisher / backend / MindSpore version /
name).  ``read_card`` validates the header the way mindspore_hub does and
raises CardError naming the card file and the field.

Besides mindspore_hub's fields, a card may hold ``model-sha256``, checked like
``asset-sha256`` (a string of 64 hex digits, read in lower case): the sha256 of
the model folder's archive ``{base}/{name}.tar.gz``.  That archive holds code
that ``load`` runs, so a remote source downloads it only for a card with this
field and installs it only when the digest matches (see hub_conf/loader.py).

Read as the real checker reads it: ``evaluation: -`` is ``evaluation: no``
(False), ``module-type`` is split at its first ``-`` (``cv-super-resolution``:
type ``cv``), and an empty ``repo-link`` is allowed (the card then names no model
folder, and ``load`` says so).  Stricter than it on purpose: ``asset-sha256``
must be 64 hex digits, since every download is checked against it.
"""
from __future__ import annotations

import datetime
import difflib
import os
import re
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

import yaml

from .errors import CardError, UnknownModelError
from .settings import card_dir

REQUIRED_FIELDS = ("model-name", "backbone-name", "module-type", "fine-tunable", "model-version", "author",
                   "update-time", "repo-link", "user-id", "used-for", "mindspore-version", "license", "summary")
MODULE_TYPES = ("gnn", "rl", "audio", "cv", "cvtmodel", "nlp", "recommend", "cross", "hpc", "mm", "other")
USED_FOR = ("inference", "extract-feature", "transfer-learning")
BACKENDS = ("cpu", "gpu", "ascend")
FILE_FORMATS = ("air", "ckpt", "mindir", "onnx", "mslite")
ASSET_FIELDS = ("asset-link", "asset-sha256", "file-format")
REPO_LINK = re.compile(r"https?://[^/\s]+/[^/\s]+/[^/\s]+/(?:tree|blob)/[^/\s]+/(?P<folder>[^\s]+?)/?")
SHA256 = re.compile(r"[0-9a-f]{64}")
UID = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
NO_EVALUATION = re.compile(r"^(\s*evaluation:\s*)-\s*$", re.MULTILINE)  # read as "no", as the real checker does


@dataclass(frozen=True)
class Asset:
    """One ``asset`` entry: an ``http(s)`` URL or a path relative to the repository root."""
    link: str
    sha256: str
    file_format: str

    @property
    def is_url(self) -> bool:
        return re.match(r"https?://", self.link) is not None

    @property
    def file_name(self) -> str:
        return _file_name(self.link)


@dataclass(frozen=True)
class Card:
    """A validated card."""
    uid: str
    path: str
    header: dict
    folder: Optional[str]       # model folder inside the repository, from ``repo-link`` (None: empty link)
    assets: tuple[Asset, ...]

    @property
    def model_name(self) -> str:
        return self.header["model-name"]

    @property
    def model_sha256(self) -> Optional[str]:
        """The ``model-sha256`` of the model folder's archive, or None when the card has none."""
        sha = self.header.get("model-sha256")
        return None if sha is None else sha.lower()

    @property
    def checkpoint(self) -> Optional[Asset]:
        """The card's ``ckpt`` asset (the last one, as mindspore_hub picks it), or None."""
        ckpts = [a for a in self.assets if a.file_format == "ckpt"]
        return ckpts[-1] if ckpts else None


def _file_name(link: str) -> str:
    """The last part of a link's path (without a URL's query): the asset's file name in the cache."""
    return (urlsplit(link).path if re.match(r"https?://", link) else link).rsplit("/", 1)[-1]


def _bare(value: Any) -> str:
    """A link as written on MindSpore Hub, ``<https://...>``, without the angle brackets."""
    return str(value).strip().strip("<>").strip()


def _relative_path(text: str) -> bool:
    parts = text.split("/")
    return not text.startswith("/") and not {"", ".", ".."} & set(parts) and ":" not in parts[0]


def _header_text(path: str, text: str) -> str:
    """The YAML header of a card's text."""
    lines = text.splitlines()
    fences = [i for i, line in enumerate(lines) if line.strip() == "---"]
    if len(fences) < 2:
        raise CardError(f"card {path}: no header between two '---' lines")
    return NO_EVALUATION.sub(r"\1no", "\n".join(lines[fences[0] + 1:fences[1]]))


def _check_choice(path: str, field: str, value: Any, choices: tuple[str, ...], sep: Optional[str] = None) -> None:
    """Each ``sep``-separated item of ``value`` (the whole value without ``sep``) must be one of ``choices``."""
    for item in str(value).lower().split(sep) if sep else [str(value).lower()]:
        if item not in choices:
            raise CardError(f"card {path}: field '{field}': {item!r} is not one of {', '.join(choices)}")


def _check_sha256(path: str, field: str, value: Any, where: str = "") -> str:
    """``value`` as 64 lower-case hex digits; CardError unless it is a string of 64 hex digits."""
    if not isinstance(value, str) or not SHA256.fullmatch(value.lower()):
        raise CardError(f"card {path}: field '{field}'{where} must be a string of 64 hex digits, got {value!r}")
    return value.lower()


def _check_asset_link(path: str, i: int, link: str) -> None:
    if not re.match(r"https?://", link) and not _relative_path(link):
        raise CardError(f"card {path}: field 'asset-link' of asset entry {i} must be an http(s) URL or "
                        f"a path relative to the repository root without '.' or '..', got {link!r}")
    if _file_name(link) in ("", ".", ".."):
        raise CardError(f"card {path}: field 'asset-link' of asset entry {i} must end in a file name "
                        f"(not empty, '.' or '..'), got {link!r}")


def _check_assets(path: str, assets: Any) -> tuple[Asset, ...]:
    if not isinstance(assets, list):
        raise CardError(f"card {path}: field 'asset' must be a list of entries with {', '.join(ASSET_FIELDS)}")
    result = []
    for i, entry in enumerate(assets):
        if not isinstance(entry, dict):
            raise CardError(f"card {path}: field 'asset' entry {i} is not a mapping")
        for key in ASSET_FIELDS:
            if entry.get(key) in (None, ""):
                raise CardError(f"card {path}: field '{key}' is required in asset entry {i}, but not found")
        link, fmt = _bare(entry["asset-link"]), str(entry["file-format"]).lower()
        sha = _check_sha256(path, "asset-sha256", entry["asset-sha256"], f" of asset entry {i}")
        _check_choice(path, "file-format", fmt, FILE_FORMATS)
        _check_asset_link(path, i, link)
        result.append(Asset(link, sha, fmt))
    return tuple(result)


def _check_required(path: str, header: dict) -> None:
    for field in REQUIRED_FIELDS:
        if field not in header:
            raise CardError(f"card {path}: field '{field}' is required, but not found")
        if header[field] in (None, "") and field != "repo-link":
            raise CardError(f"card {path}: field '{field}' is empty")
    if not isinstance(header["model-name"], str) or not header["model-name"].strip():
        raise CardError(f"card {path}: field 'model-name' must be a non-empty string, got {header['model-name']!r}")


def _check_repo_link(path: str, value: Any) -> Optional[str]:
    """The model folder named by ``repo-link``; None for an empty link."""
    if value in (None, ""):
        return None
    link = _bare(value)
    match = REPO_LINK.fullmatch(link)
    if not match or not _relative_path(match["folder"]):
        raise CardError(f"card {path}: field 'repo-link' must look like "
                        f"https://HOST/OWNER/REPO/tree/BRANCH/FOLDER, got {link!r}")
    return match["folder"]


def _check_header(path: str, header: dict) -> tuple[Optional[str], tuple[Asset, ...]]:
    """Validate the header; return (model folder or None, assets)."""
    _check_required(path, header)
    if "model-sha256" in header:
        _check_sha256(path, "model-sha256", header["model-sha256"])
    if not isinstance(header["fine-tunable"], bool):
        raise CardError(f"card {path}: field 'fine-tunable' must be True or False, got {header['fine-tunable']!r}")
    _check_choice(path, "module-type", str(header["module-type"]).lower().split("-", 1)[0], MODULE_TYPES)
    _check_choice(path, "used-for", header["used-for"], USED_FOR, "/")
    for field in ("train-backend", "infer-backend"):
        if field in header:
            _check_choice(path, field, header[field], BACKENDS, "/")
    if "accuracy" in header and (isinstance(header["accuracy"], bool)
                                 or not isinstance(header["accuracy"], (int, float))):
        raise CardError(f"card {path}: field 'accuracy' must be a number, got {header['accuracy']!r}")
    if "input-shape" in header and not isinstance(header["input-shape"], list):
        raise CardError(f"card {path}: field 'input-shape' must be a list, got {header['input-shape']!r}")
    assets = _check_assets(path, header["asset"]) if "asset" in header else ()
    return _check_repo_link(path, header["repo-link"]), assets


def read_card(path: str, uid: str) -> Card:
    """Parse and validate the card file ``path``."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as err:
        raise CardError(f"card {path}: cannot read it: {err}") from err
    try:
        header = yaml.safe_load(_header_text(path, text))
    except yaml.YAMLError as err:
        raise CardError(f"card {path}: the header is not valid YAML: {err}") from err
    if not isinstance(header, dict):
        raise CardError(f"card {path}: the header holds no 'field: value' lines")
    header = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in header.items()}
    folder, assets = _check_header(path, header)
    return Card(uid, path, header, folder, assets)


def list_uids(version: Optional[str] = None) -> list[str]:
    """Sorted uids of all cards; with ``version``, only those whose MindSpore-version part equals it."""
    root = card_dir()
    uids = []
    for directory, _, files in os.walk(root):
        for name in files:
            if name.endswith(".md") and not name.startswith("README"):
                rel = os.path.relpath(os.path.join(directory, name[:-3]), root)
                uids.append(rel.replace(os.sep, "/"))
    if version is not None:
        uids = [u for u in uids if u.split("/")[2:3] == [str(version)]]
    return sorted(uids)


def _close_matches(uid: str, uids: list[str]) -> list[str]:
    """Uids like ``uid``: the name part contains the asked name, or is similar to it, or the whole uid is."""
    name = uid.rsplit("/", 1)[-1].lower()

    def score(other: str) -> float:
        other_name = other.rsplit("/", 1)[-1].lower()
        if name and name in other_name:
            return 1.0
        return max(difflib.SequenceMatcher(None, uid, other).ratio() - 0.2,
                   difflib.SequenceMatcher(None, name, other_name).ratio())

    ranked = sorted(((score(u), u) for u in uids), key=lambda pair: -pair[0])
    return [u for s, u in ranked if s >= 0.65][:5]


def card_file(uid: str) -> Optional[str]:
    """The card file of ``uid`` in the card directory, or None when there is none."""
    path = os.path.join(card_dir(), *uid.split("/")) + ".md"
    return path if UID.fullmatch(uid) and ".." not in uid.split("/") and os.path.isfile(path) else None


def unknown_uid_hint(uid: str) -> str:
    """Close matches of ``uid`` among the cards, for an error message."""
    uids = list_uids()
    close = _close_matches(uid, uids)
    hint = f"did you mean: {', '.join(close)}?" if close else "no close match"
    return f"{hint} (`python -m hub_conf list` shows all {len(uids)} in {card_dir()})"


def find_card(uid: str) -> Card:
    """The validated card of ``uid``; UnknownModelError listing close matches when there is none."""
    path = card_file(uid)
    if path is not None:
        return read_card(path, uid)
    raise UnknownModelError(f"unknown model uid {uid!r}; {unknown_uid_hint(uid)}")
