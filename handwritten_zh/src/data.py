"""handwritten_zh's data wiring: text lines of SCUT-EPT splits and ``gt.txt`` files with the reference's
preprocessing (gray, height ``image_height``, edge padding), training batches of lines of similar widths, and
evaluation with the reference's protocol.

A batch is (lines float32 [B, 1, H, W] with values 0..255, labels int32 [B, L] padded with the blank, label
lengths int32 [B], sample indices); W is the batch's widest line rounded up to a multiple of ``width_step``,
the others edge-padded to it.  With ``bucket_steps`` the sampler fills each step with lines of similar width
(``model_utils.sampler``), read from the image headers when the source is indexed.
"""
from __future__ import annotations

from functools import partial
from types import SimpleNamespace
from typing import Optional, Sequence

import mindspore.dataset as ds
import numpy as np
from mindspore import nn
from PIL import Image

from .charset import CharsetConverter
from .decoding import LineDecoder, read_designated
from .line_source import LineSource
from .metrics import CharacterMetric
from .model_utils.errors import ConfigError
from .model_utils.fit import TrainData
from .model_utils.pipeline import create_dataset
from .model_utils.evaluate import evaluate_by_shape
from .model_utils.report import Recorder
from .preprocess import WIDTH_STEP, bucket_width, pad_batch, prepare_line, resized_width


def check_width_step(cfg: SimpleNamespace) -> int:
    """``width_step``, refused unless a positive multiple of the network's stride 16."""
    if cfg.width_step <= 0 or cfg.width_step % WIDTH_STEP:
        raise ConfigError(f"--width_step must be a positive multiple of {WIDTH_STEP}, got {cfg.width_step}")
    return cfg.width_step


def line_source(cfg: SimpleNamespace, paths: Sequence[str], converter: CharsetConverter,
                for_eval: bool = False) -> LineSource:
    """The lines at ``paths`` (SCUT-EPT splits, ``gt.txt`` files) prepared to height ``image_height``."""
    return LineSource(paths, converter, partial(prepare_line, height=cfg.image_height), for_eval, cfg.max_width)


def pad_lines(images: list[np.ndarray], width_step: int) -> np.ndarray:
    """Prepared lines (H x W x 1 uint8) as network input [B, 1, H, W_bucket] float32, edge-padded."""
    return pad_batch(images, width_step).astype(np.float32).transpose(0, 3, 1, 2)


def eval_width(cfg: SimpleNamespace, width: int) -> int:
    """The padded width of a prepared line of ``width`` px in evaluation and inference: ``max_width`` (the
    reference's 2000) with ``pad_to_max_width``, else a multiple of ``width_step``."""
    return cfg.max_width if cfg.pad_to_max_width else bucket_width(width, check_width_step(cfg))


def line_dataset(cfg: SimpleNamespace, source: LineSource, batch_size: int, order: Optional[np.ndarray] = None,
                 drop_remainder: bool = True) -> ds.Dataset:
    """Batches (lines, labels, label lengths, indices) of ``source`` in ``order``."""
    return create_dataset(source, batch_size, [], cfg.num_workers, order=order, drop_remainder=drop_remainder,
                          pad_inputs=partial(pad_lines, width_step=check_width_step(cfg)))


def line_widths(cfg: SimpleNamespace, source: LineSource) -> np.ndarray:
    """Each line's width after resizing to ``image_height``, from its image header (0 when unreadable)."""
    widths = np.zeros(len(source), np.int32)
    for number, (_, path, _) in enumerate(source.samples):
        try:
            with Image.open(path) as image:
                widths[number] = resized_width(image.height, image.width, cfg.image_height)
        except OSError:
            pass  # counted as corrupt when read
    return widths


def train_data(cfg: SimpleNamespace, source: LineSource) -> TrainData:
    """Training batches of ``source``; with ``bucket_steps`` each step's lines have similar widths."""
    check_width_step(cfg)
    buckets = cfg.bucket_steps > 0
    return TrainData(source, lambda order: line_dataset(cfg, source, cfg.train_batch_size, order),
                     unit="line", lengths=line_widths(cfg, source) if buckets else None,
                     bucket_steps=cfg.bucket_steps)


def line_decoder(cfg: SimpleNamespace, converter: CharsetConverter) -> LineDecoder:
    """Greedy decoding, restricted to ``designated_characters`` when that is set."""
    designated = read_designated(cfg.designated_characters, converter) if cfg.designated_characters else None
    return LineDecoder(converter, designated, cfg.top_k)


def evaluate_lines(cfg: SimpleNamespace, net: nn.Cell, source: LineSource, converter: CharsetConverter,
                   recorder: Optional[Recorder] = None) -> CharacterMetric:
    """1 - CER and line accuracy of ``net`` on every line of ``source`` that fits ``max_width``; lines of one
    padded width (``eval_width``) run together, ``eval_batch_size`` at a time.  ``recorder`` (eval.py
    --report) receives every line's result."""
    decoder = line_decoder(cfg, converter)
    wide_before = source.too_wide
    metric = evaluate_by_shape(net, source, converter, cfg.eval_batch_size, CharacterMetric,
                               lambda image: pad_lines([image], eval_width(cfg, image.shape[1]))[0], recorder,
                               lambda logits: [(line.text, line.confidence) for line in decoder.decode(logits)])
    metric.skipped_wide = source.too_wide - wide_before
    return metric
