"""``python -m hub_conf recognize UID FILES_OR_FOLDERS... [--output TSV] [--json]``: a card's pipeline from the
shell.

Files, folders (searched recursively: a folder of crops, TIMIT's ``DR*/SPEAKER/*.WAV`` tree; a folder holding
``gt.txt`` is that list) and list files (``path<TAB>truth``, e.g. ``gt.txt``) as the model's ``infer.py
--input`` reads them.  Prints input, truth, result and confidence (and the phone times or alternatives),
the model's metric over the inputs with a truth, and writes ``path<TAB>text<TAB>confidence[<TAB>details]``
lines to ``--output``; ``--json`` prints one JSON document instead of the table.
"""
from __future__ import annotations

import argparse
import json

from .pipeline import pipeline
from .settings import SOURCES


def add_command(commands: argparse._SubParsersAction) -> None:
    """Register ``recognize`` on the CLI's sub-command parsers."""
    command = commands.add_parser("recognize", help="recognise files or folders with a card's checkpoint")
    command.add_argument("uid", help="a card with a checkpoint, e.g. mindspore/cpu/2.10/cnnctc_cpu_small_v1.0")
    command.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER",
                         help="images or speech files, folders of them, list files such as gt.txt")
    command.add_argument("--output", default="", help="write path<TAB>text<TAB>confidence[<TAB>details] lines")
    command.add_argument("--json", action="store_true", help="print the results as one JSON document")
    command.add_argument("--batch_size", type=int, default=8, help="inputs per network call (default 8)")
    command.add_argument("--source", choices=SOURCES, default="gitee",
                         help="where the model folder and the checkpoint come from (see `info`)")
    command.add_argument("--device", default="CPU", choices=("Ascend", "GPU", "CPU"), help="MindSpore device target")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Recognise ``args.inputs`` with the pipeline of ``args.uid``; print a table or JSON."""
    recognizer = pipeline(args.uid, source=args.source, batch_size=args.batch_size, device=args.device)
    items = recognizer.collect(args.inputs)
    if not args.json:
        recognizer.report(items, args.output)
        return 0
    results = recognizer([path for path, _ in items])
    labelled = [(truth, r.text) for (_, truth), r in zip(items, results) if truth is not None]
    metric = recognizer.score([t for _, t in labelled], [t for t, _ in labelled]).summary() if labelled else None
    rows = [dict(input=path, truth=truth, **r.as_dict()) for (path, truth), r in zip(items, results)]
    print(json.dumps({"uid": recognizer.uid, "results": rows, "metric": metric}, ensure_ascii=False))
    return 0
