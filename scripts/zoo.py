"""The whole zoo in one run: fresh inputs for every model, every released checkpoint through ``hub_conf.pipeline``.

    python scripts/zoo.py [--out quickstart_output] [--count 6]

Synthesizes ``--count`` inputs per model with the repository's synthesizers (validation splits: words and
fonts, voices, font families and plate styles never seen in training), by input kind (zoo.yaml): words,
TIMIT-layout speech, handwriting-like Chinese lines, plates.  Runs
the card of each model's release (the last card whose checkpoint is in this repository), prints one table (model, input,
truth, result, confidence, correct) and each model's metric, writes ``OUT/zoo.tsv`` and the picture
``OUT/zoo.png`` (scripts/zoo_picture.py) and the per-model timings.  Exit 0; errors print one ``error:`` line.
"""
from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.dirname(os.path.abspath(__file__))]
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")
os.environ.setdefault("GLOG_v", "3")
from hub_conf import HubError, hub_uids, pipeline  # noqa: E402  pylint: disable=wrong-import-position
from hub_conf.card import find_card  # noqa: E402  pylint: disable=wrong-import-position
from zoo_registry import models, synthesizer  # noqa: E402  pylint: disable=wrong-import-position


def released_cards() -> dict[str, str]:
    """Per model folder, the last uid (in sorted order) of the cards whose checkpoint is in this repository."""
    cards = {}
    for uid in hub_uids():
        card = find_card(uid)
        if card.folder is not None and card.checkpoint is not None and not card.checkpoint.is_url:
            cards[card.folder.rsplit("/", 1)[-1]] = uid
    return cards

SEED = 22  # not a training seed; validation splits hold no training word, font, voice or plate style
SYNTH_ARGS = {  # per input kind: the synthesizer's arguments for ``count`` validation inputs
    "words": lambda count: ("--train", "0", "--val", str(count), "--export_val_images", str(count)),
    "speech": lambda count: ("--train_speakers", "1", "--test_speakers", str(max(1, (count + 1) // 2)),
                             "--utterances_per_speaker", "2"),
    "lines": lambda count: ("--train", "0", "--val", str(count)),
    "plates": lambda count: ("--train", "0", "--val", str(count)),
}


@dataclass
class Row:
    """One input of the zoo table."""

    model: str
    path: str
    name: str
    truth: str
    text: str
    confidence: float
    correct: bool
    timed: tuple = ()


def _run(*command: str) -> None:
    proc = subprocess.run([sys.executable, *command], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"error: {' '.join(command[:1])} failed: {(proc.stderr or proc.stdout).strip()[-400:]}")


def _gt_items(gt: str, count: int) -> list[tuple[str, str]]:
    with open(gt, encoding="utf-8") as f:
        pairs = [line.rstrip("\n").split("\t", 1) for line in f if line.strip()]
    return [(os.path.join(os.path.dirname(gt), path), label) for path, label in pairs[:count]]


def _timit_items(root: str, count: int) -> list[tuple[str, str]]:
    """(WAV, its .PHN phones) of the first ``count`` SX/SI utterances of the TEST speakers."""
    waves = sorted(w for w in glob.glob(os.path.join(root, "TEST", "DR*", "*", "S[XI]*.WAV")))
    items = []
    for wave in waves[:count]:
        with open(wave[:-4] + ".PHN", encoding="ascii") as f:
            items.append((wave, " ".join(line.split()[2] for line in f if line.strip())))
    return items


def synthesize(out: str, count: int) -> dict[str, list[tuple[str, str]]]:
    """Fresh (input path, truth) pairs per model: those of its input kind, made by the kind's synthesizer (the
    registry's ``synthesizer`` of the first model of that kind)."""
    made = {}
    for kind in dict.fromkeys(m.input_kind for m in models()):
        folder = os.path.join(out, kind)
        _run(synthesizer(kind), "--out", folder, "--seed", str(SEED), "--workers", "1", *SYNTH_ARGS[kind](count))
        made[kind] = _timit_items(folder, count) if kind == "speech" else _gt_items(
            os.path.join(folder, "val_images" if kind == "words" else "val", "gt.txt"), count)
    return {m.name: made[m.input_kind] for m in models()}


def recognise(inputs: dict[str, list[tuple[str, str]]]) -> tuple[list[Row], dict[str, tuple[float, str, float]]]:
    """Rows of every model, and per model (score, metric summary, seconds for load + recognition)."""
    rows, metrics = [], {}
    cards = released_cards()
    for model, items in inputs.items():
        start = time.perf_counter()
        if model not in cards:
            raise HubError(f"no card of {model} has a checkpoint in this repository (hub_conf/cards)")
        recognizer = pipeline(cards[model], source="local")
        results = recognizer([path for path, _ in items])
        seconds = time.perf_counter() - start
        metric = recognizer.score([r.text for r in results], [truth for _, truth in items])
        metrics[model] = (metric.score, metric.summary(), seconds)
        for (path, truth), result in zip(items, results):
            correct = recognizer.score([result.text], [truth]).score == 1.0
            name = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))  # speaker/utterance, images/file
            rows.append(Row(model, path, name, truth, result.text, result.confidence, correct, result.timed))
    return rows, metrics


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def print_table(rows: list[Row], metrics: dict[str, tuple[float, str, float]]) -> None:
    print(f"{'model':<20}{'input':<18}{'truth':<28}{'result':<28}{'confidence':>10}  correct")
    for row in rows:
        print(f"{row.model:<20}{_short(row.name, 17):<18}{_short(row.truth, 27):<28}"
              f"{_short(row.text, 27):<28}{row.confidence:>10.3f}  {'yes' if row.correct else 'NO'}")
    print()
    for model, (score, summary, seconds) in metrics.items():
        print(f"{model:<20} accuracy {100 * score:5.1f}%  ({summary}; load + recognise {seconds:.1f} s)")
    print(f"zoo accuracy {100 * zoo_accuracy(metrics):.1f}% (the mean over the {len(metrics)} models)")


