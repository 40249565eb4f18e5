"""The mindspore_hub API: ``load`` and ``load_weights``, and where a card's files come from.

The name given to ``load`` is a uid, a card URL or (``source="local"``) a card file: see hub_conf/names.py.
``create_network`` gets the card's ``model-name`` in lower case, as mindspore_hub passes it.

Model folder (the path after ``tree/<branch>/`` in the card's ``repo-link``):
``source="local"``, or a remote source with no base URL set, uses the folder of
this checkout; a remote source with a base URL downloads ``{base}/{name}.tar.gz``
into ``<hub dir>/<uid without its last part>/<name>``, only for a card with a
``model-sha256`` and only when the archive's digest equals it (the folder is
code that ``load`` runs).  The archive is extracted into a temporary folder in
the cache, checked, given a manifest and renamed into place; the cached folder
is used while its manifest matches the card (see hub_conf/cache.py).

Checkpoint (the card's ``ckpt`` asset): an ``http(s)`` link is downloaded
(through ``$MSHUB_ASSET_MIRROR`` when set) into the same cache directory; a
repository-relative link is the file of this checkout for local use and
``{base}/{link}`` downloaded into the cache for a remote source with a base
URL.  Either way its sha256 must equal the card's ``asset-sha256``.

Every check, download and install of a cache entry holds that entry's file
lock, so processes sharing a cache download each file once.
"""
from __future__ import annotations

import os
import sys
import tempfile
from typing import Optional

from mindspore import nn

from .cache import is_complete, locked, set_aside, sweep, write_manifest
from .card import Asset, Card
from .download import extract_tar, fetch, sha256_of
from .errors import ArgumentError, ArgumentTypeError, DownloadError, IntegrityError, ModelNotAvailableError
from .isolation import create_network
from .names import resolve_card
from .settings import REPO_ROOT, base_url, check_source, get_hub_dir, mirrored
from .weights import load_strict


def cache_dir(card: Card) -> str:
    """Where the card's downloads are cached: ``<hub dir>/<uid without its last part>``."""
    return os.path.join(get_hub_dir(), *card.uid.split("/")[:-1])


def _folder_in(root: str, card: Card, url: str) -> str:
    """The model folder inside an extracted archive: at its top, or inside its single top-level directory."""
    name = card.folder.rsplit("/", 1)[-1]
    entries = os.listdir(root)
    roots = [root] + ([os.path.join(root, entries[0])] if len(entries) == 1 else [])
    for base in roots:
        for rel in (card.folder, name):
            if os.path.isdir(os.path.join(base, rel)):
                return os.path.join(base, rel)
    raise DownloadError(f"archive {url} holds no folder {name}/ (card {card.uid})")


def model_location(card: Card, source: str = "local") -> tuple[Optional[str], str]:
    """(archive URL, or None for this checkout's folder; local folder) of the card's model."""
    if card.folder is None:
        raise ModelNotAvailableError(f"card {card.path} has an empty repo-link: it names no model folder to build")
    base = base_url(source)
    if base is None:
        return None, os.path.join(REPO_ROOT, *card.folder.split("/"))
    name = card.folder.rsplit("/", 1)[-1]
    return f"{base}/{name}.tar.gz", os.path.join(cache_dir(card), name)


def asset_location(card: Card, asset: Asset, source: str = "local") -> tuple[Optional[str], str]:
    """(download URL, or None for this checkout's file; local file) of one of the card's assets."""
    dest = os.path.join(cache_dir(card), asset.file_name)
    if asset.is_url:
        return mirrored(asset.link), dest
    base = base_url(source)
    if base is not None:
        return f"{base}/{asset.link}", dest
    return None, os.path.join(REPO_ROOT, *asset.link.split("/"))


def _model_sha256(card: Card, url: str) -> str:
    if card.model_sha256 is None:
        raise IntegrityError(f"card {card.path} has no model-sha256, so the model archive {url} is not "
                             "downloaded: it holds code that load runs and could not be checked; add the "
                             "archive's sha256 to the card as model-sha256, or use source=\"local\" (this "
                             "checkout's folder)")
    return card.model_sha256


def _install(card: Card, url: str, sha: str, target: str) -> None:
    """Download the archive, check it, extract the model folder with its manifest and rename it to ``target``."""
    cache, name = os.path.split(target)
    with tempfile.TemporaryDirectory(prefix=f".{name}.download-", dir=cache) as tmp:
        try:
            archive = fetch(url, os.path.join(tmp, os.path.basename(url)), sha)
        except IntegrityError as err:
            raise IntegrityError(f"{err} (field model-sha256 of card {card.path})") from err
        extract_tar(archive, os.path.join(tmp, "tree"), url)
        found = _folder_in(os.path.join(tmp, "tree"), card, url)
        write_manifest(found, sha)
        if os.path.lexists(target):
            set_aside(target)
        os.replace(found, target)


