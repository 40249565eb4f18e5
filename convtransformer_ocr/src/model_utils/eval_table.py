"""eval.py's table: a row per dataset (each metric's ``columns``), then the total of them all (the merged
metric) or a model's own last row, e.g. MMOCR's mean over benchmarks."""
from __future__ import annotations

import copy
import os
from typing import Callable, Mapping, Optional, Sequence

from .errors import log
from .metrics import Metric

Row = tuple[str, dict[str, str]]  # (first cell, header -> cell)


def table(header: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Lines of a table: a first column of names (dataset paths shown relative), then right-aligned cells."""
    names = [name if not os.path.isabs(name) else os.path.relpath(name) for name, _ in rows]
    first = max(len(n) for n in [header[0], *names]) + 2
    widths = [max(len(h), *(len(cells[i]) for _, cells in rows)) + 2 for i, h in enumerate(header[1:])]
    lines = [f"{header[0]:<{first}}" + "".join(f"{h:>{w}}" for h, w in zip(header[1:], widths))]
    lines += [f"{name:<{first}}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths))
              for name, (_, cells) in zip(names, rows)]
    return lines


def merged(metrics: Sequence[Metric]) -> Metric:
    """One metric of all the samples of ``metrics`` (which are left as they are)."""
    whole = copy.deepcopy(metrics[0])
    for metric in metrics[1:]:
        whole.merge(metric)
    return whole


def total_row(metrics: Sequence[Metric]) -> Row:
    """The row of all samples together."""
    return "total", merged(metrics).columns()


def print_results(results: Mapping[str, Metric], last_row: Optional[Callable[[Sequence[Metric]], Row]] = total_row,
                  first_header: str = "dataset") -> list[str]:
    """Log (and return) the table of ``results``, name -> metric: a row each, then ``last_row`` of them all when
    there is more than one (None: no such row)."""
    rows = [(name, metric.columns()) for name, metric in results.items()]
    if last_row is not None and len(rows) > 1:
        rows.append(last_row(list(results.values())))
    lines = table([first_header, *rows[0][1]], [(name, list(cells.values())) for name, cells in rows])
    for line in lines:
        log(line)
    return lines
