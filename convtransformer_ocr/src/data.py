"""ConvNextViT's data wiring: gt.txt files (the synthesizer's) or CCPD folders, ModelScope's preprocessing
(RGB, height 32, black right padding to ``line_width``), the batched pipeline and the evaluation."""
from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Optional, Sequence

import mindspore.dataset as ds
import mindspore.dataset.vision as vision
import numpy as np
from mindspore import nn

from .ccpd import CcpdSource
from .metrics import PlateMetric
from .model_utils.augment import Transform, transformed
from .model_utils.ctc import CTCLabelConverter
from .model_utils.errors import DatasetError
from .model_utils.evaluate import evaluate_dataset
from .model_utils.gt_txt import GT_FILE
from .model_utils.pipeline import create_dataset
from .model_utils.report import Recorder
from .model_utils.sources import FileSource, LabelledSource
from .preprocess import decode_rgb, pad_line


def is_gt(path: str) -> bool:
    """A gt.txt dataset (the file, or a folder holding one); any other folder is read as CCPD."""
    if not os.path.exists(path):
        raise DatasetError(f"dataset path {path} does not exist")
    return os.path.isfile(path) or os.path.isfile(os.path.join(path, GT_FILE))


def line_source(cfg: SimpleNamespace, paths: Sequence[str], converter: CTCLabelConverter,
                for_eval: bool = False) -> LabelledSource:
    """The plates at ``paths``: all gt.txt datasets (``model_utils.gt_txt``), or all CCPD folders.  Items are padded uint8 lines
    32 x ``line_width`` x 3.  Labels with characters outside the charset are skipped (and counted), in
    evaluation too, so that no truth is ever shortened."""
    kinds = {is_gt(p) for p in paths}
    if len(kinds) > 1:
        raise DatasetError(f"cannot mix gt.txt datasets and CCPD folders in one setting: {', '.join(paths)}")

    def prepare(data: bytes, augment: Optional[Transform] = None) -> Optional[np.ndarray]:
        rgb = transformed(decode_rgb(data), augment)
        return None if rgb is None else pad_line(rgb, cfg.line_width)

    source_class = FileSource if kinds.pop() else CcpdSource
    return source_class(paths, converter, prepare)


def line_dataset(cfg: SimpleNamespace, source: LabelledSource, batch_size: int,
                 order: Optional[np.ndarray] = None, drop_remainder: bool = True) -> ds.Dataset:
    """Batches (line float32 [B, 3, 32, line_width] in [0, 1], label int32 [B, L], length int32 [B], index)."""
    ops = [vision.Rescale(1.0 / 255.0, 0.0), vision.HWC2CHW()]
    return create_dataset(source, batch_size, ops, cfg.num_workers, order=order, drop_remainder=drop_remainder)


def evaluate_lines(cfg: SimpleNamespace, net: nn.Cell, source: LabelledSource, converter: CTCLabelConverter,
                   recorder: Optional[Recorder] = None) -> PlateMetric:
    """The plate metrics of ``net`` on every usable sample of ``source`` (each recorded in ``recorder`` when
    given)."""
    dataset = line_dataset(cfg, source, cfg.eval_batch_size, drop_remainder=False)
    return evaluate_dataset(net, dataset, converter, cfg.eval_batch_size, PlateMetric, recorder)
