"""The mindspore_hub API: ``load``, ``load_weights`` and ``hub_list``, and where a card's files come from.

Model folder (the path after ``tree/<branch>/`` in the card's ``repo-link``):
``source="local"``, or a remote source with no base URL set, uses the folder of
this checkout; a remote source with a base URL downloads ``{base}/{name}.tar.gz``
once into ``<hub dir>/<uid without its last part>/<name>``.

Checkpoint (the card's ``ckpt`` asset): an ``http(s)`` link is downloaded
(through ``$MSHUB_ASSET_MIRROR`` when set) into the same cache directory; a
repository-relative link is the file of this checkout for local use and
``{base}/{link}`` downloaded into the cache for a remote source with a base
URL.  Either way its sha256 must equal the card's ``asset-sha256``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Optional

from mindspore import nn

from .card import Asset, Card, find_card, list_uids
from .download import extract_tar, fetch, sha256_of
from .errors import DownloadError, HubError, IntegrityError, ModelNotAvailableError
from .isolation import create_network
from .settings import REPO_ROOT, base_url, check_source, get_hub_dir, mirrored
from .weights import load_strict


def hub_list(version: Optional[str] = None) -> list[str]:
    """Uids of all cards, sorted; ``version`` keeps those of one MindSpore version (the uid's third part)."""
    return list_uids(None if version is None else str(version))


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


def model_dir(card: Card, source: str = "local", force_reload: bool = False) -> str:
    """The card's model folder for ``source``: this checkout's, or downloaded into the cache."""
    url, target = model_location(card, source)
    if url is None or (os.path.isdir(target) and not force_reload):
        return target
    os.makedirs(cache_dir(card), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".download-", dir=cache_dir(card)) as tmp:
        archive = fetch(url, os.path.join(tmp, os.path.basename(url)))
        extract_tar(archive, os.path.join(tmp, "tree"), url)
        found = _folder_in(os.path.join(tmp, "tree"), card, url)
        if os.path.isdir(target):
            shutil.rmtree(target)
        os.replace(found, target)
    return target


def asset_file(card: Card, asset: Asset, source: str = "local", force_reload: bool = False) -> str:
    """A local file of ``asset`` whose sha256 matches the card, downloaded into the cache when remote."""
    url, path = asset_location(card, asset, source)
    if url is not None:
        return fetch(url, path, asset.sha256, force_reload)
    if not os.path.isfile(path):
        raise ModelNotAvailableError(f"{asset.link} of card {card.uid} is not in this checkout yet ({path})")
    actual = sha256_of(path)
    if actual != asset.sha256:
        raise IntegrityError(f"INTEGRITY ERROR: {path} has sha256 {actual}, but card {card.path} expects "
                             f"{asset.sha256} (field asset-sha256)")
    return path


def _checkpoint(card: Card) -> Asset:
    if card.checkpoint is None:
        raise HubError(f"card {card.uid} has no ckpt asset; use pretrained=False")
    return card.checkpoint


def _check_flags(**flags: object) -> None:
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"`{key}` must be a bool, got {value!r}")


def load(name: str, *args, source: str = "gitee", pretrained: bool = True, force_reload: bool = False,
         **kwargs) -> nn.Cell:
    """Build the network of card ``name`` (a uid) with ``create_network(model-name, *args, **kwargs)``.

    ``source``: ``"gitee"`` / ``"github"`` fetch the model folder and repository-relative
    assets from that source's base URL (this checkout when none is set), ``"local"`` uses
    this checkout.  ``pretrained`` loads the card's checkpoint strictly after checking its
    sha256; ``force_reload`` downloads the model folder and the checkpoint again.
    """
    _check_flags(pretrained=pretrained, force_reload=force_reload)
    check_source(source)
    card = find_card(name)
    folder = model_dir(card, source, force_reload)
    try:
        net = create_network(folder, card.model_name, *args, **kwargs)
    except ModelNotAvailableError as err:
        url, _ = model_location(card, source)
        where = "this checkout" if url is None else f"the archive {url}"
        raise ModelNotAvailableError(f"model {card.model_name!r} of card {card.uid} is not available in {where} "
                                     f"yet: {err}") from err
    if pretrained:
        load_strict(net, asset_file(card, _checkpoint(card), source, force_reload))
    return net


def load_weights(network: nn.Cell, name: str, force_reload: bool = False, source: str = "gitee") -> None:
    """Load the checkpoint of card ``name`` into ``network`` strictly, after checking its sha256."""
    if not isinstance(network, nn.Cell):
        raise TypeError(f"network must be a mindspore.nn.Cell, got {type(network).__name__}")
    _check_flags(force_reload=force_reload)
    check_source(source)
    card = find_card(name)
    load_strict(network, asset_file(card, _checkpoint(card), source, force_reload))
