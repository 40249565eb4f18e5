"""The training loop of every model: resume, seeded sample order, periodic checkpoints and evaluation,
best checkpoint, rotation, progress, loss curve, and a stop on a diverged loss.

``fit`` reads these keys of the config: train_batch_size, epochs, max_steps, optimizer, base_lr,
momentum, adam_eps, weight_decay, warmup_steps, warmup_ratio, lr_decay, clip_grad_norm, loss_scale,
drop_overflow_update, amp_level, device_target, seed, train_mix, pretrained, resume, save_dir,
ckpt_prefix, save_checkpoint_steps, keep_checkpoint_max, log_interval, eval_interval,
nonfinite_patience, log_samples, save_all_ranks, overwrite.  A source that augments
(``sources.LabelledSource.augment``) gets each draw's epoch with its index, so that a resumed run draws the
same augmentations.
"""
from __future__ import annotations

import math
import os
from contextlib import ExitStack
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable, Optional, Protocol

import mindspore as ms
import mindspore.dataset as ds
import numpy as np
from mindspore import nn

from . import digest
from .checkpoint import CLASSES_KEY, latest_checkpoint, load_into
from .config import require_positive, resolve_path
from .ctc import NetWithLoss
from .errors import UsageError, log
from .lr_schedule import warmup_lr
from .metrics import Metric
from .progress import ProgressLogger
from .run_folder import RunFolder, check_save_dir
from .sampler import parse_mix, sample_order
from .train_step import ClippedTrainStep, build_optimizer

DIVERGED_GROWTH = 1e3  # a loss this many times the run's first one (at least 1) is a diverged run


class Source(Protocol):
    """What ``fit`` needs of a training sample source."""

    skipped: object  # counts of skipped samples, with ``any()`` and ``summary()``

    def __len__(self) -> int: ...

    def indices_by_entry(self) -> list[np.ndarray]: ...

    def describe(self) -> str: ...


@dataclass
class TrainData:
    """A training source and how to batch it: ``make_dataset(order)`` yields (*loss inputs, sample indices),
    the first ``network_inputs`` of which go to the network (the rest, after the logits, to the loss).
    With ``lengths`` (one per sample) and ``bucket_steps`` the steps hold samples of similar length
    (``sampler.bucket_by_length``)."""

    source: Source
    make_dataset: Callable[[np.ndarray], ds.Dataset]
    unit: str = "img"
    network_inputs: int = 1
    lengths: Optional[np.ndarray] = None
    bucket_steps: int = 0

    @property
    def augmented(self) -> bool:
        """Whether the source augments its draws: it then reads (index, epoch) rows (``pipeline.InOrder``)."""
        return getattr(self.source, "augment", None) is not None


def check_settings(cfg: SimpleNamespace, num_train_paths: int) -> None:
    """Refuse training settings that cannot work (``fit`` calls it; call it before indexing data to fail fast)."""
    parse_mix(cfg.train_mix, num_train_paths)
    require_positive(cfg, "train_batch_size", "save_checkpoint_steps", "log_interval", "nonfinite_patience",
                     "base_lr", *(() if cfg.max_steps else ("epochs",)))
    negative = [f"--{key} {getattr(cfg, key)}" for key in ("max_steps", "eval_interval", "keep_checkpoint_max")
                if getattr(cfg, key) < 0]
    if negative:
        raise UsageError(f"these settings must not be negative: {', '.join(negative)}")
    if not math.isfinite(cfg.base_lr):
        raise UsageError(f"--base_lr must be finite, got {cfg.base_lr}")
    check_save_dir(cfg)


def build_train_step(cfg: SimpleNamespace, network: nn.Cell, loss: nn.Cell, total_steps: int,
                     network_inputs: int = 1, steps_per_epoch: int = 1) -> tuple[ClippedTrainStep, np.ndarray]:
    """The train step of ``network`` + ``loss`` in training mode, and its per-step learning rates.

    On Ascend the network runs in ``amp_level`` mixed precision with the fixed ``loss_scale``.
    """
    on_ascend = cfg.device_target == "Ascend"
    if on_ascend:
        ms.amp.auto_mixed_precision(network, cfg.amp_level)
    lrs = warmup_lr(cfg.base_lr, total_steps, cfg.warmup_steps, cfg.warmup_ratio, cfg.lr_decay, steps_per_epoch)
    optimizer = build_optimizer(cfg, network.trainable_params(), lrs)
    train_cell = ClippedTrainStep(NetWithLoss(network, loss, network_inputs), optimizer, cfg.loss_scale if on_ascend else 1.0,
                                  cfg.clip_grad_norm, cfg.drop_overflow_update)
    train_cell.set_train(True)
    return train_cell, lrs


