"""Recognise words in images with a checkpoint or an exported MINDIR.

    python infer.py --checkpoint_path release/cnnctc_cpu_small.ckpt --config_path cpu_small.yaml \
        --device_target CPU --input data/synth/val_images            # a folder
    python infer.py ... --input word_1.jpg,word_2.jpg                  # images
    python infer.py ... --input data/synth/val_images/gt.txt --output preds.tsv   # a list with truth

A list file has one image a line: ``path<TAB>label``, ICDAR ``path, "label"``, or just ``path``;
relative paths are taken from the list's folder.  With labels, word accuracy is printed too.
``--output FILE`` writes ``path<TAB>text<TAB>confidence`` lines.
"""
from __future__ import annotations

import os
from types import SimpleNamespace

from src.data import new_metric
from src.model_utils.config import load_config, path_list, require_positive, resolve_path
from src.model_utils.context import setup_context
from src.model_utils.errors import UsageError, log, run_cli
from src.model_utils.inputs import collect_inputs
from src.recognizer import IMAGE_EXTENSIONS, Recognizer


def infer(cfg: SimpleNamespace) -> list[tuple[str, str, float]]:
    """Recognise every input; print a table (and accuracy with labels); return (path, text, confidence)."""
    if not cfg.checkpoint_path:
        raise UsageError("set --checkpoint_path to a .ckpt or .mindir file")
    require_positive(cfg, "infer_batch_size")
    items = collect_inputs(path_list(cfg.input), IMAGE_EXTENSIONS)
    output = resolve_path(cfg.output)
    if output and (os.path.isdir(output) or not os.access(os.path.dirname(output), os.W_OK)):
        raise UsageError(f"cannot write --output {output}: it is a folder, or its folder is missing or not writable")
    setup_context(cfg)
    recognizer = Recognizer(resolve_path(cfg.checkpoint_path), cfg, batch_size=cfg.infer_batch_size)
    predictions = recognizer.predict([path for path, _ in items])
    rows = [(path, p.text, p.confidence) for (path, _), p in zip(items, predictions)]
    width = min(40, max(len(os.path.basename(p)) for p, _, _ in rows))
    log(f"{'image':<{width}}  {'truth':<15}{'recognized':<15}{'confidence':>10}")
    for (path, label), (_, text, conf) in zip(items, rows):
        log(f"{os.path.basename(path)[:width]:<{width}}  {label or '':<15}{text:<15}{conf:>10.3f}")
    labelled = [(label, p.text) for (_, label), p in zip(items, predictions) if label is not None]
    if labelled:
        metric = new_metric(cfg)
        metric.update([t for _, t in labelled], [g for g, _ in labelled])
        log(f"word accuracy {100 * metric.accuracy:.2f}% ({metric.correct}/{metric.count}), "
            f"1-N.E.D {metric.norm_ed:.4f}")
    if output:
        try:
            with open(output, "w", encoding="utf-8") as f:
                f.writelines(f"{path}\t{text}\t{conf:.4f}\n" for path, text, conf in rows)
        except OSError as err:
            raise UsageError(f"cannot write --output {output}: {err.strerror}") from err
        log(f"wrote {len(rows)} predictions to {output}")
    return rows


if __name__ == "__main__":
    run_cli(lambda: infer(load_config(description=__doc__)))
