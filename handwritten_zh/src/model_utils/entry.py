"""What every model's entry scripts do, wired to the model's own parts: train, evaluate per dataset, export,
infer.  A model folder describes its parts once (``src/parts.py``: network, classes, data source and
preprocessing, pipeline, metric, recognizer); its ``train.py``, ``eval.py``, ``export.py`` and ``infer.py``
pass the configuration read once and those parts here.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable, Optional, Sequence

import mindspore.dataset as ds
import numpy as np
from mindspore import nn

from .augment import Augmenter
from .checkpoint import classes_digest, load_into
from .compile_cache import enable_compile_cache
from .config import path_list, require_positive, resolve_path
from .context import setup_context
from .ctc import CTCLabelConverter, CTCLoss
from .errors import UsageError, log
from .export import check_format, export_network
from .fit import Source, TrainData, check_settings, fit
from .infer_io import checked_output, collect_inputs, report
from .metrics import NORMALIZERS, Metric
from .report import Recorder, Report, checked_folder, input_picture


@dataclass(frozen=True)
class ModelParts:
    """A model's own parts, as its ``src/parts.py`` gives them."""

    build_network: Callable[[SimpleNamespace], nn.Cell]
    label_converter: Callable[[SimpleNamespace], CTCLabelConverter]
    source: Callable[..., Source]                   # (cfg, paths, converter, for_eval) -> labelled source
    dataset: Callable[..., ds.Dataset]              # (cfg, source, batch size, order) -> training batches
    evaluate: Callable[..., Metric]                 # (cfg, network, source, converter[, Recorder]) -> filled metric
    new_metric: Callable[[SimpleNamespace], Metric]
    find_datasets: Callable[[str], list[str]]       # an evaluation path -> its datasets (a table row each)
    input_shape: Callable[[SimpleNamespace], tuple]  # cfg -> network input without the batch axis
    recognizer: Callable[..., Any]                  # (model path, cfg, batch size) -> object with predict()
    input_extensions: tuple[str, ...]               # what infer.py takes as an input file
    # models whose network takes more than the input (e.g. valid lengths): their training data (batches,
    # network inputs, length buckets) and the (shape, numpy dtype) of their further inputs for export
    train_data: Optional[Callable[[SimpleNamespace, Source], TrainData]] = None
    extra_inputs: Callable[[SimpleNamespace], list] = lambda cfg: []
    fixed_shape: bool = False  # every inference input has one shape: infer.py uses the compile cache
    # eval.py --report: a text's comparison form (the metric's normalisation: what counts as wrong), and the
    # picture of a sample's input, (source, index) -> uint8 image
    compare: Callable[[SimpleNamespace], Callable[[str], str]] = lambda cfg: NORMALIZERS["exact"]
    picture: Callable[[SimpleNamespace], Callable[[Any, int], np.ndarray]] = lambda cfg: input_picture


def training_source(cfg: SimpleNamespace, parts: ModelParts, paths: Sequence[str],
                    converter: CTCLabelConverter) -> Source:
    """The training source of ``paths``; with ``augment`` (a key of the image models only) it augments every
    draw (``augment.Augmenter``).  Evaluation sources never do."""
    augmenter = Augmenter.from_config(cfg) if getattr(cfg, "augment", False) else None  # checked before indexing
    source = parts.source(cfg, paths, converter, False)
    if augmenter is not None:
        source.augment = augmenter
    return source


def train(cfg: SimpleNamespace, parts: ModelParts) -> str:
    """Train as configured (``model_utils.fit``); return the path of the final checkpoint."""
    train_paths, eval_paths = path_list(cfg.train_dataset_path), path_list(cfg.eval_dataset_path)
    if not train_paths:
        raise UsageError("no training data: set --train_dataset_path")
    check_settings(cfg, len(train_paths))
    rank, group = setup_context(cfg, cfg.run_distribute)
    converter = parts.label_converter(cfg)
    source = training_source(cfg, parts, train_paths, converter)
    net = parts.build_network(cfg)
    evaluate: Optional[Callable[[], Metric]] = None
    if eval_paths and cfg.eval_interval > 0:
        eval_source = parts.source(cfg, eval_paths, converter, True)
        evaluate = lambda: parts.evaluate(cfg, net, eval_source, converter)  # noqa: E731

    def make_dataset(order: np.ndarray) -> ds.Dataset:
        return parts.dataset(cfg, source, cfg.train_batch_size, order)

    data = parts.train_data(cfg, source) if parts.train_data else TrainData(source, make_dataset)
    return fit(cfg, net, CTCLoss(converter.blank), data, rank, group, evaluate, classes_digest(converter.tokens))


