"""Inputs and outputs of ``infer.py``: files, folders and list files expanded to (path, label or None) pairs;
the base of the models' recognizers; the table of predictions, the metric when labels are known, and the
``--output`` file.

A list file is read as a gt.txt (``gt_txt``: ``path<TAB>label`` a line, or just ``path``; relative paths
taken from the list's folder).  A file is an input by its extension, a list by its extension (.txt .tsv .lst
.list) or, lacking one, by holding UTF-8 text.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable, Optional, Sequence

from mindspore import nn

from .checkpoint import classes_digest
from .config import resolve_path, with_overrides
from .ctc import CTCLabelConverter
from .errors import UsageError, log
from .export import load_model
from .gt_txt import GT_FILE, read_gt
from .metrics import Metric

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
LIST_EXTENSIONS = (".txt", ".tsv", ".lst", ".list")
Item = tuple[str, Optional[str]]


@dataclass(frozen=True)
class Prediction:
    """A recognised text, its confidence, and optional details (e.g. the time of each phone, alternatives
    per character) that infer.py prints below the text and writes as a fourth column; the same details as
    values for programs: per recognised symbol its time in seconds (speech) or its best alternatives as
    (symbol, probability) pairs, best first."""

    text: str
    confidence: float
    details: str = ""
    times: tuple[float, ...] = ()
    alternatives: tuple[tuple[tuple[str, float], ...], ...] = ()


def _is_text(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(4096)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start > len(head) - 4  # a character cut at the end of the sample
    return b"\0" not in head


def _read_list(path: str) -> list[Item]:
    items = []
    for image, label in read_gt(path):
        try:
            items.append((image, None if label is None else label.decode("utf-8")))
        except UnicodeDecodeError as err:
            raise UsageError(f"list file {path}: the label of {image} is not UTF-8 text: {err}") from err
    return items


def _files_below(folder: str, extensions: tuple[str, ...]) -> list[str]:
    """Files with one of ``extensions`` in ``folder`` and its subfolders (e.g. TIMIT's DR*/SPEAKER/*.WAV), sorted."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        found += [os.path.join(root, n) for n in sorted(names) if n.lower().endswith(extensions)]
    return found


def collect_inputs(entries: Sequence[str], extensions: Sequence[str]) -> list[Item]:
    """Expand files with one of ``extensions``, folders of them (searched recursively; a folder holding
    ``gt.txt`` is that list) and list files into (path, label) pairs."""
    extensions = tuple(e.lower() for e in extensions)
    items: list[Item] = []
    for entry in entries:
        path = resolve_path(entry)
        lower = path.lower()
        if os.path.isfile(os.path.join(path, GT_FILE)):
            items += _read_list(os.path.join(path, GT_FILE))
        elif os.path.isdir(path):
            items += [(found, None) for found in _files_below(path, extensions)]
        elif not os.path.exists(path):
            raise UsageError(f"input {entry} does not exist")
        elif lower.endswith(extensions):
            items.append((path, None))
        elif lower.endswith(LIST_EXTENSIONS) or _is_text(path):
            items += _read_list(path)
        else:
            raise UsageError(f"input {entry} is neither a supported file ({' '.join(extensions)}) nor a list file")
    if not items:
        raise UsageError(f"no inputs found in {', '.join(entries)}")
    return items


class Recognizer:
    """The common part of every model's ``Recognizer``: the network ``cfg`` describes, loaded from a ``.ckpt``
    (or an exported ``.mindir``), its classes and the batch size; the model's subclass adds ``predict``.
    ``overrides`` change config values for this recognizer (checked like command-line values)."""

    def __init__(self, model_path: str, cfg: SimpleNamespace, batch_size: int,
                 build_network: Callable[[SimpleNamespace], nn.Cell],
                 label_converter: Callable[[SimpleNamespace], CTCLabelConverter], overrides: dict):
        self.cfg = with_overrides(cfg, overrides, "Recognizer") if overrides else cfg
        self.batch_size = batch_size
        self.converter = label_converter(self.cfg)
        self.network = load_model(model_path, lambda: build_network(self.cfg), classes_digest(self.converter.tokens))


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def checked_output(output: str, reads: Sequence[str]) -> str:
    """The absolute ``--output`` path ("" for none), refused early when it cannot be written or is one of the
    files infer.py ``reads`` (its inputs, list files, the checkpoint)."""
    path = resolve_path(output)
    if path and (os.path.isdir(path) or not os.access(os.path.dirname(path), os.W_OK)):
        raise UsageError(f"cannot write --output {path}: it is a folder, or its folder is missing or not writable")
    read = next((r for r in reads if path and os.path.exists(path) and _same_file(path, r)), None)
    if read is not None:
        raise UsageError(f"--output {path} is a file infer.py reads ({read}): choose another output file")
    return path


def _output_line(path: str, prediction: Prediction) -> str:
    details = f"\t{prediction.details}" if prediction.details else ""
    return f"{path}\t{prediction.text}\t{prediction.confidence:.4f}{details}\n"


def report(items: list[Item], predictions: list[Prediction], new_metric: Callable[[], Metric],
           output: str) -> list[tuple[str, str, float]]:
    """Print input, truth, text and confidence side by side (and the details), the metric over the labelled
    inputs, and write ``path<TAB>text<TAB>confidence[<TAB>details]`` lines to ``output`` (when set, through a
    temporary file and a rename); return
    the (path, text, confidence) rows."""
    rows = [(path, p.text, p.confidence) for (path, _), p in zip(items, predictions)]
    width = min(40, max(len(os.path.basename(p)) for p, _, _ in rows))
    log(f"{'input':<{width}}  {'truth':<15}{'recognized':<15}{'confidence':>10}")
    for (path, label), (_, text, conf), prediction in zip(items, rows, predictions):
        log(f"{os.path.basename(path)[:width]:<{width}}  {label or '':<15}{text:<15}{conf:>10.3f}")
        if prediction.details:
            log(f"{'':<{width}}  {prediction.details}")
    labelled = [(label, p.text) for (_, label), p in zip(items, predictions) if label is not None]
    if labelled:
        metric = new_metric()
        metric.update([text for _, text in labelled], [truth for truth, _ in labelled])
        log(f"on the {len(labelled)} labelled inputs: {metric.summary()}")
    if output:
        tmp = os.path.join(os.path.dirname(output), f".tmp-{os.getpid()}-{os.path.basename(output)}")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.writelines(_output_line(path, p) for (path, _), p in zip(items, predictions))
            os.replace(tmp, output)
        except OSError as err:
            raise UsageError(f"cannot write --output {output}: {err.strerror}") from err
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        log(f"wrote {len(rows)} predictions to {output}")
    return rows
