"""Configuration: a YAML file whose every key can be overridden on the command line.

A config file holds up to three YAML documents, as in the MindSpore model zoo: the values, a help
text per key, and the choices of enumerated keys (``device_target: [Ascend, GPU, CPU]``) or the range of
numeric ones (``image_height: {min: 1}``, ``max_label_length: {min: 1, max: 1000}``; for a list, of each entry).  A file
may name a ``base`` file whose values (help texts, choices) it overrides; it may add keys only to a generic file
of ``src/model_utils/``: ``common.yaml`` (the keys of every model) or ``image_models.yaml`` (the image models' keys
over ``common.yaml``), which a model's ``default_config.yaml`` names as its base, adding the model's own keys.  A
``null`` in ``common.yaml`` is a generic key without a generic value, which every model sets.
``load_config`` reads ``default_config.yaml`` of the model folder (or ``--config_path FILE``),
then applies ``--key value`` / ``--key=value`` overrides parsed as YAML scalars, keeping each
key's type (an int where a float is expected, and every float spelling such as ``3e-4``, are
accepted).  Unknown keys, wrong types and values outside the choices or range are a ``ConfigError``
naming the key.  The entry script reads the configuration once and passes it down explicitly.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from types import SimpleNamespace
from typing import Any, Mapping, Optional, Sequence

import yaml

from .errors import ConfigError

MODEL_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CONFIG = os.path.join(MODEL_DIR, "default_config.yaml")
GENERIC_DIR = os.path.dirname(os.path.abspath(__file__))
COMMON_CONFIG = os.path.join(GENERIC_DIR, "common.yaml")
ALIASES = {"checkpoint_path": ("--ckpt", "--ckpt_file")}


def _yaml_problem(err: Exception) -> str:
    """One line: where the YAML parser stopped and why."""
    mark = getattr(err, "problem_mark", None)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {getattr(err, 'problem', '')}"
    return str(err).strip().splitlines()[0]


def _is_generic(path: str) -> bool:
    """Whether ``path`` is a generic config file: one in a model folder's ``src/model_utils/`` (any copy)."""
    return os.path.basename(os.path.dirname(os.path.abspath(path))) == os.path.basename(GENERIC_DIR)


def _read_yaml(path: str) -> tuple[dict, dict, dict]:
    """Return (values, help texts, choices) of a config file, following its ``base`` chain."""
    if not os.path.isfile(path):
        raise ConfigError(f"config file {path} does not exist")
    try:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ConfigError(f"config file {path} is not valid YAML: {_yaml_problem(err)}") from err
    if not docs or not all(isinstance(d, dict) for d in docs) or len(docs) > 3:
        raise ConfigError(f"config file {path} must hold a mapping of settings, then optional help and choices")
    values, helps, choices = (dict(d) for d in docs + [{}] * (3 - len(docs)))
    base = values.pop("base", None)
    if base is None:
        return values, helps, choices
    base_path = os.path.join(os.path.dirname(path), str(base))
    base_values, base_helps, base_choices = _read_yaml(base_path)
    unknown = sorted(set(values) - set(base_values))
    if unknown and not _is_generic(base_path):
        raise ConfigError(f"config file {path} sets keys unknown to its base {base}: {', '.join(unknown)}")
    return {**base_values, **values}, {**base_helps, **helps}, {**base_choices, **choices}


def check_value(key: str, value: Any, default: Any, choices: Mapping[str, Sequence], shown: str = "") -> Any:
    """Coerce ``value`` to the type of ``default`` where unambiguous; check its type and choices."""
    shown = shown or repr(value)
    if value is None and isinstance(default, (str, list)):
        value = type(default)()  # an empty string or list (--input "")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"--{key} takes true or false, got {shown}")
    elif isinstance(default, float) and not isinstance(value, bool):
        if isinstance(value, (int, str)):
            try:
                value = float(value)
            except ValueError:
                pass
    elif isinstance(default, list) and isinstance(value, str):
        value = [v for v in value.split(",") if v]
    if default is not None and (
            not isinstance(value, type(default)) or (isinstance(value, bool) and not isinstance(default, bool))):
        raise ConfigError(f"--{key} expects a {type(default).__name__}, got {shown}")
    allowed = choices.get(key)
    if isinstance(allowed, Mapping):
        if isinstance(value, list):  # --resnet_layers 1,2,5,3: the entries as numbers
            value = [_number(n) for n in value]
        numbers = value if isinstance(value, list) else [value]
        low, high = allowed.get("min", -math.inf), allowed.get("max", math.inf)
        if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and low <= n <= high for n in numbers):
            raise ConfigError(f"--{key} must be {describe_choices(allowed)}, got {shown}")
    elif allowed is not None and value not in allowed:
        raise ConfigError(f"--{key} must be one of {', '.join(map(str, allowed))}, got {shown}")
    return value


