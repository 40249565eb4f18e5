"""Settings: the cache directory, the card directory and the download locations, read from the environment.

Every value is read when it is needed, so changing an environment variable
takes effect on the next call.

``MSHUB_DIR``           cache directory (default ``~/.mscache``); ``set_hub_dir`` wins over it.
``MSHUB_CARD_DIR``      directory of model cards (default: ``cards/`` beside this file).
``MSHUB_GITEE_URL``,
``MSHUB_GITHUB_URL``    base URL of the remote source ``gitee`` / ``github``: model folders are
                        fetched as ``{base}/{folder}.tar.gz`` and repository-relative assets as
                        ``{base}/{path}``.
``MSHUB_BASE_URL``      base URL for both remote sources when the per-source variable is unset.
                        With no base URL, a remote source uses this checkout.
``MSHUB_ASSET_MIRROR``  replaces the scheme and host of ``http(s)`` asset links, e.g.
                        ``http://127.0.0.1:8000`` turns ``https://download.mindspore.cn/a/b.ckpt``
                        into ``http://127.0.0.1:8000/a/b.ckpt``.
"""
from __future__ import annotations

import os
from typing import Optional
from urllib.parse import urlsplit

from .errors import ArgumentError, HubError

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUNDLED_CARD_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cards")
DEFAULT_HUB_DIR = "~/.mscache"
SOURCES = ("gitee", "github", "local")

_hub_dir: Optional[str] = None


def set_hub_dir(path: Optional[str] = None) -> None:
    """Set the cache directory; ``None`` goes back to ``$MSHUB_DIR`` or ``~/.mscache``."""
    global _hub_dir  # pylint: disable=global-statement
    _hub_dir = None if path is None else os.fspath(path)


def get_hub_dir() -> str:
    """The absolute cache directory: ``set_hub_dir`` value, else ``$MSHUB_DIR``, else ``~/.mscache``."""
    path = _hub_dir or os.environ.get("MSHUB_DIR") or DEFAULT_HUB_DIR
    return os.path.abspath(os.path.expanduser(path))


def card_dir() -> str:
    """The directory holding the cards, ``<uid>.md`` below it; a ``$MSHUB_CARD_DIR`` that is not a folder is a
    ``HubError`` (never an empty list of cards)."""
    path = os.path.abspath(os.path.expanduser(os.environ.get("MSHUB_CARD_DIR") or BUNDLED_CARD_DIR))
    if not os.path.isdir(path):
        raise HubError(f"the card directory {path} ($MSHUB_CARD_DIR) is not a folder")
    return path


def check_source(source: str) -> str:
    """``source`` when it is one of SOURCES (mindspore_hub's ``local`` and ``gitee``, and ``github``)."""
    if source not in SOURCES:
        raise ArgumentError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    return source


def base_url(source: str) -> Optional[str]:
    """Base URL of a remote source, or ``None`` for ``local`` and for a remote source with no URL set."""
    if check_source(source) == "local":
        return None
    url = os.environ.get(f"MSHUB_{source.upper()}_URL") or os.environ.get("MSHUB_BASE_URL")
    return url.rstrip("/") if url else None


def mirrored(url: str) -> str:
    """``url`` with its scheme and host replaced by ``$MSHUB_ASSET_MIRROR`` when that is set."""
    mirror = os.environ.get("MSHUB_ASSET_MIRROR")
    if not mirror:
        return url
    parts = urlsplit(url)
    return mirror.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
