"""The zoo's model registry: a model is a folder of the repository holding a ``zoo.yaml`` that describes it.

    python scripts/zoo_registry.py            # the models, in their order
    python scripts/zoo_registry.py --check    # validate every zoo.yaml (exit 1 on a problem)

Scripts and tests look models up here instead of listing their names; ``ADDING_A_MODEL.md`` lists the keys.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from typing import Optional, Sequence

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILE = "zoo.yaml"
INPUT_KINDS = ("words", "speech", "lines", "plates")
REQUIRED = {"name": str, "order": int, "input_kind": str, "synthesizer": str, "cpu_config": str,
            "release": str, "hub_uid": str, "quickstart_steps": int, "wider_args": list, "bad_input_cases": list}
OPTIONAL = {"tiny_args": list, "lone_copy_args": list, "count_cell": list, "accuracy_column": int,
            "accuracy_floor": float, "torch_twin": str, "torch_stages": list}
SHELL_KEYS = ("input_kind", "synthesizer", "release", "hub_uid", "quickstart_steps")  # quickstart.sh
CONFIG = "default_config.yaml"  # its ckpt_prefix names the training checkpoints: <prefix>-<step>.ckpt
PARTS = os.path.join("src", "parts.py")
ENTRY_SCRIPTS = ("train.py", "eval.py", "export.py", "infer.py", "mindspore_hub_conf.py")
WORD_KEYS = ("accuracy_column", "accuracy_floor")  # optional keys a model of input kind ``words`` must set


@dataclass(frozen=True)
class Model:
    """One model folder's ``zoo.yaml`` (see ``ADDING_A_MODEL.md`` for what each field is used for), and the
    ``ckpt_prefix`` of its default_config.yaml."""
    name: str
    order: int
    checkpoint_prefix: str
    input_kind: str
    synthesizer: str
    cpu_config: str
    release: str
    hub_uid: str
    quickstart_steps: int
    wider_args: tuple[str, ...]
    bad_input_cases: tuple[str, ...]
    tiny_args: tuple[str, ...] = ()
    lone_copy_args: tuple[str, ...] = ()
    count_cell: tuple[int, int] = (-1, -1)
    accuracy_column: Optional[int] = None
    accuracy_floor: Optional[float] = None
    torch_twin: Optional[str] = None
    torch_stages: tuple[str, ...] = ()


def _read(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return data if isinstance(data, dict) else {}


def checkpoint_prefix(folder: str) -> object:
    """The ``ckpt_prefix`` of the folder's default_config.yaml (its first YAML document: the values)."""
    with open(os.path.join(folder, CONFIG), encoding="utf-8") as f:
        values = next(yaml.safe_load_all(f), None)
    return values.get("ckpt_prefix") if isinstance(values, dict) else None


def problems(folder: str) -> list[str]:
    """What is wrong with the model folder ``folder`` as a zoo model (its zoo.yaml and the parts it must have)."""
    path = os.path.join(folder, FILE)
    try:
        data = _read(path)
    except (OSError, yaml.YAMLError) as err:
        return [f"{path}: {err}"]
    found = [f"{path}: missing key {key!r}" for key in REQUIRED if key not in data]
    found += [f"{path}: unknown key {key!r}" for key in data if key not in REQUIRED and key not in OPTIONAL]
    found += [f"{path}: {key!r} must be of type {kind.__name__}" for key, kind in {**REQUIRED, **OPTIONAL}.items()
              if key in data and (not isinstance(data[key], kind) or isinstance(data[key], bool))]
    if found:
        return found
    if data["name"] != os.path.basename(os.path.normpath(folder)):
        found.append(f"{path}: name {data['name']!r} is not the folder's name")
    if data["input_kind"] not in INPUT_KINDS:
        found.append(f"{path}: input_kind must be one of {', '.join(INPUT_KINDS)}")
    if "count_cell" in data and len(data["count_cell"]) != 2:
        found.append(f"{path}: count_cell must be [line, column]")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found += [f"{path}: {key!r} must be a plain `{key}: value` line (quickstart.sh reads it with sed)"
              for key in SHELL_KEYS if not re.search(rf"^{key}: {re.escape(str(data[key]))}$", text, re.M)]
    needed = [CONFIG, data["synthesizer"], data["cpu_config"], data["release"], data["release"] + ".sha256", PARTS,
              *ENTRY_SCRIPTS]
    if data["input_kind"] == "words":  # tests/test_releases.py reads a released word model's accuracy and floor
        found += [f"{path}: a words model needs {key!r}" for key in WORD_KEYS if key not in data]
    found += [f"{folder}: {rel} is missing" for rel in needed if not os.path.isfile(os.path.join(folder, rel))]
    if os.path.isfile(os.path.join(folder, CONFIG)) and not isinstance(checkpoint_prefix(folder), str):
        found.append(f"{folder}: {CONFIG} must set ckpt_prefix (the training checkpoints' names)")
    return found


def model_names(root: str = ROOT) -> list[str]:
    """The folders under ``root`` that hold a zoo.yaml, in the order of their ``order:`` keys."""
    names = [n for n in os.listdir(root) if os.path.isfile(os.path.join(root, n, FILE))]
    return sorted(names, key=lambda n: (_read(os.path.join(root, n, FILE)).get("order", sys.maxsize), n))


def model(name: str, root: str = ROOT) -> Model:
    """The registry entry of the model folder ``name`` (ValueError if its zoo.yaml is not valid)."""
    folder = os.path.join(root, name)
    found = problems(folder)
    if found:
        raise ValueError("; ".join(found))
    data = _read(os.path.join(folder, FILE))
    lists = {key: tuple(value) for key, value in data.items() if isinstance(value, list)}
    return Model(**{**data, **lists, "checkpoint_prefix": checkpoint_prefix(folder)})


def models(root: str = ROOT) -> list[Model]:
    """Every model of the zoo under ``root``, in order."""
    return [model(name, root) for name in model_names(root)]


def first_of_kind(input_kind: str, root: str = ROOT) -> Model:
    """The first model of ``input_kind`` (the one whose synthesizer and benchmark stand for the kind)."""
    found = next((m for m in models(root) if m.input_kind == input_kind), None)
    if found is None:
        raise ValueError(f"no model of input kind {input_kind!r} in {root}")
    return found


def synthesizer(input_kind: str, root: str = ROOT) -> str:
    """The synthesizer script of the first model of ``input_kind`` (its zoo.yaml ``synthesizer``)."""
    found = first_of_kind(input_kind, root)
    return os.path.join(root, found.name, found.synthesizer)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="validate every model folder's zoo.yaml")
    parser.add_argument("--root", default=ROOT, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    if args.check:
        found = [p for name in model_names(args.root) for p in problems(os.path.join(args.root, name))]
        print("\n".join(found) if found else f"{len(model_names(args.root))} models, every zoo.yaml valid")
        return 1 if found else 0
    print("\n".join(model_names(args.root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