def _number(text: Any) -> Any:
    """A list entry typed on the command line ("3", "0.5") as a number; anything else unchanged."""
    if isinstance(text, str):
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
    return text


def describe_choices(allowed: Any) -> str:
    """What a choices entry allows: ``one of a, b`` for a list, ``at least 1[ and at most N]`` for a range
    (``{min: 1, max: N}``; a list value: each of its entries)."""
    if not isinstance(allowed, Mapping):
        return f"one of {', '.join(map(str, allowed))}"
    bounds = [f"at least {allowed['min']}" if "min" in allowed else "",
              f"at most {allowed['max']}" if "max" in allowed else ""]
    return " and ".join(b for b in bounds if b)


def _parse_text(key: str, text: str, default: Any, choices: Mapping[str, Sequence]) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"--{key}: cannot parse {text!r}: {_yaml_problem(err)}") from err
    if isinstance(default, str) and value is not None and not isinstance(value, str):
        value = text  # a string key takes the text as typed (e.g. --file_name 2024)
    return check_value(key, value, default, choices, repr(text))


def load_config(argv: Optional[Sequence[str]] = None, description: str = "",
                default_path: str = DEFAULT_CONFIG) -> SimpleNamespace:
    """Read the config file and the command-line overrides; return an attribute namespace."""
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    pre.add_argument("--config_path", default=default_path)
    known, _ = pre.parse_known_args(argv)
    values, helps, choices = _read_yaml(known.config_path)
    unset = [key for key, value in values.items() if value is None]
    if unset:
        raise ConfigError(f"config file {known.config_path} leaves {', '.join(unset)} unset (null): "
                          "the model's default_config.yaml sets them")
    for key, value in values.items():
        check_value(key, value, value, choices)  # the file's own values respect its choices

    parser = argparse.ArgumentParser(description=description, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config_path", default=default_path, help="YAML config file")
    for key, default in values.items():
        allowed = f" {describe_choices(choices[key])};" if key in choices else ""
        parser.add_argument(f"--{key}", *ALIASES.get(key, ()), dest=key, type=str, default=None,
                            metavar=type(default).__name__.upper(),
                            help=f"{helps.get(key, '')} ({allowed} default: {default!r})")
    args = parser.parse_args(argv)
    for key, default in values.items():
        text = getattr(args, key)
        if text is not None:
            values[key] = _parse_text(key, text, default, choices)
    values["config_path"] = os.path.abspath(known.config_path)
    cfg = SimpleNamespace(**values)
    cfg.choices = choices
    return cfg


def with_overrides(cfg: SimpleNamespace, overrides: Mapping[str, Any], where: str) -> SimpleNamespace:
    """A copy of ``cfg`` with keyword overrides (API callers), checked like command-line values."""
    unknown = sorted(k for k in overrides if not hasattr(cfg, k) or k in ("choices", "config_path"))
    if unknown:
        raise ConfigError(f"{where}: unknown config keys {', '.join(unknown)}")
    values = dict(vars(cfg))
    for key, value in overrides.items():
        values[key] = check_value(key, value, values[key], cfg.choices)
    return SimpleNamespace(**values)


def require_positive(cfg: SimpleNamespace, *keys: str) -> None:
    """A ``ConfigError`` naming every one of ``keys`` whose value is not > 0."""
    bad = [f"--{key} {getattr(cfg, key)}" for key in keys if not getattr(cfg, key) > 0]
    if bad:
        raise ConfigError(f"these settings must be positive: {', '.join(bad)}")


def named_config(name: str, profiles: Mapping[str, str], args: tuple, overrides: Mapping[str, Any]) -> SimpleNamespace:
    """The config of the hub network ``name``: its profile file in the model folder, with keyword overrides.

    For ``mindspore_hub_conf.create_network(name, *args, **kwargs)``: ``args`` must be empty.
    """
    if name not in profiles:
        raise ValueError(f"unknown network {name!r}; choose one of {', '.join(profiles)}")
    if args:
        raise TypeError(f"create_network takes config overrides as keywords only, got {args!r}")
    cfg = load_config([], default_path=os.path.join(MODEL_DIR, profiles[name]))
    return with_overrides(cfg, overrides, f"create_network({name!r})")


def resolve_path(path: str) -> str:
    """Resolve a path from the config: absolute, or relative to the working directory."""
    return os.path.abspath(os.path.expanduser(path)) if path else path


def path_list(value: Any) -> list[str]:
    """A path setting that may be one path, a list, or a comma-separated string: absolute paths, empty ones dropped."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return [resolve_path(p) for item in items for p in str(item).split(",") if p.strip()]