def zoo_accuracy(metrics: dict[str, tuple[float, str, float]]) -> float:
    """The mean of the models' accuracies."""
    return sum(score for score, _, _ in metrics.values()) / len(metrics)


def write_tsv(rows: list[Row], metrics: dict[str, tuple[float, str, float]], path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("model\tinput\ttruth\tresult\tconfidence\tcorrect\n")
        f.writelines(f"{r.model}\t{r.path}\t{r.truth}\t{r.text}\t{r.confidence:.4f}\t{int(r.correct)}\n" for r in rows)
        f.writelines(f"# {model}\taccuracy\t{score:.4f}\t{summary}\n" for model, (score, summary, _) in metrics.items())
        f.write(f"# zoo\taccuracy\t{zoo_accuracy(metrics):.4f}\tmean over the models\n")


def main() -> int:
    """Synthesize, recognise, print the table, write zoo.tsv and zoo.png."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "quickstart_output"), help="output folder")
    parser.add_argument("--count", type=int, default=6, help="inputs per model (default 6)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    start = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    inputs = synthesize(os.path.join(args.out, "zoo_inputs"), args.count)
    print(f"synthesized {args.count} fresh inputs per model in {time.perf_counter() - start:.1f} s", flush=True)
    try:
        rows, metrics = recognise(inputs)
    except HubError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print_table(rows, metrics)
    write_tsv(rows, metrics, os.path.join(args.out, "zoo.tsv"))
    from zoo_picture import draw  # pylint: disable=import-outside-toplevel  (matplotlib: after the table)
    draw(rows, metrics, os.path.join(args.out, "zoo.png"))
    print(f"\nwrote {os.path.join(args.out, 'zoo.tsv')} and {os.path.join(args.out, 'zoo.png')}; "
          f"the zoo took {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
