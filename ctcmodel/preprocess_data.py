"""Compute the official ctcmodel features of TIMIT and write the train, test and dev splits to MindRecord.

    python preprocess_data.py --dataset_dir /data/TIMIT --out_dir data/timit        # core test set, no SA
    python preprocess_data.py --dataset_dir /data/TIMIT --out_dir data/timit_all --test_set complete --keep_sa

The second keeps the official ctcmodel's utterances (all of TRAIN and TEST with SA: 4620 / 1680).

DATASET_DIR is the LDC corpus (``TRAIN/DR1/FCJF0/SA1.WAV`` ..., SPHERE or RIFF audio, any letter case; see
``src/timit.py`` for the splits).  Writes OUT_DIR/train.mindrecord, test.mindrecord and dev.mindrecord:
unpadded 39-d features and 61-phone labels (``src/feature_store.py``, ``src/features.py``), and
OUT_DIR/phone_bigram.npz, a phone bigram model of the training transcriptions for prefix search
(``--lm_path``).  Every .PHN is
read first, and a malformed one stops the run.  Features are computed in --workers processes; an utterance
whose audio cannot be read, is too short, or ends before its last .PHN segment is skipped, named in the log and
counted in the summary.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.pool import Pool
from typing import Iterator, Optional, Sequence

import numpy as np

from src.audio import read_audio
from src.feature_store import Record, write_records
from src.features import compute_features
from src.model_utils.errors import DatasetError, UsageError, log, run_cli
from src.model_utils.progress import format_seconds
from src.phone_lm import PhoneBigramLM
from src.phones import PHONES_61
from src.timit import (SPLITS, TEST_SETS, Utterance, find_root, read_labels, read_phn, select_split, split_folder,
                       split_folder_name)

PROGRESS_SECONDS = 2.0


@dataclass
class SplitStats:
    """What went into one split's file, and which utterances were skipped."""

    utterances: int = 0
    frames: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)

    def summary(self, name: str) -> str:
        return (f"{name}: {self.utterances} utterances, {self.frames} frames, {self.seconds / 3600:.2f} h of audio, "
                f"{len(self.skipped)} skipped")


def extract(utterance: Utterance) -> tuple[Optional[np.ndarray], float, str]:
    """(features, seconds of audio, '') of one utterance, or (None, 0, why) when its audio is unusable."""
    try:
        samples, rate = read_audio(utterance.wav)
    except DatasetError as err:
        return None, 0.0, str(err)
    features = compute_features(samples, rate)
    if not len(features):
        return None, 0.0, f"{utterance.wav} is too short ({len(samples)} samples) for one feature frame"
    end = max(segment.end for segment in read_phn(utterance.phn))
    if end > len(samples):
        return None, 0.0, f"{utterance.phn}: a phone ends at sample {end}, past the end of the audio ({len(samples)})"
    return features, len(samples) / rate, ""


def split_records(name: str, utterances: Sequence[Utterance], labels: dict[str, np.ndarray], pool: Pool,
                  stats: SplitStats) -> Iterator[Record]:
    """The records of a split, features computed by ``pool``; progress on stderr, skips in ``stats``."""
    start = last = time.time()
    for done, (utterance, (features, seconds, problem)) in enumerate(
            zip(utterances, pool.imap(extract, utterances, chunksize=4)), 1):
        if features is None:
            log(f"{name}: skipped {utterance.id}: {problem}")
            stats.skipped.append(utterance.id)
        else:
            stats.utterances, stats.frames, stats.seconds = (stats.utterances + 1, stats.frames + len(features),
                                                             stats.seconds + seconds)
            yield Record(utterance.id, features, labels[utterance.id])
        now = time.time()
        if now - last >= PROGRESS_SECONDS or done == len(utterances):
            rate = done / max(now - start, 1e-9)
            sys.stderr.write(f"{name}: {done}/{len(utterances)} utterances, {rate:.1f} utt/s, "
                             f"ETA {format_seconds((len(utterances) - done) / rate)}\n")
            sys.stderr.flush()
            last = now


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset_dir", required=True, help="the TIMIT corpus (the folder holding TRAIN/ and TEST/)")
    parser.add_argument("--out_dir", required=True, help="gets train.mindrecord, test.mindrecord, dev.mindrecord")
    parser.add_argument("--test_set", choices=TEST_SETS, default="core",
                        help="core: the 24-speaker core test set; complete: all 168 TEST speakers")
    parser.add_argument("--keep_sa", action="store_true", help="keep the SA sentences (left out by default)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="feature processes")
    args = parser.parse_args(argv)
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, not {args.workers}")
    if os.path.exists(args.out_dir) and not os.path.isdir(args.out_dir):
        raise UsageError(f"--out_dir {args.out_dir} is a file, not a folder")

    start = time.time()
    root = find_root(args.dataset_dir)
    present = [name for name in SPLITS if split_folder(root, name) is not None]  # e.g. only TEST/: its splits
    splits = {name: select_split(root, name, args.test_set, args.keep_sa) if name in present else []
              for name in SPLITS}
    if not any(splits.values()):
        raise UsageError(f"no utterances to preprocess in {args.dataset_dir}"
                         f"{' (none of the core test speakers: try --test_set complete)' if present else ''}")
    labels = {u.id: read_labels(u.phn) for utterances in splits.values() for u in utterances}
    os.makedirs(args.out_dir, exist_ok=True)
    summary = []
    with mp.get_context("fork").Pool(args.workers) as pool:
        for name, utterances in splits.items():
            path = os.path.join(args.out_dir, f"{name}.mindrecord")
            if not utterances:
                why = "no utterances" if name in present else f"no {split_folder_name(name)}/ folder"
                log(f"{name}: {why} in {args.dataset_dir}: {path} not written")
                for stale in (path, path + ".db"):
                    if os.path.exists(stale):
                        os.remove(stale)
                continue
            stats = SplitStats()
            write_records(path, split_records(name, utterances, labels, pool, stats))
            summary.append(f"{stats.summary(name)} -> {path}")
    if splits["train"]:
        lm_path = os.path.join(args.out_dir, "phone_bigram.npz")
        PhoneBigramLM.train([labels[u.id] for u in splits["train"]], len(PHONES_61)).save(lm_path)
        summary.append(f"phone bigram model of the {len(splits['train'])} training transcriptions -> {lm_path}")
    log(f"summary ({format_seconds(time.time() - start)}):")
    for line in summary:
        log(f"  {line}")


if __name__ == "__main__":
    run_cli(main)