def fit(cfg: SimpleNamespace, network: nn.Cell, loss: nn.Cell, data: TrainData, rank: int = 0, group: int = 1,
        evaluate: Optional[Callable[[], Metric]] = None, classes: Optional[int] = None) -> str:
    """Train ``network`` with ``loss`` on ``data`` as ``cfg`` says; return the final checkpoint's path.

    Checkpoints (network + optimizer state) go to ``save_dir/ckpt`` every ``save_checkpoint_steps``
    and at the end, written atomically before any evaluation, the last ``keep_checkpoint_max`` kept;
    ``best.ckpt`` holds the network with the best ``evaluate()`` score (kept across ``--resume``).
    ``classes`` (``checkpoint.classes_digest`` of the class list) is saved in every checkpoint and checked on
    ``--resume``.
    With ``log_samples`` every rank writes the sample indices of each step to ``samples_rank{r}.csv``.
    """
    groups = data.source.indices_by_entry()
    check_settings(cfg, len(groups))
    say = log if rank == 0 else (lambda _message: None)
    batch = cfg.train_batch_size
    steps_per_epoch = len(data.source) // (batch * group)
    if steps_per_epoch == 0:
        raise UsageError(f"{len(data.source)} samples give no full batch of {batch} on {group} device(s)")
    total_steps = cfg.max_steps or steps_per_epoch * cfg.epochs
    say(f"model_utils {digest()}\ntraining data: {len(data.source)} samples\n{data.source.describe()}")
    for start, weights in parse_mix(cfg.train_mix, len(groups)):
        shares = ', '.join(f'{w:.2f}' for w in weights)
        say(f"  from {start:.0%} of the steps on, draw the paths in proportion {shares}")
    if data.augmented:
        say(f"augmenting every training draw: {data.source.augment.describe()}")

    if cfg.pretrained:
        load_into(network, resolve_path(cfg.pretrained))
        say(f"initialised from {cfg.pretrained}")
    train_cell, lrs = build_train_step(cfg, network, loss, total_steps, data.network_inputs, steps_per_epoch)
    optimizer = train_cell.optimizer

    step = 0
    out = RunFolder(cfg, rank, network, {} if classes is None else {CLASSES_KEY: classes})
    if cfg.resume:
        last = latest_checkpoint(out.ckpt_dir, cfg.ckpt_prefix)
        if last is None:
            raise UsageError(f"--resume: no {cfg.ckpt_prefix}-*.ckpt in {out.ckpt_dir}")
        load_into(train_cell, last, keep=("learning_rate",), classes=classes)  # the schedule of this run's config
        step = int(optimizer.global_step.asnumpy().reshape(-1)[0])
        say(f"resumed from {last} at step {step}")
    out.start(step if cfg.resume else None)
    progress = ProgressLogger(total_steps, batch * group, cfg.log_interval, step, say, data.unit)
    say(f"{steps_per_epoch} steps per epoch, {total_steps} steps in all, batch {batch} x {group}")

    def run_evaluation(at: int) -> None:
        result = evaluate()
        train_cell.set_train(True)
        say(f"step {at}: validation {result.summary()}")
        out.offer_best(at, result.score)
        out.add_score(at, result.score)

    def evaluation_due(at: int) -> bool:
        return evaluate is not None and cfg.eval_interval > 0 and (at % cfg.eval_interval == 0 or at == total_steps)

    if cfg.resume and evaluation_due(step) and out.evaluation_pending(step):
        say(f"step {step}: its evaluation was interrupted, evaluating again")  # e.g. kill -9 while evaluating
        run_evaluation(step)
    with ExitStack() as stack:
        sample_log = stack.enter_context(open(os.path.join(out.save_dir, f"samples_rank{rank}.csv"), "a",
                                              encoding="utf-8")) if cfg.log_samples else None
        nonfinite, first_loss = 0, None
        stream_step, end_step, first_pass = step, None, 0
        while step < total_steps:  # a further pass only if skipped corrupt samples used up the slack
            order = sample_order(groups, cfg.train_mix, total_steps, batch, stream_step, group, rank, cfg.seed,
                                 lengths=data.lengths, bucket_steps=data.bucket_steps, epochs=data.augmented,
                                 end_step=end_step)
            pass_start, first_pass = step, first_pass or len(order)
            for *inputs, indices in data.make_dataset(order).create_tuple_iterator(num_epochs=1):
                loss_value = float(train_cell(*inputs)[0].asnumpy())
                step += 1
                final = step == total_steps
                if sample_log:
                    sample_log.write(f"{step},{' '.join(map(str, indices.asnumpy().tolist()))}\n")
                progress.step(step, loss_value, float(lrs[step - 1]))
                first_loss = first_loss if first_loss is not None or not math.isfinite(loss_value) else loss_value
                if not math.isfinite(loss_value) or loss_value > DIVERGED_GROWTH * max(first_loss, 1.0):
                    nonfinite += 1  # never saved, evaluated or pruned for
                    growth = "" if not math.isfinite(loss_value) else \
                        f", {loss_value / max(first_loss, 1.0):.3g} times the first"
                    say(f"step {step}: the loss is {loss_value}{growth}")
                    if nonfinite >= cfg.nonfinite_patience or final:
                        raise UsageError(f"training diverged: the loss was not finite or grew over "
                                         f"{DIVERGED_GROWTH:g} times for {nonfinite} step(s) in a row, up to step "
                                         f"{step}; the checkpoints saved before are kept in {out.ckpt_dir}; lower "
                                         "--base_lr or --clip_grad_norm")
                else:
                    nonfinite = 0
                    save = step % cfg.save_checkpoint_steps == 0 or final
                    if save or evaluation_due(step):
                        out.check_finite(step)
                    if save:
                        out.save_step(train_cell, step, step // steps_per_epoch)
                    out.add_loss(step, loss_value, write=save)  # saved with the checkpoint, before evaluating
                    if evaluation_due(step):
                        run_evaluation(step)
                if final:
                    break
            if step == pass_start and len(order) >= first_pass:
                raise UsageError(f"no training step could be made from {len(order)} samples in a row "
                                 f"({data.source.skipped.summary()}); check the training data")
            # the next pass reads the samples after this one's: twice the missing steps' worth, or twice this
            # pass's after it made no step (until a pass as long as the first one made none: the error above)
            pass_steps = len(order) // batch
            stream_step += pass_steps
            end_step = stream_step + 2 * (pass_steps if step == pass_start else total_steps - step) + 1
    if data.source.skipped.any():
        say(f"training data {data.source.skipped.summary()}")
    say(f"training done: {out.step_path(total_steps)}; loss curve {out.curve.png_path}")
    if out.best_score > -math.inf:
        say(f"best validation score {out.best_score:.4f}: {out.best_path}")
    return out.step_path(total_steps)
