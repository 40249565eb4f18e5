"""Evaluate CNN-CTC on one or many LMDBs: a table of word accuracy, 1 - normalised edit distance, samples.

    python eval.py --checkpoint_path CNNCTC-70000.ckpt --eval_dataset_path data/evaluation
    python eval.py --config_path cpu_small.yaml --checkpoint_path release/cnnctc_cpu_small.ckpt \
        --eval_dataset_path data/synth/val

Each LMDB found under ``eval_dataset_path`` gets its own row (IIIT5K, SVT, IC03, IC13, IC15, SVTP,
CUTE80 in the clovaai layout), then the total.  Ground truth and predictions are compared after
``metric_normalize`` (clovaai's protocol by default: case-insensitive, 0-9a-z only).  The
checkpoint may be one of ours (training state is ignored) or the official zoo file.
"""
from __future__ import annotations

import os
from types import SimpleNamespace

from src.cnn_ctc import build_network, label_converter
from src.data import evaluate_words, new_metric, word_source
from src.model_utils.checkpoint import load_into
from src.model_utils.config import load_config, path_list, require_positive, resolve_path
from src.model_utils.context import setup_context
from src.model_utils.errors import UsageError, log, run_cli
from src.model_utils.lmdb_source import find_lmdbs
from src.model_utils.metrics import RecognitionMetric


def evaluate(cfg: SimpleNamespace) -> dict[str, RecognitionMetric]:
    """Evaluate ``cfg.checkpoint_path`` on every LMDB of ``cfg.eval_dataset_path``; print and return the table."""
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path")
    paths = path_list(cfg.eval_dataset_path)
    if not paths:
        raise UsageError("set --eval_dataset_path")
    require_positive(cfg, "eval_batch_size")
    lmdbs = list(dict.fromkeys(lmdb for path in paths for lmdb in find_lmdbs(path)))
    converter = label_converter(cfg)
    setup_context(cfg)
    net = build_network(cfg)
    load_into(net, resolve_path(cfg.checkpoint_path))
    results: dict[str, RecognitionMetric] = {}
    for path in lmdbs:
        source = word_source(cfg, [path], converter, for_eval=True)
        results[path] = evaluate_words(cfg, net, source, converter)
        if source.skipped.any():
            log(f"{path}: {source.skipped.summary()}")
    total = new_metric(cfg)
    for metric in results.values():
        total.merge(metric)
    name_width = max(len(_short(p)) for p in results) + 2
    log(f"{'dataset':<{name_width}}{'word acc':>10}{'1-N.E.D':>10}{'samples':>9}")
    for path, metric in list(results.items()) + [("total", total)]:
        log(f"{_short(path):<{name_width}}{100 * metric.accuracy:>9.2f}%{metric.norm_ed:>10.4f}{metric.count:>9d}")
    return results


def _short(path: str) -> str:
    return path if path == "total" else os.path.relpath(path)


if __name__ == "__main__":
    run_cli(lambda: evaluate(load_config(description=__doc__)))
