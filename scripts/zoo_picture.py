"""The zoo picture: per model a row of its inputs, each with its truth and result (errors in red), and for
speech the spectrogram of the first utterance with the recognised phones at their times.

``draw(rows, metrics, path)`` takes the rows and metrics of scripts/zoo.py.
"""
from __future__ import annotations

import glob
import os
from typing import Sequence

import cv2
import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  pylint: disable=wrong-import-position
from matplotlib import font_manager  # noqa: E402  pylint: disable=wrong-import-position

from hub_conf.isolation import import_isolated  # noqa: E402  pylint: disable=wrong-import-position
from zoo_registry import models as zoo_models  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/arphic/uming.ttc")
OK, WRONG = "#1a7f37", "#cf222e"


def _font() -> font_manager.FontProperties:
    """A font with Chinese characters (installed by scripts/setup_env.sh), else matplotlib's default."""
    found = [f for f in CJK_FONTS if os.path.isfile(f)] or glob.glob("/usr/share/fonts/**/*CJK*", recursive=True)
    return font_manager.FontProperties(fname=found[0], size=9) if found else font_manager.FontProperties(size=9)


def _spectrogram(path: str, model: str) -> tuple[np.ndarray, float]:
    """Log power spectrogram (25 ms Hann windows every 10 ms) of a 16 kHz file, and its seconds."""
    audio, = import_isolated(os.path.join(ROOT, model), "src.audio")  # the speech model's SPHERE/WAV reader
    signal, rate = audio.read_audio(path)
    window, step = int(0.025 * rate), int(0.010 * rate)
    frames = np.lib.stride_tricks.sliding_window_view(signal, window)[::step] * np.hanning(window)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    return np.log10(power.T + 1e-3), len(signal) / rate


def _speech_panel(ax, row, font) -> None:
    spec, seconds = _spectrogram(row.path, row.model)
    ax.imshow(spec, origin="lower", aspect="auto", cmap="magma", extent=(0, seconds, 0, 8))
    for phone, at in row.timed:
        ax.axvline(at, color="white", lw=0.4, alpha=0.6)
        ax.text(at, 7.3, phone, color="white", fontsize=6, rotation=90, va="top", ha="center")
    ax.set_xlabel("seconds", fontsize=7)
    ax.set_ylabel("kHz", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.set_title(f"truth:  {row.truth}\nresult: {row.text}", fontproperties=font, fontsize=7, loc="left",
                 color=OK if row.correct else WRONG)


def draw(rows: Sequence, metrics: dict, path: str) -> None:
    """Write the picture of ``rows`` (scripts/zoo.py's ``Row``) to ``path``."""
    font = _font()
    models = list(dict.fromkeys(r.model for r in rows))
    speech_kind = {m.name for m in zoo_models() if m.input_kind == "speech"}
    image_models = [m for m in models if m not in speech_kind]
    speech_models = [m for m in models if m in speech_kind]
    columns = max(sum(r.model == m for r in rows) for m in image_models)
    heights = [1] * len(image_models) + [1.6] * len(speech_models)
    fig = plt.figure(figsize=(2.1 * columns, 1.25 * sum(heights)), dpi=80)
    grid = fig.add_gridspec(len(heights), columns, height_ratios=heights, hspace=0.9)
    for line, model in enumerate(image_models):
        score = metrics[model][0]
        for column, row in enumerate([r for r in rows if r.model == model]):
            ax = fig.add_subplot(grid[line, column])
            image = cv2.cvtColor(cv2.imread(row.path), cv2.COLOR_BGR2RGB)
            ax.imshow(image)
            ax.set_xticks([])
            ax.set_yticks([])
            mark = "" if row.correct else "× "
            ax.set_title(f"{row.truth}\n{mark}{row.text} ({row.confidence:.2f})", fontproperties=font,
                         color=OK if row.correct else WRONG, fontsize=9 if len(row.truth) < 12 else 7)
            for spine in ax.spines.values():
                spine.set_edgecolor(OK if row.correct else WRONG)
            if column == 0:
                ax.set_ylabel(f"{model}\n{100 * score:.0f}%", fontsize=8, rotation=0, ha="right", va="center")
    for line, model in enumerate(speech_models, len(image_models)):  # one utterance each, the whole width
        ax = fig.add_subplot(grid[line, :])
        _speech_panel(ax, next(r for r in rows if r.model == model), font)
        ax.set_ylabel(f"{model} {100 * metrics[model][0]:.0f}%\nkHz", fontsize=7)
    fig.suptitle("the zoo on fresh inputs: truth above result (errors in red), each model's accuracy at the left",
                 fontsize=9)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)  # a palette PNG: a third the size
