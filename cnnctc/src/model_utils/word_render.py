"""The training renderer of synthetic word crops, SynthText / MJSynth style (``word_synth``).

A sample: a text (``word_text``) in a font of the split, drawn as a mask (sometimes letter-spaced), bent on
a curved baseline; parts of other text lines above, below or beside it; composited over a procedural scene
background (``word_textures``) with harmonious colours, sometimes with a shadow, an outline or a two-colour
fill; the whole scene rotated and put in perspective; cropped around the word with real crops' uneven
margins (sometimes cutting into it); resized to 32 px high, sometimes through a low resolution; blurred,
noisy, JPEG-compressed.  The ``clean`` style keeps only fonts and words: dark text on a flat light
background.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import word_textures
from .word_text import sample_text

OUT_HEIGHT = 32
FONT_SIZES = (22, 26, 30, 34, 40)  # the output is 32 px high: larger sizes only cost time
FRAGMENT_CHARS = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "))


@dataclass(frozen=True)
class Style:
    """How much a rendering varies; ``plain`` means dark text on a light, flat background."""

    rotation_deg: float
    shear: float
    perspective: float
    curve: float            # largest baseline bend, in text heights
    blur_sigma: float
    noise_sigma: float
    jpeg_quality_min: int
    plain: bool


STYLES = {
    # scene variety: textures, colours, effects, nearby text, curved and rotated text, crops, low resolution
    "full": Style(4.0, 0.15, 0.04, 0.35, 1.2, 10.0, 40, plain=False),
    # clean renderings (fonts and words vary, nothing else): an easy curriculum for the first steps
    "clean": Style(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 95, plain=True),
}


@dataclass(frozen=True)
class Font:
    """A TrueType/OpenType face usable for Latin words."""

    path: str
    index: int
    family: str


class FontCache:
    """PIL fonts per (face, size), loaded on first use."""

    def __init__(self, fonts: Sequence[Font]):
        self.fonts = list(fonts)
        self._loaded: dict[tuple[int, int], ImageFont.FreeTypeFont] = {}

    def get(self, which: int, size: int) -> ImageFont.FreeTypeFont:
        """Face number ``which`` at ``size`` px."""
        key = (which, size)
        if key not in self._loaded:
            font = self.fonts[which]
            self._loaded[key] = ImageFont.truetype(font.path, size, index=font.index)
        return self._loaded[key]

    def draw(self, rng: np.random.Generator) -> ImageFont.FreeTypeFont:
        """A random face at a random size."""
        return self.get(int(rng.integers(len(self.fonts))), FONT_SIZES[int(rng.integers(len(FONT_SIZES)))])


def text_mask(text: str, font: ImageFont.FreeTypeFont, pad: int, spacing: float = 0.0) -> np.ndarray:
    """uint8 mask of ``text`` with ``pad`` px of margin; ``spacing`` (em) is added between letters."""
    if spacing == 0.0:
        left, top, right, bottom = font.getbbox(text)
        image = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
        ImageDraw.Draw(image).text((pad - left, pad - top), text, fill=255, font=font)
        return np.asarray(image)
    step = [font.getlength(c) + spacing * font.size for c in text]
    ascent, descent = font.getmetrics()
    width = int(sum(step) + 2 * pad + font.size)
    image = Image.new("L", (max(width, 1), ascent + descent + 2 * pad), 0)
    draw, x = ImageDraw.Draw(image), float(pad)
    for char, advance in zip(text, step):
        draw.text((x, pad), char, fill=255, font=font)
        x += advance
    arr = np.asarray(image)
    cols, rows = np.flatnonzero(arr.any(0)), np.flatnonzero(arr.any(1))
    return np.pad(arr[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1], pad)


def _bend(rng: np.random.Generator, mask: np.ndarray, amount: float) -> np.ndarray:
    """Bend the text's baseline along an arc of up to ``amount`` text heights (a remap of the rows)."""
    h, w = mask.shape
    x, y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    u = (x - w / 2) / (w / 2)
    sag = np.float32(rng.uniform(-amount, amount) * h / 2)
    return cv2.remap(mask, x, y + sag * (u * u - 0.5), cv2.INTER_LINEAR, borderValue=0)


