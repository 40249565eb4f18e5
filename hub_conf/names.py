"""What a model name given to ``load`` may be, as in mindspore_hub: a uid, a card URL, or a card file.

- a uid, ``publisher/backend/version/name`` (the card ``<uid>.md`` of the card directory);
- an ``http(s)`` URL of a card's ``.md`` file, e.g. a ``blob`` or ``raw`` link to ``hub_conf/cards/<uid>.md``
  or to a real MindSpore Hub card (``.../mshub_res/assets/mindspore/1.6/lenet_mnist.md``): it names the card
  of the card directory whose uid is the longest end of the URL's path, the card is not downloaded; a URL
  that names no card is a ValueError (``ArgumentError``), as mindspore_hub refuses it;
- with ``source="local"``, the path of a card file (``*.md``), as mindspore_hub reads a local card.  Its uid
  is its path below the card directory, or ``local/<file name>`` for a card elsewhere (downloads of its
  ``http(s)`` assets are cached under ``<hub dir>/local/``).
"""
from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit

from .card import Card, card_file, find_card, read_card, unknown_uid_hint
from .errors import ArgumentError, ArgumentTypeError
from .settings import card_dir

URL = re.compile(r"https?://\w")
CARD_SUFFIX = ".md"


def card_of_file(path: str) -> Card:
    """The card in file ``path`` (``~`` expanded), with its uid below the card directory or ``local/<name>``."""
    path = os.path.realpath(os.path.expanduser(path))
    if not os.path.isfile(path):
        raise ArgumentError(f"card file {path} does not exist")
    rel = os.path.relpath(path, os.path.realpath(card_dir()))
    inside = not rel.startswith(os.pardir + os.sep) and rel != os.pardir
    uid = rel.replace(os.sep, "/")[:-len(CARD_SUFFIX)] if inside else f"local/{os.path.basename(path)[:-3]}"
    return read_card(path, uid)


def card_of_url(url: str) -> Card:
    """The card of the card directory that a card URL names (the longest end of its path that is a uid)."""
    parts = [unquote(p) for p in urlsplit(url).path.split("/") if p]
    if not parts or not parts[-1].endswith(CARD_SUFFIX):
        raise ArgumentError(f"{url} is not the URL of a card (a .md file), e.g. "
                            "https://gitee.com/OWNER/REPO/blob/BRANCH/hub_conf/cards/mindspore/cpu/2.10/NAME.md")
    parts[-1] = parts[-1][:-len(CARD_SUFFIX)]
    for start in range(len(parts)):
        path = card_file("/".join(parts[start:]))
        if path is not None:
            return read_card(path, "/".join(parts[start:]))
    raise ArgumentError(f"the URL {url} names no card of {card_dir()}; {unknown_uid_hint('/'.join(parts[-4:]))}")


def resolve_card(name: object, source: str) -> Card:
    """The validated card that ``name`` names for ``source`` (see the module docstring)."""
    if not isinstance(name, str):
        raise ArgumentTypeError(f"a model name must be a string (a uid, a card URL or, with source='local', a card "
                                f"file), got {type(name).__name__}")
    if URL.match(name):
        return card_of_url(name)
    if source == "local" and name.endswith(CARD_SUFFIX):
        return card_of_file(name)
    return find_card(name)
