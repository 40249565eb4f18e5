"""``hub_list`` as mindspore_hub has it, and ``hub_uids``, the uids of the cards.

mindspore_hub's ``hub_list(version=None, force_reload=False)`` lists the model names (a card's file name
without ``.md``) of one branch of its card repository: ``version`` is ``None`` or ``"master"`` (every
card) or a release branch such as ``"r1.8"``.  hub_conf keeps its cards in one directory, so a release
branch ``rX.Y`` lists the cards of MindSpore X.Y and earlier (the version part of the uid), as such a branch
holds no later card.  ``force_reload`` is checked and has nothing to reload: cards are read from the card
directory at every call.  A non-string ``version`` is a TypeError, one that names no branch a ValueError.
"""
from __future__ import annotations

import re
from typing import Optional

from .card import list_uids
from .errors import ArgumentError, ArgumentTypeError
from .loader import check_flags

BRANCH = re.compile(r"master|r(?P<version>\d+(?:\.\d+)+)")
VERSION = re.compile(r"\d+(?:\.\d+)+")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.split("."))


def _uid_version(uid: str) -> Optional[tuple[int, ...]]:
    """The MindSpore version a uid names (its first part after the publisher that reads as one), or None."""
    for part in uid.split("/")[1:-1]:
        if VERSION.fullmatch(part):
            return _version(part)
    return None


def hub_uids(mindspore_version: Optional[str] = None) -> list[str]:
    """Sorted uids of all cards; ``mindspore_version`` (e.g. ``"1.1"``) keeps those of that MindSpore version."""
    return list_uids(None if mindspore_version is None else str(mindspore_version))


def hub_list(version: Optional[str] = None, force_reload: bool = False) -> list[str]:
    """Sorted model names of the cards on asset branch ``version`` (``None``: ``"master"``, every card)."""
    if version is None:
        version = "master"
    if not isinstance(version, str):
        raise ArgumentTypeError(f"`version` must be a str or None, got {type(version).__name__}")
    check_flags(force_reload=force_reload)
    branch = BRANCH.fullmatch(version)
    if branch is None:
        raise ArgumentError(f"`version` must be 'master' or a release branch such as 'r1.8', got {version!r}")
    uids = list_uids()
    if branch["version"] is not None:
        newest = _version(branch["version"])
        uids = [u for u in uids if (v := _uid_version(u)) is not None and v <= newest]
    return sorted({uid.rsplit("/", 1)[-1] for uid in uids})
