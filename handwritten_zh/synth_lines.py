"""Synthesize handwriting-like Chinese text lines (SCUT-EPT style) as gray PNG images with ``gt.txt`` files.

    python synth_lines.py --out data/synth_hw --train 40000 --val 1000 --seed 0 --workers 2 --min_chars 4 --max_chars 12
    python synth_lines.py --out /tmp/tiny --train 16 --val 8 --workers 1
    python synth_lines.py --out data/synth_poems --corpus my_poems.txt --val_families "LXGW WenKai" "AR PL UKai"
    python synth_lines.py --out data/synth_ood --train 0 --val 0 --ood 1000   # out-of-distribution validation
    python synth_lines.py --out unused --preview lines.png                    # a sample sheet, nothing else

Writes OUT/train/gt.txt and OUT/train/images/00000000.png ... (the same for OUT/val and OUT/ood; gt.txt lines are
``images/00000000.png<TAB>text``, the zoo's ``gt.txt`` format), OUT/<split>/fonts.txt (family, file,
face index and name of every face the split uses) and OUT/manifest.json (the arguments but --out and
--workers, which do not change the lines; counts, fonts, corpus and width figures).  An earlier output of
this script in OUT is replaced.

Images are gray, 96 px high (the network's input height), as wide as the text; dark ink on light paper.
Lines are drawn with a pen along the glyphs' skeletons (``src/pen.py``), a --typeset_fraction of them typeset
from the font.  Fonts (``src/handwriting.py``): validation lines are written with the --val_families (LXGW
WenKai by default, a kai / handwriting style), training lines with every other family of ``FAMILIES``, kai
styles 3x as often.  OUT/ood (--ood lines) is the out-of-distribution validation set: another renderer
(``src/ood_lines.py``: traced skeletons drawn with a flat nib on notebook paper) with font families that
training never discovers (``OOD_FAMILIES``) and validation text.
Text (``src/zh_text.py``): substrings of a Chinese corpus (Debian's fortunes-zh by default, or the --corpus
files), whose lines are split 9:1 into train and validation by a hash; a --uniform_fraction of the
training lines are instead uniform draws from the charset so that rare characters are seen.  A line is
drawn only with a face that has all its characters.  Every line is made from its own random generator
seeded by (seed, split, index): the same arguments give the same bytes, whatever --workers is.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
from typing import Optional, Sequence

import cv2
import numpy as np

from src.handwriting import FAMILIES, FONT_DIRS, Face, FontSet, GlyphCache, discover_faces, render_line
from src.model_utils.charset import charset_path, read_charset
from src.model_utils.errors import UsageError, run_cli
from src.model_utils.work_pool import Progress, WorkerPool
from src.ood_lines import OOD_FAMILIES, render_ood_line
from src.zh_text import FORTUNE_FILES, TextSampler, corpus_runs, uniform_line

SPLITS = ("train", "val", "ood")
PREVIEW_COUNTS = {"train": 10, "val": 4, "ood": 4}
PREVIEW_WIDTH = 1400
MANIFEST = "manifest.json"
MAX_CHARS = 22          # lines take up to ~88 px a character: longer ones could pass the readers' 2000 px limit
CHUNK = 32              # lines per worker task
CORPUS_TRIES = 1000     # corpus draws before giving up on finding a line some face of the split has


class Planner:
    """What a line of one split says, which face writes it and how: ``render`` draws it."""

    def __init__(self, fonts: FontSet, sampler: TextSampler, uniform_fraction: float, typeset_fraction: float):
        self.fonts, self.sampler, self.uniform_fraction = fonts, sampler, uniform_fraction
        self.typeset_fraction = typeset_fraction

    def render(self, rng: np.random.Generator) -> tuple[str, np.ndarray]:
        """(text, gray image) of one line: drawn with a pen, or typeset for ``typeset_fraction`` of the lines."""
        text, face = self.plan(rng)
        return text, render_line(rng, _CACHE, face, text, drawn=rng.random() >= self.typeset_fraction)

    def plan(self, rng: np.random.Generator) -> tuple[str, Face]:
        """(text, face): uniform characters of a face, or a corpus substring and a face that has all of it."""
        length = self.sampler.length(rng)
        if rng.random() < self.uniform_fraction:
            which = self.fonts.pick(rng)
            return uniform_line(rng, self.fonts.characters[which], length), self.fonts.faces[which]
        for _ in range(CORPUS_TRIES):
            text = self.sampler.corpus_line(rng, length)
            which = self.fonts.pick(rng, text)
            if which is not None:
                return text, self.fonts.faces[which]
        raise UsageError(f"no font of {sorted({f.family for f in self.fonts.faces})} has the characters of the "
                         f"corpus lines drawn: give a --corpus in simplified Chinese")


class OodPlanner(Planner):
    """Lines of the out-of-distribution set: the training renderer never draws them (``src/ood_lines.py``)."""

    def render(self, rng: np.random.Generator) -> tuple[str, np.ndarray]:
        """(text, gray image) of one line drawn by the second renderer."""
        text, face = self.plan(rng)
        return text, render_ood_line(rng, _CACHE, face, text)


_PLANNERS: dict[str, Planner] = {}
_CACHE = GlyphCache()


def _init_worker(planners: dict[str, Planner]) -> None:
    _PLANNERS.update(planners)


def _render_chunk(task: tuple[str, int, int, int, str]) -> list[tuple[str, int]]:
    """Render lines start..stop-1 of a split to ``folder/images``; return their (text, width)."""
    split, seed, start, stop, folder = task
    done = []
    for index in range(start, stop):
        text, image = _PLANNERS[split].render(np.random.default_rng([seed, SPLITS.index(split), index]))
        ok, png = cv2.imencode(".png", image)
        if not ok:
            raise RuntimeError(f"PNG encoding failed for line {index} of {split}")
        with open(os.path.join(folder, "images", f"{index:08d}.png"), "wb") as f:
            f.write(png.tobytes())
        done.append((text, image.shape[1]))
    return done


def render_split(pool: WorkerPool, split: str, total: int, seed: int, folder: str) -> tuple[dict, float]:
    """Render a split's lines, write its ``gt.txt``; return width figures (px) and the lines per second."""
    os.makedirs(os.path.join(folder, "images"))
    tasks = [(split, seed, i, min(i + CHUNK, total), folder) for i in range(0, total, CHUNK)]
    progress, lines, widths = Progress(total, "lines", split), [], []
    for chunk in pool.run(_render_chunk, tasks, progress):
        for text, width in chunk:
            lines.append(f"images/{len(lines):08d}.png\t{text}\n")
            widths.append(width)
    with open(os.path.join(folder, "gt.txt"), "w", encoding="utf-8") as f:
        f.writelines(lines)
    figures = {"min": int(min(widths)), "mean": round(float(np.mean(widths)), 1), "max": int(max(widths))}
    return figures, total / progress.seconds