def evaluate(cfg: SimpleNamespace, parts: ModelParts) -> dict[str, Metric]:
    """Evaluate ``cfg.checkpoint_path`` on every dataset of ``cfg.eval_dataset_path``; return path -> metric.
    With ``cfg.report`` a folder, also write the report of the errors there (``model_utils.report``)."""
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path")
    paths = path_list(cfg.eval_dataset_path)
    if not paths:
        raise UsageError("set --eval_dataset_path")
    require_positive(cfg, "eval_batch_size")
    folder = checked_folder(resolve_path(cfg.report)) if cfg.report else ""
    datasets = list(dict.fromkeys(found for path in paths for found in parts.find_datasets(path)))
    converter = parts.label_converter(cfg)
    setup_context(cfg)
    net = parts.build_network(cfg)
    load_into(net, resolve_path(cfg.checkpoint_path), classes=classes_digest(converter.tokens))
    report = Report(folder, parts.compare(cfg), converter.split, converter.separator, parts.picture(cfg)) \
        if folder else None
    results = {}
    for path in datasets:
        source = parts.source(cfg, [path], converter, True)
        if report is None:
            results[path] = parts.evaluate(cfg, net, source, converter)
        else:
            recorder = Recorder()
            results[path] = parts.evaluate(cfg, net, source, converter, recorder)
            report.add(path, source, recorder)
        if source.skipped.any():
            log(f"{path}: {source.skipped.summary()}")
    if report is not None:
        report.write()
    return results


def export(cfg: SimpleNamespace, parts: ModelParts) -> str:
    """Export ``cfg.checkpoint_path`` to ``cfg.file_name`` + extension; return the file path."""
    file_format = check_format(cfg.file_format, cfg.device_target)
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path")
    require_positive(cfg, "export_batch_size")
    setup_context(cfg)
    net = parts.build_network(cfg)
    load_into(net, resolve_path(cfg.checkpoint_path), classes=classes_digest(parts.label_converter(cfg).tokens))
    shape = parts.input_shape(cfg)
    path = export_network(net, shape, resolve_path(cfg.file_name), file_format, cfg.export_batch_size,
                          parts.extra_inputs(cfg))
    kind = {"MINDIR": "dynamic batch", "CKPT": "network parameters only"}.get(file_format,
                                                                            f"batch {cfg.export_batch_size}")
    log(f"exported {path} ({kind}, input [N,{','.join(map(str, shape))}])")
    return path


def infer(cfg: SimpleNamespace, parts: ModelParts) -> list[tuple[str, str, float]]:
    """Recognise every input of ``cfg.input``; print the table (and the metric when labels are given), write
    ``cfg.output``; return (path, text, confidence) rows."""
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path to a .ckpt or .mindir file")
    require_positive(cfg, "infer_batch_size")
    entries = path_list(cfg.input)
    items = collect_inputs(entries, parts.input_extensions)
    checkpoint = resolve_path(cfg.checkpoint_path)
    output = checked_output(cfg.output, [checkpoint, cfg.config_path, *entries, *(path for path, _ in items)])
    setup_context(cfg)
    # a batch no larger than the inputs: one image is not padded to a batch of 32 (a third of a cold start)
    batch_size = min(cfg.infer_batch_size, len(items))
    if parts.fixed_shape:
        enable_compile_cache(cfg, checkpoint, batch_size)
    recognizer = parts.recognizer(checkpoint, cfg, batch_size)
    return report(items, recognizer.predict([path for path, _ in items]), lambda: parts.new_metric(cfg), output)
