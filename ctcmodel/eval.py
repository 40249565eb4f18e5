"""Evaluate ctcmodel: phone error rates of best-path and prefix-search decoding, on 61 and on 39 folded
phones, one block per MindRecord file.

    python eval.py --checkpoint_path ctc-best.ckpt --eval_dataset_path data/timit_features/test.mindrecord
    python eval.py --config_path cpu_small.yaml --checkpoint_path release/ctcmodel_cpu_small.ckpt

Columns: LER (mean over utterances of edits / reference length, as the official code averages) and corpus
LER (total edits / total reference length), then the utterances and those with an empty reference (left out
of the LER mean).  ``--ler kaldi`` (the default) compares the phone sequences as they are; ``--ler official``
is the official metric: repeated phones merged in the prediction and in the reference, the best path decoded
as the official decoder does (see src/ler.py).  ``--beam_width 0`` skips prefix search; ``--lm_path`` adds a
phone bigram model to it; ``--merge_across_blank true`` decodes the best path as the official decoder does.
``--report DIR`` also writes the wrong samples, the most confused phones and a sheet of the worst
errors into DIR (``src/model_utils/report.py``).
"""
from __future__ import annotations

from types import SimpleNamespace

from src.evaluation import PhoneScores
from src.model_utils.config import load_config
from src.model_utils.entry import evaluate
from src.model_utils.errors import run_cli
from src.model_utils.eval_table import print_results
from src.parts import PARTS


def print_tables(cfg: SimpleNamespace) -> dict[str, PhoneScores]:
    """Evaluate, then print the error rates of every decoder and phone set per file; return the scores."""
    results = evaluate(cfg, PARTS)
    for path, scores in results.items():
        print_results(dict(scores.rows()), last_row=None, first_header=path)
    return results


if __name__ == "__main__":
    run_cli(lambda: print_tables(load_config(description=__doc__)))
