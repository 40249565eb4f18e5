"""Configuration: a YAML file whose every key can be overridden on the command line.

``load_config`` reads ``default_config.yaml`` (or ``--config_path FILE``; a file
may name a ``base`` file whose values it overrides), then applies
``--key value`` / ``--key=value`` overrides, parsed as YAML scalars so types are
kept.  Unknown keys are an error that names the key and the file.  The entry
script reads the configuration once and passes it down explicitly.
"""
from __future__ import annotations

import argparse
import os
import sys
from types import SimpleNamespace
from typing import Any, Optional, Sequence

import yaml

MODEL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CONFIG = os.path.join(MODEL_DIR, "default_config.yaml")


ALIASES = {"checkpoint_path": ("--ckpt", "--ckpt_file")}


class ConfigError(ValueError):
    """A configuration file or override is malformed."""


def _read_yaml(path: str) -> tuple[dict, dict]:
    """Return (values, help texts) of a config file, following its ``base`` chain."""
    if not os.path.isfile(path):
        raise ConfigError(f"config file {path} does not exist")
    try:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as err:
        raise ConfigError(f"config file {path} is not valid YAML: {err}") from err
    if not docs or not isinstance(docs[0], dict):
        raise ConfigError(f"config file {path} holds no mapping of settings")
    values, helps = dict(docs[0]), dict(docs[1]) if len(docs) > 1 else {}
    base = values.pop("base", None)
    if base is None:
        return values, helps
    base_values, base_helps = _read_yaml(os.path.join(os.path.dirname(path), base))
    unknown = sorted(set(values) - set(base_values))
    if unknown:
        raise ConfigError(f"config file {path} sets keys unknown to its base {base}: {', '.join(unknown)}")
    return {**base_values, **values}, {**base_helps, **helps}


def _parse_value(key: str, text: str, default: Any) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"--{key}: cannot parse {text!r}: {err}") from err
    if isinstance(default, bool) and not isinstance(value, bool):
        raise ConfigError(f"--{key} takes true or false, got {text!r}")
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(default, list) and isinstance(value, str):
        value = [v for v in value.split(",") if v]
    if default is not None and value is not None and not isinstance(value, type(default)):
        raise ConfigError(f"--{key} expects a {type(default).__name__}, got {text!r}")
    return value


def load_config(argv: Optional[Sequence[str]] = None, description: str = "",
                default_path: str = DEFAULT_CONFIG) -> SimpleNamespace:
    """Read the config file and the command-line overrides; return an attribute namespace."""
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    pre.add_argument("--config_path", default=default_path)
    known, _ = pre.parse_known_args(argv)
    values, helps = _read_yaml(known.config_path)

    parser = argparse.ArgumentParser(description=description, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config_path", default=default_path, help="YAML config file")
    for key, default in values.items():
        parser.add_argument(f"--{key}", *ALIASES.get(key, ()), dest=key, type=str, default=None,
                            metavar=type(default).__name__.upper(), help=f"{helps.get(key, '')} (default: {default!r})")
    args = parser.parse_args(argv)
    for key, default in values.items():
        text = getattr(args, key)
        if text is not None:
            values[key] = _parse_value(key, text, default)
    values["config_path"] = os.path.abspath(known.config_path)
    return SimpleNamespace(**values)


def resolve_path(path: str) -> str:
    """Resolve a path from the config: absolute, or relative to the working directory."""
    return os.path.abspath(os.path.expanduser(path)) if path else path
