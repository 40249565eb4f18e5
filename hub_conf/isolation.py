"""Import a model folder's ``mindspore_hub_conf.py`` in isolation and call its ``create_network``.

Every model folder has its own ``src`` package, so two models cannot both live
under the name ``src`` in ``sys.modules``.  Each load therefore imports the
folder as a fresh package with a unique name (``_hub_conf_model_<folder>_<n>``):
its ``src`` becomes ``<unique>.src`` and keeps that name for good, so the
network's classes, their modules and imports done later inside ``src`` (relative
imports) resolve for as long as the network lives (MindSpore's graph compiler
looks modules up by name).  While the hub conf runs and ``create_network``
builds the network, an import hook maps the absolute names of the folder's
top-level modules (``src``, ``src.x``, ...) to those unique modules; afterwards
``sys.modules`` holds these names exactly as before.  Model code must therefore
use relative imports inside ``src`` for imports done after construction.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import itertools
import os
import re
import sys
from contextlib import contextmanager
from types import ModuleType
from typing import Callable, Iterator, NamedTuple, Optional

from mindspore import nn

from .errors import HubError, ModelNotAvailableError

HUB_CONF = "mindspore_hub_conf"
ENTRY_POINT = "create_network"
CHECKPOINT_HOOK = "convert_checkpoint"
_counter = itertools.count()


class _Alias(importlib.abc.Loader):
    """Loader that hands out an already imported module under a second name."""

    def __init__(self, target: str):
        self.target = target
        self.own_spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module) -> None:
        """The module is executed already; undo the import system's overwrite of its ``__spec__``."""
        module.__spec__ = self.own_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Maps ``name`` and ``name.*`` for each of ``names`` to the same module under ``package``."""

    def __init__(self, package: str, names: set[str]):
        self.package, self.names = package, names

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] not in self.names:
            return None
        return importlib.util.spec_from_loader(fullname, _Alias(f"{self.package}.{fullname}"))


def _top_level_modules(model_dir: str) -> set[str]:
    names = set()
    for entry in os.listdir(model_dir):
        path = os.path.join(model_dir, entry)
        if entry.endswith(".py") and entry != f"{HUB_CONF}.py":
            names.add(entry[:-3])
        elif os.path.isfile(os.path.join(path, "__init__.py")):
            names.add(entry)
    return names


@contextmanager
def _aliases(package: str, names: set[str]) -> Iterator[None]:
    """Route absolute imports of ``names`` to ``package``; restore ``sys.modules`` and ``sys.meta_path`` after."""
    def owned(key: str) -> bool:
        return key.split(".")[0] in names

    saved = {k: m for k, m in sys.modules.items() if owned(k)}
    for key in saved:
        del sys.modules[key]
    finder = _AliasFinder(package, names)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for key in [k for k in sys.modules if owned(k)]:
            del sys.modules[key]
        sys.modules.update(saved)


def _reason(err: Exception) -> str:
    if isinstance(err, SyntaxError):
        return f"{type(err).__name__}: {err.msg} ({err.filename}, line {err.lineno})"
    return str(err)


class HubNetwork(NamedTuple):
    """A network built by a model's hub conf, and the network's ``convert_checkpoint(params) -> params`` method
    (None when it has none), which maps the names of checkpoints it publishes in an older layout."""

    network: nn.Cell
    convert_checkpoint: Optional[Callable[[dict], dict]]


def _fresh_package(model_dir: str) -> str:
    """A new uniquely named package whose path is ``model_dir`` (see the module docstring)."""
    folder = re.sub(r"\W", "_", os.path.basename(os.path.normpath(model_dir)))
    package = f"_hub_conf_model_{folder}_{next(_counter)}"
    spec = importlib.util.spec_from_loader(package, loader=None, is_package=True)
    spec.submodule_search_locations = [os.path.abspath(model_dir)]
    sys.modules[package] = importlib.util.module_from_spec(spec)
    return package


def import_isolated(model_dir: str, *names: str) -> list[ModuleType]:
    """Import the modules ``names`` (e.g. ``src.parts``) of ``model_dir`` in isolation, one fresh package for all."""
    package = _fresh_package(model_dir)
    with _aliases(package, _top_level_modules(model_dir)):
        try:
            return [importlib.import_module(f"{package}.{name}") for name in names]
        except (ImportError, SyntaxError) as err:
            raise HubError(f"cannot import {', '.join(names)} of {model_dir}: {_reason(err)}") from err


def create_network(model_dir: str, name: str, *args, **kwargs) -> HubNetwork:
    """Import ``model_dir/mindspore_hub_conf.py`` in isolation and return ``create_network(name, ...)`` with the
    network's checkpoint hook."""
    conf = os.path.join(model_dir, f"{HUB_CONF}.py")
    if not os.path.isfile(conf):
        raise ModelNotAvailableError(f"model folder {model_dir} has no {HUB_CONF}.py")
    package = _fresh_package(model_dir)
    with _aliases(package, _top_level_modules(model_dir)):
        try:
            module = importlib.import_module(f"{package}.{HUB_CONF}")
        except (ImportError, SyntaxError) as err:
            raise HubError(f"cannot import {conf}: {_reason(err)}") from err
        entry = getattr(module, ENTRY_POINT, None)
        if not callable(entry):
            raise ModelNotAvailableError(f"{conf} defines no {ENTRY_POINT}(name, *args, **kwargs) function")
        net = entry(name, *args, **kwargs)
    if not isinstance(net, nn.Cell):
        raise TypeError(f"{conf}: {ENTRY_POINT}({name!r}) returned {type(net).__name__}, not a mindspore.nn.Cell")
    hook = getattr(net, CHECKPOINT_HOOK, None)
    return HubNetwork(net, hook if callable(hook) else None)
