"""eval.py's one table printer: a row per dataset from each metric's ``columns``, the merged total (or a model's
own last row) when there is more than one, paths shown relative; and every model's metric answers the protocol
it relies on (``merge``, ``columns``)."""
from __future__ import annotations

import importlib
import os

import pytest

from conftest import ROOT
from zoo_registry import models
from cnnctc.src.model_utils.eval_table import merged, print_results, table, total_row
from cnnctc.src.model_utils.metrics import RecognitionMetric


def _metric(predictions: list[str], truths: list[str]) -> RecognitionMetric:
    metric = RecognitionMetric()
    metric.update(predictions, truths)
    return metric


def test_table_aligns_cells_and_shows_paths_relative():
    lines = table(["dataset", "acc", "n"], [(os.path.join(os.getcwd(), "a", "b"), ["1.00", "7"]),
                                            ("total", ["0.5", "12"])])
    assert lines == ["dataset     acc   n", f"{os.path.join('a', 'b'):<9}  1.00   7", "total       0.5  12"]


def test_rows_per_dataset_then_the_merged_total(capsys):
    first, second = _metric(["ab", "c"], ["ab", "d"]), _metric(["x"], ["x"])
    lines = print_results({"first": first, "second": second})
    assert [line.split() for line in lines] == [["dataset", "word", "acc", "1-N.E.D", "samples"],
                                               ["first", "50.00%", "0.5000", "2"],
                                               ["second", "100.00%", "1.0000", "1"],
                                               ["total", "66.67%", "0.6667", "3"]]
    assert capsys.readouterr().out.splitlines() == lines
    assert (first.count, second.count) == (2, 1)  # the total leaves the datasets' metrics as they were
    assert merged([first, second]).correct == 2 and total_row([second])[1]["samples"] == "1"


def test_one_dataset_has_no_total_and_a_model_may_give_its_own_last_row():
    assert len(print_results({"only": _metric(["a"], ["a"])})) == 2
    mean = lambda metrics: ("mean", {"word acc": "-", "1-N.E.D": "-", "samples": str(len(metrics))})  # noqa: E731
    lines = print_results({"a": _metric(["a"], ["a"]), "b": _metric(["a"], ["b"])}, mean, first_header="set")
    assert lines[0].split()[0] == "set" and lines[-1].split() == ["mean", "-", "-", "2"]
    assert len(print_results({"a": _metric(["a"], ["a"]), "b": _metric(["a"], ["b"])}, last_row=None)) == 3


@pytest.mark.parametrize("model", [m for m in models()], ids=lambda m: m.name)
def test_every_models_metric_merges_and_gives_its_columns(model):
    config = importlib.import_module(f"{model.name}.src.model_utils.config")
    parts = importlib.import_module(f"{model.name}.src.parts").PARTS
    cfg = config.load_config(["--config_path", os.path.join(ROOT, model.name, model.cpu_config)])
    truth = "sh iy hh" if model.input_kind == "speech" else "ab"
    one, other = parts.new_metric(cfg), parts.new_metric(cfg)
    one.update([truth], [truth])
    other.update(["sh" if model.input_kind == "speech" else "a"], [truth])
    whole = merged([one, other])
    assert whole.score == pytest.approx((one.score + other.score) / 2) and one.score == 1.0 > other.score
    assert list(whole.columns()) == list(one.columns()) and whole.columns() != one.columns()
