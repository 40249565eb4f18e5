"""CNN-CTC's data wiring: its charset, the word LMDB reader with its preprocessing, pipelines and metric."""
from __future__ import annotations

from functools import partial
from types import SimpleNamespace
from typing import Optional, Sequence

import mindspore.dataset as ds
import numpy as np
from mindspore import nn

from .model_utils.ctc import CTCLabelConverter
from .model_utils.evaluate import evaluate_dataset
from .model_utils.report import Recorder
from .model_utils.sources import LmdbWordSource
from .model_utils.metrics import RecognitionMetric, normalizer
from .model_utils.pipeline import create_dataset
from .preprocess import normalize_ops, prepare_image


def word_source(cfg: SimpleNamespace, paths: Sequence[str], converter: CTCLabelConverter,
                for_eval: bool = False) -> LmdbWordSource:
    """Word LMDBs at ``paths`` with CNN-CTC's preprocessing; for evaluation, characters outside the charset
    are stripped from labels (the benchmarks' protocol) instead of the sample being skipped."""
    prepare = partial(prepare_image, height=cfg.image_height, width=cfg.image_width)
    return LmdbWordSource(paths, converter, prepare, strip_unknown=for_eval)


def word_dataset(cfg: SimpleNamespace, source: LmdbWordSource, batch_size: int,
                 order: Optional[np.ndarray] = None, drop_remainder: bool = True) -> ds.Dataset:
    """Batches (image float32 [B,3,H,W], label int32 [B,L], length int32 [B], index) of ``source``."""
    return create_dataset(source, batch_size, normalize_ops(), cfg.num_workers, order=order,
                          drop_remainder=drop_remainder)


def new_metric(cfg: SimpleNamespace) -> RecognitionMetric:
    """Word accuracy and 1-N.E.D under the configured normalisation (clovaai: lower-case 0-9a-z)."""
    return RecognitionMetric(normalizer(cfg.metric_normalize))


def evaluate_words(cfg: SimpleNamespace, net: nn.Cell, source: LmdbWordSource, converter: CTCLabelConverter,
                   recorder: Optional[Recorder] = None) -> RecognitionMetric:
    """Score ``net`` on every usable sample of ``source`` (each recorded in ``recorder`` when given)."""
    dataset = word_dataset(cfg, source, cfg.eval_batch_size, drop_remainder=False)
    return evaluate_dataset(net, dataset, converter, cfg.eval_batch_size, lambda: new_metric(cfg), recorder)
