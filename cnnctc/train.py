"""Train CNN-CTC on word-image LMDBs in graph mode (Ascend, GPU or CPU).

    python train.py --train_dataset_path /data/ST_MJ                 # zoo config (Ascend)
    python train.py --config_path cpu_small.yaml --train_dataset_path data/synth/train \
        --eval_dataset_path data/synth/val                           # small model on a CPU
    python train.py ... --resume true                                # continue the last run

Checkpoints (network + optimizer state) go to ``save_dir/ckpt`` every ``save_checkpoint_steps``
and at the end, written atomically, the last ``keep_checkpoint_max`` kept; ``save_dir/loss.png``
is the loss curve.  The sample order is a seeded stream, so ``--resume`` also continues the data
where it stopped; ``train_mix`` schedules the share of each training path (e.g. an easy dataset
early, the target domain at the end).  The loop is ``src/model_utils/fit.py``.
"""
from __future__ import annotations

from types import SimpleNamespace

from src.cnn_ctc import build_network, label_converter
from src.data import evaluate_words, word_dataset, word_source
from src.model_utils.config import load_config, path_list
from src.model_utils.context import setup_context
from src.model_utils.ctc import CTCLoss
from src.model_utils.errors import UsageError, run_cli
from src.model_utils.fit import TrainData, check_settings, fit


def train(cfg: SimpleNamespace) -> str:
    """Run training as configured; return the path of the final checkpoint."""
    train_paths, eval_paths = path_list(cfg.train_dataset_path), path_list(cfg.eval_dataset_path)
    if not train_paths:
        raise UsageError("no training data: set --train_dataset_path")
    check_settings(cfg, len(train_paths))
    rank, group = setup_context(cfg, cfg.run_distribute)
    converter = label_converter(cfg)
    source = word_source(cfg, train_paths, converter)
    net = build_network(cfg)
    evaluate = None
    if eval_paths and cfg.eval_interval > 0:
        eval_source = word_source(cfg, eval_paths, converter, for_eval=True)
        evaluate = lambda: evaluate_words(cfg, net, eval_source, converter)  # noqa: E731
    data = TrainData(source, lambda order: word_dataset(cfg, source, cfg.train_batch_size, order=order))
    return fit(cfg, net, CTCLoss(converter.blank), data, rank, group, evaluate)


if __name__ == "__main__":
    run_cli(lambda: train(load_config(description=__doc__)))
