"""Synthesize Chinese licence plates for training and validation (``src/plate_synth.py`` says how, and which
fonts and noise levels only validation plates get).

    python synth_plates.py --out data/synth_plates --train 200000 --val 5000 --workers 2

Writes OUT/train/gt.txt and OUT/val/gt.txt (``images/NNNNNNN.jpg<TAB>text``, read by train.py and eval.py
through --train_dataset_path OUT/train --eval_dataset_path OUT/val), the images, and OUT/manifest.json.
The same seed gives the same files whatever the number of workers.  Progress goes to stderr.

    python synth_plates.py --out data/plate_ablation --train 0 --val 0 --ablation 1000

writes diagnostic sets (never for training) under OUT/ablation/: ``train_style`` (training fonts and noise
levels, fresh plates), ``val_fonts`` (the validation font, training noise), ``val_noise`` (training fonts,
the validation noise) and ``strong_<effect>`` (training fonts and noise but one effect at its validation
strength); ``eval.py --eval_dataset_path`` on them shows which difference of the validation set costs most.
"""
from __future__ import annotations

import argparse

from src.model_utils.errors import UsageError, log, run_cli
from src.plate_synth import ABLATIONS, synthesize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--train", type=int, default=200000, help="training plates")
    parser.add_argument("--val", type=int, default=5000, help="validation plates")
    parser.add_argument("--ablation", type=int, default=0, help="plates of each diagnostic set (see above)")
    parser.add_argument("--seed", type=int, default=1, help="seed of every sample")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    args = parser.parse_args()
    if min(args.train, args.val, args.ablation) < 0 or args.train + args.val + args.ablation == 0:
        raise UsageError("--train, --val and --ablation must not be negative, and not all 0")
    counts = {"train": args.train, "val": args.val, **{name: args.ablation for name in ABLATIONS if args.ablation}}
    manifest = synthesize(args.out, counts, args.seed, args.workers)
    ablation = f" and {args.ablation} plates in each of {len(ABLATIONS)} diagnostic sets" if args.ablation else ""
    log(f"wrote {args.train} training and {args.val} validation plates{ablation} to {args.out} "
        f"({manifest['plates_per_second']} plates/s)")


if __name__ == "__main__":
    run_cli(main)
