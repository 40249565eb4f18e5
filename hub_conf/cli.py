"""Command line: ``python -m hub_conf list|info UID|load UID|download UID|recognize UID INPUTS...``.

Errors of hub_conf (unknown uid, malformed card, failed download, ...) print
one ``error:`` line on stderr and exit with status 2, like the model folders' entry scripts.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

import mindspore as ms

from .card import Card, find_card
from .errors import HubError
from .isolation import HUB_CONF
from .listing import hub_uids
from .loader import asset_file, asset_location, load, model_dir, model_location
from .recognize import add_command
from .settings import SOURCES, card_dir, get_hub_dir

EXIT_USER_ERROR = 2  # as the model folders' entry scripts (and argparse) exit on a user error


def _status(card: Card) -> str:
    if card.folder is None:
        return "no repo-link"
    _, folder = model_location(card, "local")
    return "ready" if os.path.isfile(os.path.join(folder, f"{HUB_CONF}.py")) else "not built yet"


def _list(args: argparse.Namespace) -> int:
    uids = hub_uids(args.version)
    failed = 0
    print(f"{len(uids)} cards in {card_dir()}")
    for uid in uids:
        try:
            card = find_card(uid)
        except HubError as err:
            failed += 1
            print(f"{uid:47s} INVALID: {err}")
            continue
        ckpt = "ckpt" if card.checkpoint else "-"
        summary = str(card.header["summary"])
        summary = summary if len(summary) <= 60 else summary[:57] + "..."
        print(f"{uid:47s} {card.model_name:20s} {_status(card):14s} {ckpt:5s} {summary}")
    return EXIT_USER_ERROR if failed else 0


def _where(url: Optional[str], path: str, exists: bool) -> str:
    if url is None:
        return f"{path} (this checkout{'' if exists else ', missing'})"
    return f"{url} -> {path} ({'cached' if exists else 'not downloaded yet'})"


def _info(args: argparse.Namespace) -> int:
    card = find_card(args.uid)
    print(f"uid: {card.uid}\ncard: {card.path}")
    for key, value in card.header.items():
        if key != "asset":
            print(f"{key}: {value}")
    if card.folder is None:
        print("model folder: none (empty repo-link)")
    else:
        url, folder = model_location(card, args.source)
        state = f", model {_status(card)}" if url is None else ""
        print(f"model folder ({args.source}): {_where(url, folder, os.path.isdir(folder))}{state}")
    for i, asset in enumerate(card.assets):
        url, path = asset_location(card, asset, args.source)
        print(f"asset {i}: {asset.file_format} {asset.link}\n  sha256: {asset.sha256}\n"
              f"  file ({args.source}): {_where(url, path, os.path.isfile(path))}")
    return 0


def _load(args: argparse.Namespace) -> int:
    if not ms.hal.is_available(args.device):
        found = [d for d in ("Ascend", "GPU", "CPU") if ms.hal.is_available(d)]
        raise HubError(f"--device {args.device} is not available in this MindSpore build or on this machine "
                       f"(available: {', '.join(found)})")
    ms.set_context(mode=ms.GRAPH_MODE)
    ms.set_device(args.device)
    net = load(args.uid, source=args.source, pretrained=not args.no_pretrained, force_reload=args.force_reload)
    count = sum(p.size for p in net.get_parameters())
    print(f"{args.uid}: {type(net).__name__} with {count:,} parameters"
          f"{'' if args.no_pretrained else ', checkpoint loaded'}")
    return 0


def _download(args: argparse.Namespace) -> int:
    card = find_card(args.uid)
    print(f"model folder: {model_dir(card, args.source, args.force_reload)}")
    for asset in card.assets:
        print(f"{asset.file_format}: {asset_file(card, asset, args.source, args.force_reload)} (sha256 verified)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hub_conf", description="MindSpore Hub cards of this model zoo; "
                                     f"cache {get_hub_dir()} ($MSHUB_DIR).")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list the cards with the model's state in this checkout")
    listing.add_argument("--version", help="only uids of this MindSpore version, e.g. 1.1")
    listing.set_defaults(run=_list)
    for name, run, text in (("info", _info, "show a card and where its files come from"),
                            ("load", _load, "build the network (and load its checkpoint)"),
                            ("download", _download, "fetch the model folder and the assets into the cache")):
        command = commands.add_parser(name, help=text)
        command.add_argument("uid", help="e.g. mindspore/ascend/1.1/cnnctc_v1.1")
        command.add_argument("--source", choices=SOURCES, default="gitee",
                             help="where the model folder and repository-path assets come from: a remote source "
                                  "uses $MSHUB_<SOURCE>_URL or $MSHUB_BASE_URL, else this checkout")
        if name != "info":
            command.add_argument("--force_reload", action="store_true", help="download again")
        command.set_defaults(run=run)
    load_command = commands.choices["load"]
    load_command.add_argument("--no_pretrained", action="store_true", help="do not load the checkpoint")
    load_command.add_argument("--device", default="CPU", choices=("Ascend", "GPU", "CPU"),
                              help="MindSpore device target")
    add_command(commands)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except HubError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
