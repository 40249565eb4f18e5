"""Synthesize a speech corpus in the exact TIMIT layout, to train and test ctcmodel without the real TIMIT.

    python synth_speech.py --out data/synth_timit                      # 120 train + 24 test speakers x 10
    python synth_speech.py --out /tmp/tiny --train_speakers 2 --test_speakers 1 --utterances_per_speaker 2

Writes OUT/TRAIN|TEST/DR1..DR8/SPEAKER/UTT.WAV|.PHN|.WRD|.TXT (NIST SPHERE, 16 kHz; TIMIT's 61 phones)
and OUT/synth_speech.json (each speaker's voice and variation); an earlier corpus in OUT is replaced.
Needs the Debian packages flite, espeak-ng, wordnet-base (the sentences) and wamerican.

Unseen voices: TEST speakers (TIMIT's core-test names) use voices no TRAIN speaker uses: flite awb (a
Scottish man, also made into women by a shorter vocal tract and a higher pitch) and the espeak-ng variants
m3 m5 m7 Denis klatt3 f3 f5 belinda.  TRAIN: flite kal, kal16, rms (men, and women the same way), slt (a
woman, and men by a longer tract) and 14 other espeak-ng variants.  Every speaker adds its own vocal-tract
length, pitch, rate and channel; src/speech_synth.py explains the choice.  The same arguments give the
same bytes, whatever --workers is.
"""
from __future__ import annotations

import argparse
import os

from src.model_utils.errors import run_cli
from src.model_utils.work_pool import log_stderr
from src.speech_synth import build_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output folder (gets TRAIN/, TEST/, synth_speech.json)")
    parser.add_argument("--train_speakers", type=int, default=120, help="TRAIN speakers (new TIMIT-like names)")
    parser.add_argument("--test_speakers", type=int, default=24,
                        help="TEST speakers: TIMIT's core-test names up to 24, new names beyond")
    parser.add_argument("--utterances_per_speaker", type=int, default=10,
                        help="SX and SI sentences per speaker (5:3); every 8th speaker also reads SA1, SA2")
    parser.add_argument("--seed", type=int, default=0, help="seed of speakers, sentences and signals")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel processes")
    args = parser.parse_args()
    summary, hours = build_corpus(args.out, args.train_speakers, args.test_speakers, args.utterances_per_speaker,
                                  args.seed, args.workers, log_stderr)
    print(f"wrote {summary['utterances']} utterances ({hours:.2f} h) to {args.out}; voices {summary['voices']}")


if __name__ == "__main__":
    run_cli(main)
