"""``mindspore_hub.load`` as a module: ``load`` and mindspore_hub's ``load_weights(name, ...) -> dict``.

Code written for MindSpore Hub imports ``from mindspore_hub.load import load_weights`` and gets the
checkpoint's parameter dict, to load into a network itself; with hub_conf that is
``from hub_conf.load import load_weights``.  hub_conf's own ``hub_conf.load_weights(network, name)`` loads
the checkpoint into the network strictly instead.  As in mindspore_hub, ``hub_conf.load`` is the function:
the package imports this module first, then binds the name to the function.
"""
from __future__ import annotations

from .loader import check_flags, checkpoint_asset, asset_file, load
from .names import resolve_card
from .settings import check_source
from .weights import read_checkpoint

__all__ = ["load", "load_weights"]


def load_weights(name: str, source: str = "gitee", force_reload: bool = False) -> dict:
    """The parameter dict (name -> Parameter) of card ``name``'s checkpoint, after checking its sha256.

    The file's names as they are: a model's ``convert_checkpoint`` hook is not applied (no network is given).
    """
    check_flags(force_reload=force_reload)
    check_source(source)
    card = resolve_card(name, source)
    return read_checkpoint(asset_file(card, checkpoint_asset(card), source, force_reload))
