"""A deterministic Chinese licence-plate synthesizer: ``OUT/{train,val}/gt.txt`` + ``images/*.jpg`` and
``OUT/manifest.json`` (``synth_plates.py`` is its command line).

Sample i of a split is drawn by a generator seeded with (seed, split, i) alone, so any number of worker
processes writes the same files.  A sample: a style (``STYLE_WEIGHTS``: blue and yellow 7-character plates,
green 8-character new-energy plates, white 警 police, black 港 澳 领 使, yellow 学 coach and 挂 trailer), a
text following GA 36 (``src/plate_text.py``), a flat plate (``src/plate_render.py``: frame, rivets, dot,
stretched glyphs at 0.5-0.7 px/mm), then lighting, dirt, perspective in a scene cropped back with jitter,
blur, motion blur, noise (``src/plate_noise.py``) and a JPEG of random quality.

Kept out of training, for validation only:

* fonts: training plates use one of nine bold sans families for letters and digits (Roboto Condensed,
  Roboto Black, Liberation Sans Narrow, DejaVu Sans Condensed, Open Sans Condensed, Lato Black, Carlito,
  Cantarell, League Spartan: ``TRAIN_LATIN``) with Noto Sans CJK SC Bold or Regular or WenQuanYi Zen Hei for
  Chinese; every validation plate uses Nimbus Sans Narrow Bold (fonts-urw-base35, a Helvetica design that no
  training font shares) with WenQuanYi Micro Hei (fonts-wqy-microhei);
* noise levels: each effect of a validation plate is drawn from ``plate_noise.STRONG`` (darker or brighter
  light, stronger shade, 4-6 stains, stronger tilt, blur sigma 1.2-1.7, motion blur 5-7 px, more noise,
  JPEG quality 22-40, all beyond the training ranges) with probability 1/2, else from ``plate_noise.TRAIN``,
  and at least one effect of every validation plate is strong.

Debian packages of the fonts: those of ``TRAIN_FONTS`` and ``VAL_FONTS`` (scripts/setup_env.sh installs them).
"""
from __future__ import annotations

import dataclasses
import json
import os
from typing import Iterator

import cv2
import numpy as np

from .model_utils.work_pool import Progress, WorkerPool
from .plate_noise import STRONG, TRAIN, NoiseProfile, degrade
from .plate_render import FontPair, render_plate
from .plate_text import plate_text

SPLITS = {"train": 0, "val": 1}
_LATIN = "/usr/share/fonts/truetype/"
TRAIN_LATIN = tuple(_LATIN + name for name in (
    "roboto/unhinted/RobotoCondensed-Bold.ttf", "liberation/LiberationSansNarrow-Bold.ttf",
    "dejavu/DejaVuSansCondensed-Bold.ttf", "open-sans/OpenSans-CondBold.ttf", "lato/Lato-Black.ttf",
    "crosextra/Carlito-Bold.ttf", "roboto/unhinted/RobotoTTF/Roboto-Black.ttf")) + tuple(
    "/usr/share/fonts/opentype/" + name for name in (
        "cantarell/Cantarell-ExtraBold.otf", "league-spartan/LeagueSpartan-Bold.otf"))
TRAIN_CHINESE = (("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
                 ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2), (_LATIN + "wqy/wqy-zenhei.ttc", 0))
TRAIN_FONTS = tuple(
    FontPair(latin, chinese, index, "fonts-roboto-unhinted fonts-liberation fonts-dejavu-core fonts-open-sans "
             "fonts-lato fonts-crosextra-carlito fonts-cantarell fonts-league-spartan fonts-noto-cjk fonts-wqy-zenhei")
    for latin in TRAIN_LATIN for chinese, index in TRAIN_CHINESE)
VAL_FONTS = (FontPair("/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Bold.otf",
                      _LATIN + "wqy/wqy-microhei.ttc", 0, "fonts-urw-base35 fonts-wqy-microhei"),)
STYLE_WEIGHTS = {"blue": 0.34, "yellow": 0.12, "green": 0.22, "police": 0.06, "coach": 0.05, "trailer": 0.05,
                 "hongkong": 0.04, "macau": 0.04, "consulate": 0.04, "embassy": 0.04}
QUALITY_FIELD = "quality"


def validation_profile(rng: np.random.Generator) -> NoiseProfile:
    """Per effect STRONG with probability 1/2, else TRAIN; at least one effect strong."""
    fields = [f.name for f in dataclasses.fields(NoiseProfile)]
    strong = rng.random(len(fields)) < 0.5
    strong[int(rng.integers(0, len(fields)))] = True
    return NoiseProfile(**{name: getattr(STRONG if s else TRAIN, name) for name, s in zip(fields, strong)})


def make_sample(seed: int, split: str, index: int) -> tuple[str, bytes]:
    """(text, JPEG bytes) of sample ``index`` of ``split``: the same for the same arguments, in any process."""
    rng = np.random.default_rng([seed, SPLITS[split], index])
    styles = list(STYLE_WEIGHTS)
    style = styles[int(rng.choice(len(styles), p=np.asarray(list(STYLE_WEIGHTS.values())) / sum(
        STYLE_WEIGHTS.values())))]
    text = plate_text(rng, style)
    fonts = (TRAIN_FONTS if split == "train" else VAL_FONTS)
    font = fonts[int(rng.integers(0, len(fonts)))]
    profile = TRAIN if split == "train" else validation_profile(rng)
    plate = render_plate(text, style, font, float(rng.uniform(0.5, 0.7)), rng)
    image = degrade(plate, rng, profile, jitter=float(rng.uniform(0.0, 0.25)))
    quality = int(rng.uniform(*getattr(profile, QUALITY_FIELD)))
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok, "OpenCV could not encode a JPEG"
    return text, data.tobytes()


def _write_chunk(job: tuple[str, int, str, int, int]) -> list[str]:
    folder, seed, split, start, stop = job
    lines = []
    for index in range(start, stop):
        text, data = make_sample(seed, split, index)
        name = f"images/{index:07d}.jpg"
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
        lines.append(f"{name}\t{text}\n")
    return lines


def _one_thread() -> None:
    cv2.setNumThreads(1)  # a worker per core: OpenCV's own threads would only compete


def _chunks(folder: str, seed: int, split: str, count: int, size: int) -> Iterator[tuple]:
    for start in range(0, count, size):
        yield folder, seed, split, start, min(count, start + size)


def synthesize(out: str, counts: dict[str, int], seed: int, workers: int) -> dict:
    """Write every split of ``counts`` to ``out``; return the manifest (also written to manifest.json)."""
    total = sum(counts.values())
    progress = Progress(total, "plates")
    with WorkerPool(max(1, workers), _one_thread) as pool:
        for split, count in counts.items():
            folder = os.path.join(out, split)
            os.makedirs(os.path.join(folder, "images"), exist_ok=True)
            with open(os.path.join(folder, "gt.txt"), "w", encoding="utf-8") as gt:
                for lines in pool.run(_write_chunk, _chunks(folder, seed, split, count, 32), progress):
                    gt.writelines(lines)
    seconds = progress.seconds
    manifest = {"seed": seed, "counts": counts, "styles": STYLE_WEIGHTS,
                "train_fonts": [dataclasses.asdict(f) for f in TRAIN_FONTS],
                "val_fonts": [dataclasses.asdict(f) for f in VAL_FONTS],
                "train_noise": dataclasses.asdict(TRAIN), "val_strong_noise": dataclasses.asdict(STRONG),
                "seconds": round(seconds, 2), "plates_per_second": round(total / max(seconds, 1e-9), 1)}
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
    return manifest
