"""Evaluate CNN-CTC on one or many LMDBs: a table of word accuracy, 1 - normalised edit distance, samples.

    python eval.py --checkpoint_path CNNCTC-70000.ckpt --eval_dataset_path data/evaluation
    python eval.py --config_path cpu_small.yaml --checkpoint_path release/cnnctc_cpu_small.ckpt \
        --eval_dataset_path data/synth/val

Each LMDB found under ``eval_dataset_path`` gets its own row (IIIT5K, SVT, IC03,
IC13, IC15, SVTP, CUTE80 in the clovaai layout), then the total.  Ground truth
and predictions are compared case-insensitively on 0-9a-z.  The checkpoint may
be one of ours (training state is ignored) or the official zoo file.
"""
from __future__ import annotations

import os

from src.checkpoint import load_into
from src.cli import UsageError, log, run_cli
from src.cnn_ctc import build_network
from src.config import load_config, resolve_path
from src.context import setup_context
from src.dataset import LmdbWordSource, find_lmdbs, label_converter
from src.evaluate import evaluate_source
from src.metrics import RecognitionMetric


def evaluate(cfg) -> dict[str, RecognitionMetric]:
    """Evaluate ``cfg.checkpoint_path`` on every LMDB of ``cfg.eval_dataset_path``; print and return the table."""
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path")
    paths = [cfg.eval_dataset_path] if isinstance(cfg.eval_dataset_path, str) else cfg.eval_dataset_path
    lmdbs = [lmdb for path in paths for lmdb in find_lmdbs(resolve_path(path))]
    setup_context(cfg)
    net = build_network(cfg)
    load_into(net, resolve_path(cfg.checkpoint_path))
    converter = label_converter(cfg)
    results: dict[str, RecognitionMetric] = {}
    for path in lmdbs:
        source = LmdbWordSource([path], converter, cfg.image_height, cfg.image_width, strip_unknown=True)
        results[path] = evaluate_source(net, source, converter, cfg.eval_batch_size, cfg.num_workers)
        skipped = source.skipped
        if skipped.corrupt_image or skipped.too_long or skipped.out_of_charset or skipped.missing_label:
            log(f"{path}: {skipped.summary()}")
    total = RecognitionMetric()
    for metric in results.values():
        total.correct += metric.correct
        total.norm_ed_sum += metric.norm_ed_sum
        total.count += metric.count
    name_width = max(len(_short(p)) for p in results) + 2
    log(f"{'dataset':<{name_width}}{'word acc':>10}{'1-N.E.D':>10}{'samples':>9}")
    for path, metric in list(results.items()) + [("total", total)]:
        log(f"{_short(path):<{name_width}}{100 * metric.accuracy:>9.2f}%{metric.norm_ed:>10.4f}{metric.count:>9d}")
    return results


def _short(path: str) -> str:
    return path if path == "total" else os.path.relpath(path)


if __name__ == "__main__":
    run_cli(lambda: evaluate(load_config(description=__doc__)))
