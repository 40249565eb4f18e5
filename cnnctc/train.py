"""Train CNN-CTC on word-image LMDBs in graph mode (Ascend, GPU or CPU).

    python train.py --train_dataset_path /data/ST_MJ                 # zoo config (Ascend)
    python train.py --config_path cpu_small.yaml --train_dataset_path data/synth/train \
        --eval_dataset_path data/synth/val                           # small model on a CPU
    python train.py ... --resume true                                # continue the last run

Checkpoints (network + optimizer state) go to ``save_dir/ckpt`` every
``save_checkpoint_steps`` and at the end, written atomically, the last
``keep_checkpoint_max`` kept; ``save_dir/loss.png`` is the loss curve.  The
sample order is a seeded stream (``src.sampler``), so ``--resume`` also
continues the data where it stopped; ``train_mix`` schedules the share of each
training path (e.g. an easy dataset early, the target domain at the end).
"""
from __future__ import annotations

import os

import mindspore as ms
import mindspore.dataset as ds

from src.callbacks import LossCurve, ProgressLogger
from src.checkpoint import latest_checkpoint, load_into, prune, save_atomic
from src.cli import UsageError, log, run_cli
from src.cnn_ctc import build_network
from src.config import load_config, resolve_path
from src.context import setup_context
from src.dataset import LmdbWordSource, create_dataset, describe, label_converter
from src.evaluate import evaluate_source
from src.loss import CTCLoss, NetWithLoss
from src.lr_schedule import warmup_cosine_lr
from src.sampler import parse_mix, sample_order
from src.train_cell import TrainOneStepCell, build_optimizer


def _paths(value) -> list[str]:
    return [resolve_path(p) for p in ([value] if isinstance(value, str) else value) if p]


def train(cfg) -> str:
    """Run training as configured; return the path of the final checkpoint."""
    train_paths = _paths(cfg.train_dataset_path)
    if not train_paths:
        raise UsageError("no training data: set --train_dataset_path")
    rank, group = setup_context(cfg, cfg.run_distribute)
    ms.set_seed(cfg.seed)
    ds.config.set_seed(cfg.seed)
    say = log if rank == 0 else (lambda _: None)

    converter = label_converter(cfg)
    source = LmdbWordSource(train_paths, converter, cfg.image_height, cfg.image_width)
    say(f"training data: {len(source)} samples\n{describe(source)}")
    for start, weights in parse_mix(cfg.train_mix, len(train_paths)):
        say(f"  from {start:.0%} of the steps on, draw the paths in proportion {', '.join(f'{w:.2f}' for w in weights)}")
    steps_per_epoch = len(source) // (cfg.train_batch_size * group)  # not get_dataset_size(): a filter would scan
    if steps_per_epoch == 0:
        raise UsageError(f"{len(source)} samples give no full batch of {cfg.train_batch_size} on {group} device(s)")
    total_steps = cfg.max_steps or steps_per_epoch * cfg.epochs
    eval_source = None
    if _paths(cfg.eval_dataset_path) and cfg.eval_interval > 0:
        eval_source = LmdbWordSource(_paths(cfg.eval_dataset_path), converter, cfg.image_height,
                                     cfg.image_width, strip_unknown=True)

    net = build_network(cfg)
    if cfg.pretrained:
        load_into(net, resolve_path(cfg.pretrained))
        say(f"initialised from {cfg.pretrained}")
    on_ascend = cfg.device_target == "Ascend"
    if on_ascend:
        net = ms.amp.auto_mixed_precision(net, cfg.amp_level)
    net_with_loss = NetWithLoss(net, CTCLoss(converter.num_class, cfg.final_feature_width))
    lrs = warmup_cosine_lr(cfg.base_lr, total_steps, cfg.warmup_steps, cfg.warmup_ratio)
    optimizer = build_optimizer(cfg, net.trainable_params(), lrs)
    train_cell = TrainOneStepCell(net_with_loss, optimizer, cfg.loss_scale if on_ascend else 1.0,
                                  cfg.clip_grad_norm, cfg.drop_overflow_update)
    train_cell.set_train(True)

    save_dir = resolve_path(cfg.save_dir)
    ckpt_dir = os.path.join(save_dir, "ckpt")
    step = 0
    if cfg.resume:
        last = latest_checkpoint(ckpt_dir, cfg.ckpt_prefix)
        if last is None:
            raise UsageError(f"--resume: no {cfg.ckpt_prefix}-*.ckpt in {ckpt_dir}")
        load_into(train_cell, last)
        step = int(optimizer.global_step.asnumpy().reshape(-1)[0])
        say(f"resumed from {last} at step {step}")
    curve = LossCurve(save_dir, resume_step=step if cfg.resume else None)
    progress = ProgressLogger(total_steps, cfg.train_batch_size * group, cfg.log_interval, step, say)
    say(f"{steps_per_epoch} steps per epoch, {total_steps} steps in all, batch {cfg.train_batch_size} x {group}")

    best_accuracy = -1.0
    final_path = os.path.join(ckpt_dir, f"{cfg.ckpt_prefix}-{total_steps}.ckpt")
    groups = source.indices_by_entry()
    while step < total_steps:  # a second pass only if skipped corrupt images used up the slack
        order = sample_order(groups, cfg.train_mix, total_steps, cfg.train_batch_size, step, group, rank, cfg.seed)
        dataset = create_dataset(source, cfg.train_batch_size, shuffle=False, num_workers=cfg.num_workers,
                                 order=order)
        for image, label, length in dataset.create_tuple_iterator(num_epochs=1):
            loss, overflow, _ = train_cell(image, label, length)
            step += 1
            loss_value = float(loss.asnumpy())
            progress.step(step, loss_value, float(lrs[step - 1]))
            if bool(overflow.asnumpy()):
                say(f"step {step}: gradient overflow")
            accuracy = None
            if eval_source is not None and (step % cfg.eval_interval == 0 or step == total_steps):
                metric = evaluate_source(net, eval_source, converter, cfg.eval_batch_size, cfg.num_workers)
                train_cell.set_train(True)
                accuracy = metric.accuracy
                say(f"step {step}: val word accuracy {metric.accuracy:.4f} norm-ED {metric.norm_ed:.4f} "
                    f"({metric.count} samples)")
                if rank == 0 and accuracy > best_accuracy:
                    best_accuracy = accuracy
                    save_atomic(net, os.path.join(save_dir, "best.ckpt"))
            if rank == 0:
                curve.add(step, loss_value, accuracy)
                if step % cfg.save_checkpoint_steps == 0 or step == total_steps:
                    save_atomic(train_cell, os.path.join(ckpt_dir, f"{cfg.ckpt_prefix}-{step}.ckpt"),
                                append_dict={"step": step, "epoch": step // steps_per_epoch})
                    prune(ckpt_dir, cfg.ckpt_prefix, cfg.keep_checkpoint_max)
                    curve.write()
            if step >= total_steps:
                break
    say(f"training done: {final_path}; loss curve {curve.png_path}")
    if eval_source is not None:
        say(f"best val word accuracy {best_accuracy:.4f}: {os.path.join(save_dir, 'best.ckpt')}")
    return final_path


if __name__ == "__main__":
    run_cli(lambda: train(load_config(description=__doc__)))
