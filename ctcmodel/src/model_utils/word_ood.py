"""The out-of-distribution renderer of word crops: a second generator that training never uses.

It shares nothing with the training renderer (``word_render``) but the text sampler: PIL draws everything
(``ImageDraw.text`` with its own stroke outline, ``Image.rotate``, PIL's gradients, noise and Mandelbrot
textures colourised with ``ImageOps.colorize``, ellipses and bars as clutter, PIL's box and Lanczos
resampling, PIL's JPEG encoder), with the held-out font families (``OOD_DESIGNS`` in ``word_synth``) and
validation words only.  A gap between the in-distribution validation set and this one measures how much a
model learned the training renderer rather than reading.
"""
from __future__ import annotations

import colorsys
import io
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from .word_text import sample_text

OUT_HEIGHT = 32
SIZES = (22, 30, 38, 46, 60)


def _colour(rng: np.random.Generator, lightness: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(rng.random(), lightness, rng.uniform(0, 0.9))
    return int(r * 255), int(g * 255), int(b * 255)


def _texture(rng: np.random.Generator, size: tuple[int, int], dark: tuple, light: tuple) -> Image.Image:
    kind = rng.integers(4)
    if kind == 0:
        gray = Image.linear_gradient("L").rotate(float(rng.uniform(0, 360))).resize(size)
    elif kind == 1:
        gray = Image.radial_gradient("L").resize(size)
    elif kind == 2:
        gray = Image.effect_noise(size, float(rng.uniform(10, 60))).filter(ImageFilter.BoxBlur(int(rng.integers(0, 4))))
    else:
        low, high = rng.uniform([-2, -1.2], [0, 0]), rng.uniform([0.2, 0], [1, 1.2])
        box = (float(low[0]), float(low[1]), float(high[0]), float(high[1]))
        gray = Image.effect_mandelbrot(size, box, int(rng.integers(20, 120)))
    gray = ImageOps.autocontrast(gray).point(lambda v: 64 + v // 2)  # keep the texture subdued
    return ImageOps.colorize(gray, dark, light)


class OodWordRenderer:
    """Renders one out-of-distribution word crop from a per-sample random generator."""

    def __init__(self, fonts: Sequence, words: Sequence[str], max_len: int):
        self.fonts, self.words, self.max_len = list(fonts), list(words), max_len
        self._cache: dict[tuple[int, int], ImageFont.FreeTypeFont] = {}

    def _font(self, rng: np.random.Generator) -> ImageFont.FreeTypeFont:
        key = (int(rng.integers(len(self.fonts))), int(rng.choice(SIZES)))
        if key not in self._cache:
            face = self.fonts[key[0]]
            self._cache[key] = ImageFont.truetype(face.path, key[1], index=face.index)
        return self._cache[key]

    def render(self, rng: np.random.Generator, split: str) -> tuple[bytes, str]:
        """(JPEG bytes, rendered text) of one sample with words of ``split``."""
        text = sample_text(rng, self.words, split, self.max_len)
        font = self._font(rng)
        dark_text = rng.random() < 0.6
        ink, paper = (_colour(rng, 0.12), _colour(rng, 0.82)) if dark_text else (_colour(rng, 0.9), _colour(rng, 0.2))
        left, top, right, bottom = font.getbbox(text)
        pad = font.size
        size = (right - left + 2 * pad, bottom - top + 2 * pad)
        layer = Image.new("RGBA", size, (0, 0, 0, 0))
        stroke = int(rng.integers(0, 3)) if rng.random() < 0.3 else 0
        ImageDraw.Draw(layer).text((pad - left, pad - top), text, font=font, fill=ink + (255,),
                                   stroke_width=stroke, stroke_fill=_colour(rng, 0.5) + (255,))
        layer = layer.rotate(float(rng.normal(0, 3)), resample=Image.BICUBIC, expand=True)
        scene = _texture(rng, layer.size, paper, tuple(int(0.8 * c + 0.2 * i) for c, i in zip(paper, ink)))
        draw = ImageDraw.Draw(scene)
        for _ in range(int(rng.integers(0, 3))):
            x, y = int(rng.integers(layer.size[0])), int(rng.integers(layer.size[1]))
            r = int(rng.integers(3, 20))
            draw.ellipse((x - r, y - r, x + r, y + r), outline=_colour(rng, 0.5), width=int(rng.integers(1, 3)))
        scene.paste(layer, (0, 0), layer)
        x0, y0, x1, y1 = layer.getchannel("A").getbbox()
        m = (y1 - y0) * rng.uniform(0.0, 0.25, 4)
        crop = scene.crop((max(0, int(x0 - m[0])), max(0, int(y0 - m[1])),
                           min(scene.width, int(x1 + m[2])), min(scene.height, int(y1 + m[3]))))
        if rng.random() < 0.3:
            low = int(rng.integers(12, OUT_HEIGHT))
            crop = crop.resize((max(1, crop.width * low // crop.height), low), Image.BOX)
        crop = crop.resize((max(1, round(crop.width * OUT_HEIGHT / crop.height)), OUT_HEIGHT), Image.LANCZOS)
        if rng.random() < 0.4:
            crop = crop.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.0))))
        buffer = io.BytesIO()
        crop.convert("RGB").save(buffer, "JPEG", quality=int(rng.integers(50, 96)))
        return buffer.getvalue(), text
