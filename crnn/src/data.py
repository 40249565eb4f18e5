"""CRNN's data wiring: word LMDBs or MMOCR annotation files with MMOCR's preprocessing, pipelines, metric."""
from __future__ import annotations

from functools import partial
from types import SimpleNamespace
from typing import Optional, Sequence

import mindspore.dataset as ds
import numpy as np
from mindspore import nn

from .annotations import read_annotations
from .metrics import MmocrMetric
from .model_utils.ctc import CTCLabelConverter
from .model_utils.evaluate import evaluate_by_shape, evaluate_dataset
from .model_utils.pipeline import create_dataset
from .model_utils.report import Recorder
from .model_utils.sources import FileSource, LabelledSource, LmdbWordSource
from .preprocess_switch import preprocessing


def word_source(cfg: SimpleNamespace, paths: Sequence[str], converter: CTCLabelConverter,
                for_eval: bool = False) -> LabelledSource:
    """Word images at ``paths``: LMDB folders (or trees of them), or MMOCR ``.json`` annotation files.

    Training resizes to ``image_height`` x ``image_width``; evaluation keeps the ratio when ``test_keep_ratio``
    (MMOCR's test pipeline) and strips characters outside the charset from labels.
    """
    keep_ratio = for_eval and cfg.test_keep_ratio
    prepare = partial(preprocessing(cfg).prepare_image, height=cfg.image_height, width=cfg.image_width,
                      keep_ratio=keep_ratio)
    if all(p.lower().endswith(".json") for p in paths):
        return FileSource(paths, converter, prepare, strip_unknown=for_eval, entries=read_annotations)
    return LmdbWordSource(paths, converter, prepare, strip_unknown=for_eval)


def word_dataset(cfg: SimpleNamespace, source: LabelledSource, batch_size: int,
                 order: Optional[np.ndarray] = None, drop_remainder: bool = True) -> ds.Dataset:
    """Batches (image float32 [B,1,H,W], or [B,3,H,W] for ``official_*``, label int32 [B,L], length int32 [B],
    index) of ``source``."""
    return create_dataset(source, batch_size, preprocessing(cfg).normalize_ops(), cfg.num_workers, order=order,
                          drop_remainder=drop_remainder)


def evaluate_words(cfg: SimpleNamespace, net: nn.Cell, source: LabelledSource, converter: CTCLabelConverter,
                   recorder: Optional[Recorder] = None) -> MmocrMetric:
    """MMOCR's metrics of ``net`` on every usable sample of ``source`` (each recorded in ``recorder`` when
    given)."""
    if cfg.test_keep_ratio:  # widths differ: batched by width, as batch size 1 would give
        return evaluate_by_shape(net, source, converter, cfg.eval_batch_size, MmocrMetric,
                                 preprocessing(cfg).to_network_input, recorder)
    dataset = word_dataset(cfg, source, cfg.eval_batch_size, drop_remainder=False)
    return evaluate_dataset(net, dataset, converter, cfg.eval_batch_size, MmocrMetric, recorder)