def split_faces(faces: Sequence[Face], val_families: Sequence[str]) -> dict[str, list[Face]]:
    """Faces of the validation families and faces of every other family."""
    known = [f.name for f in FAMILIES]
    unknown = [name for name in val_families if name not in known]
    if unknown:
        raise UsageError(f"unknown --val_families {', '.join(unknown)}: choose from {', '.join(known)}")
    return {"train": [f for f in faces if f.family not in val_families],
            "val": [f for f in faces if f.family in val_families]}


def preview(path: str, seed: int, counts: dict[str, int]) -> str:
    """Write a sample sheet PNG: each split's first lines, under a title naming the split and its renderer."""
    rows = []
    for split, count in counts.items():
        title = np.full((36, PREVIEW_WIDTH), 255, np.uint8)
        cv2.putText(title, f"{split} ({type(_PLANNERS[split]).__name__})", (8, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                    0, 2)
        rows.append(title)
        for index in range(count):
            image = _PLANNERS[split].render(np.random.default_rng([seed, SPLITS.index(split), index]))[1]
            image = image[:, :PREVIEW_WIDTH]
            rows += [np.pad(image, ((0, 6), (0, PREVIEW_WIDTH - image.shape[1])), constant_values=255)]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    cv2.imwrite(path, np.vstack(rows))
    return path


def _check_args(args: argparse.Namespace) -> None:
    if min(args.train, args.val, args.ood) < 0 or args.train + args.val + args.ood == 0:
        raise UsageError("--train, --val and --ood must be >= 0, and not all 0")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if not 1 <= args.min_chars <= args.max_chars <= MAX_CHARS:
        raise UsageError(f"need 1 <= --min_chars <= --max_chars <= {MAX_CHARS}, got {args.min_chars} and "
                         f"{args.max_chars}")
    for name in ("uniform_fraction", "val_uniform_fraction", "typeset_fraction"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            raise UsageError(f"--{name} must be in [0, 1], got {getattr(args, name)}")


def _prepare_output(out: str) -> None:
    """Remove an earlier output of this script from ``out`` (refuse other train/val folders)."""
    stale = [os.path.join(out, s) for s in SPLITS if os.path.exists(os.path.join(out, s))]
    if stale and not os.path.isfile(os.path.join(out, MANIFEST)):
        raise UsageError(f"{out} holds train/val folders not written by synth_lines.py: give a new or empty --out")
    for path in stale:
        shutil.rmtree(path)
    os.makedirs(out, exist_ok=True)


def _face_row(face: Face) -> str:
    return f"{face.family}\t{face.path}\t{face.index}\t{face.style}"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one ``error:`` line through run_cli instead of usage + exit
        raise UsageError(message)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = _Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output folder (gets train/, val/, manifest.json)")
    parser.add_argument("--train", type=int, default=40000, help="training lines")
    parser.add_argument("--val", type=int, default=1000, help="validation lines (training renderer, held-out family)")
    parser.add_argument("--ood", type=int, default=0,
                        help="out-of-distribution validation lines (second renderer, fonts of src/ood_lines.py)")
    parser.add_argument("--typeset_fraction", type=float, default=0.1,
                        help="fraction of train and val lines typeset from the font (the rest: drawn by a pen)")
    parser.add_argument("--preview", metavar="PNG",
                        help="only write a sample sheet of train, val and ood lines to PNG (nothing else is written)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every line")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel processes")
    parser.add_argument("--min_chars", type=int, default=4, help="fewest characters of a line")
    parser.add_argument("--max_chars", type=int, default=12, help=f"most characters of a line (<= {MAX_CHARS})")
    parser.add_argument("--uniform_fraction", type=float, default=0.3,
                        help="fraction of training lines of uniformly drawn charset characters (the rest: corpus)")
    parser.add_argument("--val_uniform_fraction", type=float, default=0.0,
                        help="the same for validation lines (default: corpus text only)")
    parser.add_argument("--val_families", nargs="+", default=["LXGW WenKai"], metavar="FAMILY",
                        help="font families held out of training for validation; choose from "
                             f"{', '.join(repr(f.name) for f in FAMILIES)}")
    parser.add_argument("--corpus", action="append", metavar="FILE",
                        help="UTF-8 corpus text file (repeatable); default: Debian's fortunes-zh "
                             f"({', '.join(FORTUNE_FILES)})")
    parser.add_argument("--charset", default="charsets/scut_ept.txt",
                        help="charset file, one character a line (relative: to this folder when not found)")
    parser.add_argument("--font_dir", action="append", metavar="DIR",
                        help=f"folder searched for fonts (repeatable); default: {', '.join(FONT_DIRS)}")
    args = parser.parse_args(argv)
    _check_args(args)
    charset = read_charset(charset_path(args.charset))
    font_dirs = args.font_dir or list(FONT_DIRS)
    faces = {**split_faces(discover_faces(font_dirs), args.val_families),
             "ood": discover_faces(font_dirs, OOD_FAMILIES)}
    counts = PREVIEW_COUNTS if args.preview else {"train": args.train, "val": args.val, "ood": args.ood}
    fractions = {"train": args.uniform_fraction, "val": args.val_uniform_fraction, "ood": args.val_uniform_fraction}
    for split in SPLITS:
        if counts[split] and not faces[split]:
            packages = " ".join(sorted({f.package for f in FAMILIES + OOD_FAMILIES}))
            raise UsageError(f"no {split} fonts in {', '.join(font_dirs)} (validation families: "
                             f"{', '.join(args.val_families)}): apt-get install {packages}")
    runs = corpus_runs(args.corpus or FORTUNE_FILES, charset, args.min_chars)
    runs["ood"] = runs["val"]
    planners = {}
    for split in SPLITS:
        sampler = TextSampler(runs[split], args.min_chars, args.max_chars)
        missing = sampler.shortest_missing()
        if counts[split] and fractions[split] < 1.0 and missing:
            raise UsageError(f"the {split} part of the corpus has no run of {missing} charset characters: "
                             f"give a larger --corpus or a smaller --max_chars")
        if split == "ood":
            planners[split] = OodPlanner(FontSet(faces[split], charset, OOD_FAMILIES), sampler, fractions[split], 0.0)
        else:
            planners[split] = Planner(FontSet(faces[split], charset), sampler, fractions[split], args.typeset_fraction)
    if args.preview:
        _init_worker(planners)
        print(f"wrote {preview(args.preview, args.seed, counts)}")
        return
    _prepare_output(args.out)
    manifest = {
        "seed": args.seed,
        "counts": counts,
        "arguments": {k: v for k, v in sorted(vars(args).items()) if k not in ("out", "workers")},
        "fonts": {s: [_face_row(f).split("\t") for f in faces[s]] for s in SPLITS},
        "families": {s: sorted({f.family for f in faces[s]}) for s in SPLITS},
        "drawable_characters": {s: len(planners[s].fonts.drawable()) for s in SPLITS},
        "corpus": {s: {"runs": len(runs[s]), "characters": sum(map(len, runs[s]))} for s in SPLITS},
    }
    with open(os.path.join(args.out, MANIFEST), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
    rates, manifest["widths"] = {}, {}
    with WorkerPool(args.workers, _init_worker, (planners,)) as pool:
        for split in SPLITS:
            folder = os.path.join(args.out, split)
            if counts[split]:
                manifest["widths"][split], rates[split] = render_split(pool, split, counts[split], args.seed, folder)
                with open(os.path.join(folder, "fonts.txt"), "w", encoding="utf-8") as f:
                    f.writelines(_face_row(face) + "\n" for face in faces[split])
    with open(os.path.join(args.out, MANIFEST), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
    print(f"wrote {args.train} train + {args.val} val + {args.ood} ood lines to {args.out}; "
          + ", ".join(f"{s} {r:.1f} lines/s, widths {manifest['widths'][s]}" for s, r in rates.items())
          + "; families: " + ", ".join(f"{s} {manifest['families'][s]}" for s in SPLITS))


if __name__ == "__main__":
    run_cli(main)
