"""Recognise words in images with a checkpoint or an exported MINDIR.

    python infer.py --checkpoint_path release/cnnctc_cpu_small.ckpt --config_path cpu_small.yaml \
        --device_target CPU --input data/synth/val_images            # a folder
    python infer.py ... --input word_1.jpg,word_2.jpg                  # images
    python infer.py ... --input data/synth/val_images/gt.txt --output preds.tsv   # a list with truth

A list file has one image a line: ``path<TAB>label``, ICDAR ``path, "label"``,
or just ``path``; relative paths are taken from the list's folder.  With
labels, word accuracy is printed too.  ``--output FILE`` writes
``path<TAB>text<TAB>confidence`` lines.
"""
from __future__ import annotations

import os
import re
from typing import Optional

from src.cli import UsageError, log, run_cli
from src.config import load_config, resolve_path
from src.context import setup_context
from src.metrics import RecognitionMetric
from src.recognizer import Recognizer

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
ICDAR_LINE = re.compile(r'^(?P<path>[^,]+),\s*"(?P<label>.*)"\s*$')


def parse_list_line(line: str) -> tuple[str, Optional[str]]:
    """Split one list line into (path, label or None)."""
    if "\t" in line:
        path, label = line.split("\t", 1)
        return path.strip(), label.strip()
    match = ICDAR_LINE.match(line)
    if match:
        return match.group("path").strip(), match.group("label")
    parts = line.split(maxsplit=1)
    return parts[0], parts[1].strip() if len(parts) > 1 else None


def collect_inputs(inputs: list[str]) -> list[tuple[str, Optional[str]]]:
    """Expand images, folders and list files into (image path, label or None) pairs."""
    items: list[tuple[str, Optional[str]]] = []
    for entry in inputs:
        path = resolve_path(entry)
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if n.lower().endswith(IMAGE_EXTENSIONS))
            items += [(os.path.join(path, n), None) for n in names]
        elif path.lower().endswith(IMAGE_EXTENSIONS):
            items.append((path, None))
        elif os.path.isfile(path):
            base = os.path.dirname(path)
            with open(path, encoding="utf-8-sig") as f:
                for line in f:
                    if line.strip():
                        image, label = parse_list_line(line.rstrip("\n"))
                        items.append((os.path.join(base, image), label))
        else:
            raise UsageError(f"input {entry} does not exist")
    if not items:
        raise UsageError(f"no images found in {', '.join(inputs)}")
    return items


def infer(cfg) -> list[tuple[str, str, float]]:
    """Recognise every input; print a table (and accuracy with labels); return (path, text, confidence)."""
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path to a .ckpt or .mindir file")
    inputs = [cfg.input] if isinstance(cfg.input, str) else list(cfg.input)
    items = collect_inputs([i for i in inputs if i])
    setup_context(cfg)
    recognizer = Recognizer(resolve_path(cfg.checkpoint_path), config_path=cfg.config_path,
                            batch_size=cfg.infer_batch_size)
    predictions = recognizer.predict([path for path, _ in items])
    rows = [(path, p.text, p.confidence) for (path, _), p in zip(items, predictions)]
    labelled = [(label, p.text) for (_, label), p in zip(items, predictions) if label is not None]
    width = min(40, max(len(os.path.basename(p)) for p, _, _ in rows))
    log(f"{'image':<{width}}  {'truth':<15}{'recognized':<15}{'confidence':>10}")
    for (path, label), (_, text, conf) in zip(items, rows):
        log(f"{os.path.basename(path)[:width]:<{width}}  {label or '':<15}{text:<15}{conf:>10.3f}")
    if labelled:
        metric = RecognitionMetric()
        metric.update([t for _, t in labelled], [g for g, _ in labelled])
        log(f"word accuracy {100 * metric.accuracy:.2f}% ({metric.correct}/{metric.count}), "
            f"1-N.E.D {metric.norm_ed:.4f}")
    if cfg.output:
        output = resolve_path(cfg.output)
        with open(output, "w", encoding="utf-8") as f:
            f.writelines(f"{path}\t{text}\t{conf:.4f}\n" for path, text, conf in rows)
        log(f"wrote {len(rows)} predictions to {output}")
    return rows


if __name__ == "__main__":
    run_cli(lambda: infer(load_config(description=__doc__)))
