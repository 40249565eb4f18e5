"""A deterministic Chinese licence-plate synthesizer: ``OUT/{train,val}/gt.txt`` + ``images/*.jpg`` and
``OUT/manifest.json`` (``synth_plates.py`` is its command line).

Sample i of a split is drawn by a generator seeded with (seed, split, i) alone, so any number of worker
processes writes the same files.  A sample: a style (``STYLE_WEIGHTS``: blue and yellow 7-character plates,
green 8-character new-energy plates, white 警 police, black 港 澳 领 使, yellow 学 coach and 挂 trailer), a
text following GA 36 (``src/plate_text.py``), a flat plate (``src/plate_render.py``: frame, rivets, dot,
stretched glyphs at 0.5-0.7 px/mm), then lighting, dirt, perspective in a scene cropped back with jitter,
blur, motion blur, noise (``src/plate_noise.py``) and a JPEG of random quality.

Kept out of training, for validation only:

* fonts: training plates use one of 35 bold sans and monospaced designs for letters and digits
  (``TRAIN_LATIN``: condensed, narrow, rounded, geometric, humanist) with one of seven Chinese designs (Noto
  Sans CJK SC Bold and Regular, Noto Serif CJK SC Bold, WenQuanYi Zen Hei, LXGW WenKai Bold, AR PL UKai, AR PL
  KaitiM GB: ``TRAIN_CHINESE``); every validation plate uses Nimbus Sans Narrow Bold (fonts-urw-base35,
  a Helvetica design that no training font shares) with WenQuanYi Micro Hei (fonts-wqy-microhei);
* noise levels: each effect of a validation plate is drawn from ``plate_noise.STRONG`` (darker or brighter
  light, stronger shade, 4-6 stains, stronger tilt, blur sigma 1.2-1.7, motion blur 5-7 px, more noise,
  JPEG quality 22-40, all beyond the training ranges) with probability 1/2, else from ``plate_noise.TRAIN``,
  and at least one effect of every validation plate is strong.

Diagnostic sets (``ABLATIONS``, never for training) change one thing at a time: the validation font, the
validation noise, or a single effect at its validation strength, on fresh plates of their own streams.

Debian packages of the fonts: those of ``TRAIN_FONTS`` and ``VAL_FONTS`` (scripts/setup_env.sh installs them).
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from typing import Callable, Iterator

import cv2
import numpy as np

from .model_utils.work_pool import Progress, WorkerPool
from .plate_noise import STRONG, TRAIN, NoiseProfile, degrade
from .plate_render import FontPair, render_plate
from .plate_text import plate_text

_TT, _OT = "/usr/share/fonts/truetype/", "/usr/share/fonts/opentype/"
# bold sans (and a few monospaced) designs of letters and digits; no Helvetica design (the validation font's):
# not FreeSans, Arimo, TeX Gyre Heros or Nimbus Sans
TRAIN_LATIN = tuple(_TT + name for name in (
    "roboto/unhinted/RobotoCondensed-Bold.ttf", "roboto/unhinted/RobotoTTF/Roboto-Black.ttf",
    "liberation/LiberationSansNarrow-Bold.ttf", "dejavu/DejaVuSansCondensed-Bold.ttf", "dejavu/DejaVuSans-Bold.ttf",
    "dejavu/DejaVuSansMono-Bold.ttf", "open-sans/OpenSans-CondBold.ttf", "lato/Lato-Black.ttf",
    "crosextra/Carlito-Bold.ttf", "paratype/PTN77F.ttf", "paratype/PTC75F.ttf", "clear-sans/ClearSans-Bold.ttf",
    "oxygen/Oxygen-Sans-Bold.ttf", "karla/Karla-Bold.otf", "manrope/Manrope-Bold.ttf", "tuffy/Tuffy_Bold.ttf",
    "jetbrains-mono/JetBrainsMono-Bold.ttf", "hack/Hack-Bold.ttf", "play/Play-Bold.ttf",
    "adf/GilliusADF-BoldCond.otf", "adf/SwitzeraADF-BoldCond.otf", "adf/UniversalisADFStd-BoldCond.otf",
    "mononoki/mononoki-Bold.ttf", "quicksand/Quicksand-Bold.ttf")) + tuple(_OT + name for name in (
        "cantarell/Cantarell-ExtraBold.otf", "league-spartan/LeagueSpartan-Bold.otf",
        "yanone-kaffeesatz/YanoneKaffeesatz-Bold.otf", "dosis/Dosis-ExtraBold.otf", "b612/B612-Bold.otf",
        "jura/Jura-Bold.otf", "inter/Inter-Bold.otf", "sora/Sora-Bold.otf", "cabin/Cabin-Bold.otf")) + (
    "/usr/share/fonts/fonts-go/Go-Bold.ttf", "/usr/share/fonts/fonts-go/Go-Mono-Bold.ttf")
TRAIN_CHINESE = ((_OT + "noto/NotoSansCJK-Bold.ttc", 2), (_OT + "noto/NotoSansCJK-Regular.ttc", 2),
                 (_OT + "noto/NotoSerifCJK-Bold.ttc", 2), (_TT + "wqy/wqy-zenhei.ttc", 0),
                 (_TT + "lxgw-wenkai/LXGWWenKai-Bold.ttf", 0), (_TT + "arphic/ukai.ttc", 0),
                 (_TT + "arphic-gkai00mp/gkai00mp.ttf", 0))
TRAIN_PACKAGES = ("fonts-roboto-unhinted fonts-liberation fonts-dejavu-core fonts-dejavu-extra fonts-open-sans "
                  "fonts-lato fonts-crosextra-carlito fonts-paratype fonts-clear-sans fonts-oxygen fonts-karla "
                  "fonts-manrope fonts-tuffy fonts-jetbrains-mono fonts-hack fonts-play fonts-adf-gillius "
                  "fonts-adf-switzera fonts-adf-universalis fonts-mononoki fonts-quicksand fonts-cantarell "
                  "fonts-league-spartan fonts-yanone-kaffeesatz fonts-dosis fonts-b612 fonts-jura fonts-inter "
                  "fonts-sora fonts-cabin fonts-go fonts-noto-cjk fonts-wqy-zenhei fonts-lxgw-wenkai "
                  "fonts-arphic-ukai fonts-arphic-gkai00mp")
TRAIN_FONTS = tuple(FontPair(latin, chinese, index, TRAIN_PACKAGES)
                    for latin in TRAIN_LATIN for chinese, index in TRAIN_CHINESE)
VAL_FONTS = (FontPair("/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Bold.otf",
                      _TT + "wqy/wqy-microhei.ttc", 0, "fonts-urw-base35 fonts-wqy-microhei"),)
STYLE_WEIGHTS = {"blue": 0.34, "yellow": 0.12, "green": 0.22, "police": 0.06, "coach": 0.05, "trailer": 0.05,
                 "hongkong": 0.04, "macau": 0.04, "consulate": 0.04, "embassy": 0.04}
QUALITY_FIELD = "quality"


def validation_profile(rng: np.random.Generator) -> NoiseProfile:
    """Per effect STRONG with probability 1/2, else TRAIN; at least one effect strong."""
    fields = [f.name for f in dataclasses.fields(NoiseProfile)]
    strong = rng.random(len(fields)) < 0.5
    strong[int(rng.integers(0, len(fields)))] = True
    return NoiseProfile(**{name: getattr(STRONG if s else TRAIN, name) for name, s in zip(fields, strong)})


@dataclass(frozen=True)
class PlateSet:
    """What the plates of one set are drawn with: its stream number, fonts and noise profile."""

    stream: int
    fonts: tuple[FontPair, ...]
    profile: Callable[[np.random.Generator], NoiseProfile]


def _fixed(profile: NoiseProfile) -> Callable[[np.random.Generator], NoiseProfile]:
    return lambda rng: profile


EFFECTS = tuple(f.name for f in dataclasses.fields(NoiseProfile))
SETS = {"train": PlateSet(0, TRAIN_FONTS, _fixed(TRAIN)), "val": PlateSet(1, VAL_FONTS, validation_profile)}
# diagnostic sets (``synth_plates.py --ablation N``; never for training): which of the validation set's
# differences costs a model most, each on fresh plates of its own stream
ABLATIONS = {"ablation/train_style": PlateSet(100, TRAIN_FONTS, _fixed(TRAIN)),
             "ablation/val_fonts": PlateSet(101, VAL_FONTS, _fixed(TRAIN)),
             "ablation/val_noise": PlateSet(102, TRAIN_FONTS, validation_profile),
             **{f"ablation/strong_{effect}": PlateSet(110 + k, TRAIN_FONTS, _fixed(dataclasses.replace(
                 TRAIN, **{effect: getattr(STRONG, effect)}))) for k, effect in enumerate(EFFECTS)}}
SETS.update(ABLATIONS)


def make_sample(seed: int, split: str, index: int) -> tuple[str, bytes]:
    """(text, JPEG bytes) of sample ``index`` of the set ``split`` (``SETS``): the same for the same arguments,
    in any process."""
    plates = SETS[split]
    rng = np.random.default_rng([seed, plates.stream, index])
    styles = list(STYLE_WEIGHTS)
    style = styles[int(rng.choice(len(styles), p=np.asarray(list(STYLE_WEIGHTS.values())) / sum(
        STYLE_WEIGHTS.values())))]
    text = plate_text(rng, style)
    font = plates.fonts[int(rng.integers(0, len(plates.fonts)))]
    profile = plates.profile(rng)
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
