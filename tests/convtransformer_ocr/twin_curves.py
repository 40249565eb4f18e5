"""Record the plate profile's training from one start in MindSpore and in the PyTorch twin, side by side:

    python tests/convtransformer_ocr/twin_curves.py --plates DIR [--count 32] [--steps 200] [overrides ...]

DIR is a gt.txt folder (``convtransformer_ocr/synth_plates.py --out D --train 64 --val 0`` -> D/train).  Both
frameworks start from the MindSpore network's own initialisation, take the same batch of ``--count`` plates
``--steps`` times with AdamW, the config's warm-up, schedule and clipping, and print every 10th step's loss
and plates read, then the first step at which each read every plate (the overfit test's step budget comes
from the twin's).  Extra arguments override cpu_small.yaml (e.g. --base_lr 0.002).
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                os.path.dirname(os.path.abspath(__file__))]
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")

import mindspore as ms  # noqa: E402
import torch  # noqa: E402

from convtransformer_ocr.src.model_utils.lr_schedule import warmup_lr  # noqa: E402
from twin_training import mindspore_steps, plate_batch, plate_config, same_start, torch_steps  # noqa: E402


def first_all_read(read: dict[int, int], count: int) -> str:
    steps = [step for step, n in sorted(read.items()) if n == count]
    return str(steps[0]) if steps else "never"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plates", required=True)
    parser.add_argument("--count", type=int, default=32)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--adam_weight_decay", action="store_true")
    args, overrides = parser.parse_known_args()
    ms.set_context(mode=ms.GRAPH_MODE)
    ms.set_device("CPU")
    torch.set_num_threads(2)
    cfg = plate_config("--train_batch_size", str(args.count), *overrides)
    batch = plate_batch(cfg, args.plates, args.count)
    net, twin = same_start(cfg)
    lrs = warmup_lr(cfg.base_lr, args.steps, cfg.warmup_steps, cfg.warmup_ratio, cfg.lr_decay)
    twin_losses, twin_read = torch_steps(cfg, twin, batch, lrs, every=10)
    ms_losses, ms_read = mindspore_steps(cfg, net, batch, args.steps, every=10,
                                         adam_weight_decay=args.adam_weight_decay)
    print("step  loss MindSpore  loss PyTorch  read MindSpore  read PyTorch")
    for step in sorted(ms_read):
        print(f"{step:4d}  {ms_losses[step - 1]:14.4f}  {twin_losses[step - 1]:12.4f}  "
              f"{ms_read[step]:11d}/{args.count}  {twin_read[step]:9d}/{args.count}")
    print(f"every plate read from step: MindSpore {first_all_read(ms_read, args.count)}, "
          f"PyTorch {first_all_read(twin_read, args.count)}")


if __name__ == "__main__":
    main()