class WordRenderer:
    """Renders one word image from a per-sample random generator."""

    def __init__(self, fonts: Sequence[Font], words: Sequence[str], max_len: int, style: Style):
        self.style, self.words, self.max_len = style, list(words), max_len
        self.fonts = FontCache(fonts)

    def _fragments(self, rng: np.random.Generator, mask: np.ndarray, size: int) -> np.ndarray:
        """A mask of other text near the word: lines above and below, words to the sides (cut by the crop)."""
        h, w = mask.shape
        cols = np.flatnonzero(mask.any(0))
        out = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(out)
        font = self.fonts.get(int(rng.integers(len(self.fonts.fonts))), size)
        for _ in range(int(rng.integers(1, 4))):
            text = "".join(FRAGMENT_CHARS[rng.integers(len(FRAGMENT_CHARS), size=int(rng.integers(3, 20)))])
            side = rng.integers(4)
            line, gap = size * rng.uniform(1.05, 1.4), size * rng.uniform(0.3, 1.0)
            if side < 2:  # a line above or below, anywhere along the word
                x, y = rng.uniform(-w / 2, w / 2), h / 2 + (line if side == 0 else -line) - size * 0.6
            else:  # a word before or after it on the same line
                x = cols[0] - gap - font.getlength(text) if side == 2 else cols[-1] + gap
                y = h / 2 - size * 0.6
            draw.text((x, y), text, fill=255, font=font)
        return np.asarray(out)

    def _composite(self, rng: np.random.Generator, mask: np.ndarray, size: int) -> np.ndarray:
        """The scene (float32 RGB) with the text of ``mask`` and its effects on it."""
        h, w = mask.shape
        bg, fg, accent = word_textures.scheme(rng)
        image = word_textures.background(rng, h, w, bg, (fg, accent))
        alpha = mask.astype(np.float32)[..., None] / 255
        if rng.random() < 0.35:
            frag = self._fragments(rng, mask, size).astype(np.float32)[..., None] / 255
            image += (np.where(rng.random() < 0.6, fg, accent) - image) * frag * rng.uniform(0.5, 1.0)
        effect = rng.random()
        if effect < 0.15:  # drop shadow
            dx, dy = (int(v) for v in rng.integers(1, max(2, size // 10), 2) * rng.choice([-1, 1], 2))
            shadow = np.roll(cv2.GaussianBlur(alpha[..., 0], (0, 0), rng.uniform(0.5, 2.5)), (dy, dx), (0, 1))
            image += (accent * 0.3 - image) * shadow[..., None] * rng.uniform(0.4, 0.9)
        elif effect < 0.3:  # outline
            width = int(rng.integers(1, max(2, size // 12) + 1))
            ring = cv2.dilate(mask, np.ones((2 * width + 1,) * 2, np.uint8)).astype(np.float32)[..., None] / 255
            image += (accent - image) * ring
        fill = np.broadcast_to(fg, image.shape)
        if rng.random() < 0.15:  # two-colour vertical fill
            ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
            fill = fg + ramp * (np.clip(fg + rng.normal(0, 50, 3), 0, 255) - fg)
        return image + (fill - image) * alpha * rng.uniform(0.75, 1.0)

    def _warp(self, rng: np.random.Generator, image: np.ndarray, mask: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        """Rotate, shear and put in perspective the scene and the text mask alike."""
        h, w = mask.shape
        s = self.style
        angle = np.deg2rad(rng.normal(0, s.rotation_deg) if rng.random() < 0.8 else rng.uniform(-15, 15))
        shear = rng.normal(0, s.shear)
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        centred = src - [w / 2, h / 2]
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        jitter = rng.normal(0, s.perspective, (4, 2)) * [w, h] * (rng.random() < 0.5)
        dst = (centred @ rot.T + np.outer(centred[:, 1], [shear, 0]) + [w / 2, h / 2] + jitter).astype(np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        image = cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        return image, cv2.warpPerspective(mask, matrix, (w, h), flags=cv2.INTER_LINEAR)

    def _crop(self, rng: np.random.Generator, image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Crop around the text's ink with real crops' margins: uneven, sometimes into the text."""
        ys, xs = np.nonzero(mask > 40)
        if not len(ys):
            return image
        text_h = ys.max() - ys.min() + 1
        if self.style.plain:
            margins = rng.uniform(0, [0.1, 0.1, 0.3, 0.3]) * text_h
        else:
            margins = rng.uniform([-0.08, -0.08, -0.1, -0.1], [0.3, 0.3, 0.6, 0.6]) * text_h
        top, bottom, left, right = (int(round(v)) for v in margins)
        y0, y1 = max(0, ys.min() - top), min(mask.shape[0], ys.max() + 1 + bottom)
        x0, x1 = max(0, xs.min() - left), min(mask.shape[1], xs.max() + 1 + right)
        return image[y0:max(y1, y0 + 2), x0:max(x1, x0 + 2)]

    def _degrade(self, rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
        """Resize to ``OUT_HEIGHT`` (sometimes through a lower resolution), blur, noise; uint8."""
        h, w = image.shape[:2]
        width = max(1, round(w * OUT_HEIGHT / h))
        if not self.style.plain and rng.random() < 0.3:
            low = int(rng.integers(10, OUT_HEIGHT))
            image = cv2.resize(image, (max(1, round(w * low / h)), low), interpolation=cv2.INTER_AREA)
        image = cv2.resize(image, (width, OUT_HEIGHT), interpolation=cv2.INTER_AREA if image.shape[0] > OUT_HEIGHT
                           else cv2.INTER_LINEAR)
        sigma = rng.uniform(0, self.style.blur_sigma)
        if sigma > 0.4:
            image = cv2.GaussianBlur(image, (0, 0), sigma)
        image = image + rng.normal(0, rng.uniform(0, self.style.noise_sigma), image.shape).astype(np.float32)
        return np.clip(image, 0, 255).astype(np.uint8)

    def render(self, rng: np.random.Generator, split: str) -> tuple[bytes, str]:
        """(JPEG bytes of an ``OUT_HEIGHT`` px high image, rendered text) of one sample."""
        text = sample_text(rng, self.words, split, self.max_len)
        font = self.fonts.draw(rng)
        plain = self.style.plain
        spacing = 0.0 if plain or rng.random() < 0.75 else float(rng.uniform(-0.05, 0.35))
        mask = text_mask(text, font, font.size // 2 if plain else int(0.7 * font.size), spacing)
        if plain:
            paper, ink = rng.uniform(200, 255), rng.uniform(0, 50)
            image = paper + (ink - paper) * mask.astype(np.float32)[..., None].repeat(3, 2) / 255
        else:
            if rng.random() < 0.3:
                mask = _bend(rng, mask, self.style.curve)
            image = self._composite(rng, mask, font.size)
            image, mask = self._warp(rng, image, mask)
        image = self._degrade(rng, self._crop(rng, image, mask))
        quality = int(rng.integers(self.style.jpeg_quality_min, 96))
        ok, jpeg = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError(f"JPEG encoding failed for {text!r}")
        return jpeg.tobytes(), text