def model_dir(card: Card, source: str = "local", force_reload: bool = False) -> str:
    """The card's model folder for ``source``: this checkout's, or the archive's, checked and cached.

    Holds the entry's lock, so a process that waited for another one's download uses its copy.
    """
    url, target = model_location(card, source)
    if url is None:
        return target
    sha = _model_sha256(card, url)
    with locked(cache_dir(card), os.path.basename(target)):
        sweep(target)
        if not force_reload and is_complete(target, sha):
            return target
        if not force_reload and os.path.lexists(target):
            sys.stderr.write(f"{target} is incomplete or not from the card's archive; downloading it again\n")
        _install(card, url, sha, target)
    return target


def asset_file(card: Card, asset: Asset, source: str = "local", force_reload: bool = False) -> str:
    """A local file of ``asset`` whose sha256 matches the card, downloaded into the cache when remote."""
    url, path = asset_location(card, asset, source)
    if url is not None:
        with locked(cache_dir(card), asset.file_name):
            return fetch(url, path, asset.sha256, force_reload)
    if not os.path.isfile(path):
        raise ModelNotAvailableError(f"{asset.link} of card {card.uid} is not in this checkout yet ({path})")
    actual = sha256_of(path)
    if actual != asset.sha256:
        raise IntegrityError(f"INTEGRITY ERROR: {path} has sha256 {actual}, but card {card.path} expects "
                             f"{asset.sha256} (field asset-sha256)")
    return path


def weights_hint(card: Card) -> str:
    """How to get weights for a card without a checkpoint: the model folder's converters, or training."""
    if card.folder is None:
        return "its card names no model folder"
    folder = card.folder.rsplit("/", 1)[-1]
    local = os.path.join(REPO_ROOT, *card.folder.split("/"))
    converters = sorted(n for n in os.listdir(local) if n.startswith("convert_") and n.endswith(".py")) \
        if os.path.isdir(local) else []
    how = (f"convert published weights with {' or '.join(f'{folder}/{n}' for n in converters)}" if converters
           else f"train them with {folder}/train.py")
    return (f"to get weights, {how} (see {folder}/README.md), then build the network with pretrained=False and "
            f"load the file with mindspore.load_checkpoint, or recognise with {folder}/infer.py --checkpoint_path")


def checkpoint_asset(card: Card) -> Asset:
    """The card's ckpt asset; ArgumentError (a ValueError, as in mindspore_hub) when it has none, saying how to
    get weights."""
    if card.checkpoint is None:
        raise ArgumentError(f"`pretrained` must be False: card {card.uid} has no ckpt asset; {weights_hint(card)}")
    return card.checkpoint


def check_flags(**flags: object) -> None:
    """ArgumentTypeError (a TypeError, as in mindspore_hub) unless every flag is a bool."""
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise ArgumentTypeError(f"`{key}` must be a bool, got {value!r}")


def load(name: str, *args, source: str = "gitee", pretrained: bool = True, force_reload: bool = False,
         **kwargs) -> nn.Cell:
    """Build the network of card ``name`` with ``create_network(model-name in lower case, *args, **kwargs)``.

    ``name``: a uid, a card URL or, with ``source="local"``, a card file (see hub_conf/names.py).

    ``source``: ``"gitee"`` / ``"github"`` fetch the model folder and repository-relative
    assets from that source's base URL (this checkout when none is set), ``"local"`` uses
    this checkout.  ``pretrained`` loads the card's checkpoint strictly after checking its
    sha256; ``force_reload`` downloads the model folder and the checkpoint again.
    """
    check_flags(pretrained=pretrained, force_reload=force_reload)
    check_source(source)
    card = resolve_card(name, source)
    folder = model_dir(card, source, force_reload)
    try:
        net, convert = create_network(folder, card.model_name.lower(), *args, **kwargs)
    except ModelNotAvailableError as err:
        url, _ = model_location(card, source)
        where = "this checkout" if url is None else f"the archive {url}"
        raise ModelNotAvailableError(f"model {card.model_name!r} of card {card.uid} is not available in {where} "
                                     f"yet: {err}") from err
    if pretrained:
        load_strict(net, asset_file(card, checkpoint_asset(card), source, force_reload), folder, convert)
    return net


def load_weights(network: nn.Cell, name: str, force_reload: bool = False, source: str = "gitee") -> None:
    """Load the checkpoint of card ``name`` into ``network`` strictly, after checking its sha256.

    mindspore_hub's own form, ``load_weights(name, source, force_reload) -> dict``, is ``hub_conf.load.load_weights``.
    """
    if not isinstance(network, nn.Cell):
        raise ArgumentTypeError(f"network must be a mindspore.nn.Cell, got {type(network).__name__}")
    check_flags(force_reload=force_reload)
    check_source(source)
    card = resolve_card(name, source)
    load_strict(network, asset_file(card, checkpoint_asset(card), source, force_reload),
                model_dir(card, source, force_reload))
