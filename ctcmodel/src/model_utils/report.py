"""``eval.py --report DIR``: what every sample of an evaluation gave (``Recorder``, filled by the evaluation
only when asked), and the report written from it (``Report``):

- ``errors.tsv``: every wrong sample (dataset, sample name, truth, result, confidence, edits), worst first;
- ``confusions.tsv``: the most frequent edits of the wrong samples, aligned by edit distance (substitutions
  truth -> result, deletions, insertions) with their counts;
- ``worst_errors.png``: the worst errors, each with its input picture, truth, result (edits in red) and
  confidence.

A sample is wrong when its result differs from its truth after the model's comparison form (the metric's
normalisation, e.g. clovaai's lower-case 0-9a-z); alignment and counts are on those forms' tokens.  Worst
means most edits per truth token (the sample's error rate), then the lowest confidence.
"""
from __future__ import annotations

import heapq
import os
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .confusions import Confusions, Pair, align
from .errors import UsageError, log
from .sheet import Cell, draw_sheet

SHEET_SAMPLES = 24   # cells of worst_errors.png
TOP_CONFUSIONS = 100  # lines of confusions.tsv


class Recorder:
    """(source index, truth, result, confidence) of every scored sample, in the order scored."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str, float]] = []

    def add(self, indices: Sequence[int], truths: Sequence[str], results: Sequence[tuple[str, float]]) -> None:
        """Record a batch: the samples' source indices, truths and (result, confidence) pairs."""
        for index, truth, (result, confidence) in zip(indices, truths, results, strict=True):
            self.rows.append((int(index), truth, result, float(confidence)))


@dataclass(frozen=True)
class Error:
    """One wrong sample: where it is, its compared texts, alignment, confidence and rank key."""

    dataset: str
    name: str
    truth: str
    result: str
    confidence: float
    pairs: list[Pair]
    edits: int

    @property
    def badness(self) -> tuple[float, float]:
        """The sort key, worst first: most edits per truth token, then lowest confidence."""
        tokens = sum(t is not None for t, _ in self.pairs)
        return -self.edits / max(tokens, 1), self.confidence

    def caption(self) -> str:
        """The line under the texts in the sheet: confidence, edits, sample."""
        plural = "s" if self.edits != 1 else ""
        return f"confidence {self.confidence:.3g} · {self.edits} edit{plural} · {os.path.basename(self.name)}"


def checked_folder(path: str) -> str:
    """The report folder ``path``, created if missing; a ``UsageError`` when it cannot be one."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"--report {path} is a file: give a folder to write the report into")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create --report folder {path}: {err.strerror}") from err
    if not os.access(path, os.W_OK):
        raise UsageError(f"--report folder {path} is not writable")
    return path


def input_picture(source: Any, index: int) -> np.ndarray:
    """The input of sample ``index`` as the network sees it, before normalisation (the source's prepared
    image, uint8)."""
    image = np.asarray(source[index][0])
    return image if image.dtype == np.uint8 else np.clip(image, 0, 255).astype(np.uint8)


class Report:
    """Collects the wrong samples of every evaluated dataset and writes the report files.

    ``compare`` gives a text's comparison form, ``split`` its tokens, ``separator`` joins tokens in the
    picture, ``picture(source, index)`` draws a sample's input.
    """

    def __init__(self, folder: str, compare: Callable[[str], str], split: Callable[[str], list[str]],
                 separator: str, picture: Callable[[Any, int], np.ndarray]):
        self.folder, self.compare, self.split, self.separator = folder, compare, split, separator
        self.picture = picture
        self.confusions = Confusions()
        self.errors: list[Error] = []
        self.worst: list[tuple[Error, np.ndarray]] = []

    def add(self, dataset: str, source: Any, recorder: Recorder) -> None:
        """Take the recorded samples of ``dataset`` (from ``source``); draw the inputs of its worst errors."""
        found = []
        for index, truth, result, confidence in recorder.rows:
            truth, result = self.compare(truth), self.compare(result)
            if truth != result:
                pairs = align(self.split(truth) if truth else [], self.split(result) if result else [])
                error = Error(dataset, source.name(index), truth, result, confidence, pairs,
                              self.confusions.add(pairs))
                found.append((error.badness, index, error))
        self.errors += [error for _, _, error in found]
        worst = heapq.nsmallest(SHEET_SAMPLES, found, key=lambda item: (item[0], item[1]))
        self.worst += [(error, self.picture(source, index)) for _, index, error in worst]

    def write(self) -> None:
        """Write errors.tsv, confusions.tsv and worst_errors.png into the folder."""
        try:
            self._write()
        except OSError as err:
            raise UsageError(f"cannot write the report into {self.folder}: {err.strerror or err}") from err
        log(f"report: {len(self.errors)} wrong samples, {self.confusions.total()} edits, written to {self.folder}")

    def _write(self) -> None:
        self.errors.sort(key=lambda e: e.badness)
        with open(os.path.join(self.folder, "errors.tsv"), "w", encoding="utf-8") as f:
            f.write("dataset\tsample\ttruth\tresult\tconfidence\tedits\n")
            f.writelines(f"{e.dataset}\t{e.name}\t{e.truth}\t{e.result}\t{e.confidence:.4g}\t{e.edits}\n"
                         for e in self.errors)
        with open(os.path.join(self.folder, "confusions.tsv"), "w", encoding="utf-8") as f:
            f.write("kind\ttruth\tresult\tcount\n")
            f.writelines(f"{kind}\t{t}\t{r}\t{n}\n" for kind, t, r, n in self.confusions.top(TOP_CONFUSIONS))
        worst = sorted(self.worst, key=lambda item: item[0].badness)[:SHEET_SAMPLES]
        cells = [Cell(picture, e.pairs, self.separator, e.caption()) for e, picture in worst]
        draw_sheet(cells, f"{len(worst)} worst of {len(self.errors)} errors (most edits per truth token, then "
                          "lowest confidence); edits in red", os.path.join(self.folder, "worst_errors.png"))
