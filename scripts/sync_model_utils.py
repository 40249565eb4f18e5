"""Copy one model folder's shared code (``src/model_utils/`` and its launchers ``scripts/``) to every other
model folder, so that all copies are identical.

    python scripts/sync_model_utils.py cnnctc          # after changing cnnctc/src/model_utils or cnnctc/scripts
    python scripts/sync_model_utils.py --check         # list the copies that differ (exit 1 if any)

Model folders are the registry's folders (those with a ``zoo.yaml``: ``scripts/zoo_registry.py``) that have a
``src/`` package.  Files are copied byte for byte; files of a target's shared folders that the source lacks are
deleted (``__pycache__`` is ignored).
"""
from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import sys
from typing import Optional, Sequence

from zoo_registry import model_names

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = (os.path.join("src", "model_utils"), "scripts")  # folders identical in every model folder
IGNORED = ("__pycache__",)


def model_folders(root: str = ROOT) -> list[str]:
    """The zoo's model folders present under ``root`` (those of the registry with a ``src`` package)."""
    return [m for m in model_names(root) if os.path.isdir(os.path.join(root, m, "src"))]


def utils_dir(model: str, root: str = ROOT) -> str:
    return os.path.join(root, model, "src", "model_utils")


def _files(folder: str) -> set[str]:
    """Relative paths of the files under ``folder`` (none if it is absent), ``IGNORED`` folders left out."""
    found = set()
    for dirpath, dirnames, names in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in IGNORED]
        found.update(os.path.relpath(os.path.join(dirpath, name), folder) for name in names)
    return found


def differences(source: str, target: str) -> list[str]:
    """Relative paths that are missing, extra or different in ``target`` compared with ``source``."""
    src, dst = _files(source), _files(target)
    changed = [p for p in sorted(src & dst)
               if not filecmp.cmp(os.path.join(source, p), os.path.join(target, p), shallow=False)]
    return [f"missing {p}" for p in sorted(src - dst)] + [f"extra {p}" for p in sorted(dst - src)] + \
        [f"differs {p}" for p in changed]


def model_differences(a: str, b: str, root: str = ROOT) -> list[str]:
    """What differs between the shared folders of models ``a`` and ``b`` (paths relative to the model folder)."""
    return [f"{kind} {os.path.join(shared, path)}" for shared in SHARED
            for kind, path in (d.split(" ", 1) for d in differences(os.path.join(root, a, shared),
                                                                   os.path.join(root, b, shared)))]


def sync(source_model: str, root: str = ROOT) -> list[str]:
    """Make every other model folder's shared folders equal to ``source_model``'s; return the models changed."""
    changed = []
    for model in model_folders(root):
        if model == source_model or not model_differences(source_model, model, root):
            continue
        for shared in SHARED:
            source, target = os.path.join(root, source_model, shared), os.path.join(root, model, shared)
            for rel in _files(target) - _files(source):
                os.remove(os.path.join(target, rel))
            for rel in _files(source):
                os.makedirs(os.path.dirname(os.path.join(target, rel)), exist_ok=True)
                shutil.copy2(os.path.join(source, rel), os.path.join(target, rel))
        changed.append(model)
    return changed


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source_model", nargs="?", choices=model_names(), help="the model folder whose copy is right")
    parser.add_argument("--check", action="store_true", help="only report copies that differ from the first one")
    args = parser.parse_args(argv)
    models = model_folders()
    if args.check or args.source_model is None:
        reference = args.source_model or models[0]
        report = {m: model_differences(reference, m) for m in models if m != reference}
        for model, diffs in report.items():
            for diff in diffs:
                print(f"{model}: {diff} (vs {reference})")
        return 1 if any(report.values()) else 0
    if not os.path.isdir(utils_dir(args.source_model)):
        print(f"error: {utils_dir(args.source_model)} does not exist", file=sys.stderr)
        return 2
    changed = sync(args.source_model)
    print(f"copied {args.source_model}'s shared folders to {', '.join(changed)}" if changed else "all copies equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
