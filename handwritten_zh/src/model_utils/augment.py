"""Online augmentation of training images: the recognizer augmentations of PaddleOCR (``RecAug``, TIA), MMOCR
(``TextRecogGeneralAug``) and ABINet, on a decoded uint8 image before the model's own resize and padding.

Geometric: ``crop_pad`` (margins cropped or padded: the text's size and place in its crop), ``aspect`` (width
stretched or squeezed; a uniform scale would be undone by the models' resize to a fixed height),
``tia_stretch``, ``tia_distort`` (PaddleOCR's TIA: control points on the top and bottom edges moved, the
displacement interpolated between them and applied with one ``cv2.remap``), ``tia_perspective`` (the four
corners moved), ``shear`` and ``rotate`` (on a canvas grown to hold the whole text).  Photometric:
``brightness``, ``contrast``, ``gamma``, ``colour`` (hue, saturation and colour cast; colour images only),
``invert``.  Degradations: ``gaussian_blur``, ``motion_blur``, ``downscale`` (down, then up again), ``noise``,
``jpeg`` (re-encoded at a low quality).  They run in this order, each with its own probability (``OPS``)
times ``prob``, and magnitudes times ``strength``; sizes are relative to the image height (the text size).

An image is H x W or H x W x C uint8 and comes back with the same dtype and channels (its size may change).
A sample's augmentation is drawn from a generator seeded by (seed, epoch, sample index): the same draw in
every run and after a resume, a new one at every epoch (``Augmenter``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable, Optional, Sequence

import cv2
import numpy as np

from .errors import ConfigError

Rng = np.random.Generator
MIN_SIDE = 8  # smaller images are returned untouched
_SALT = 0x6175  # keeps augmentation draws apart from the sampler's streams of the same seed


def _background(image: np.ndarray) -> tuple:
    """The median of the image's border pixels (per channel): the fill of new margins."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]).reshape(-1, *image.shape[2:])
    return tuple(float(v) for v in np.atleast_1d(np.median(border, axis=0)))


def _lut(image: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Map every value through ``table`` (256 values, or 256 x C for per-channel tables)."""
    table = np.clip(np.rint(table), 0, 255).astype(np.uint8)
    return cv2.LUT(image, table.reshape(1, 256, -1) if table.ndim == 2 else table)


def _remap(image: np.ndarray, offset_x: np.ndarray, offset_y: np.ndarray) -> np.ndarray:
    """Each output pixel (x, y) sampled from (x + offset_x, y + offset_y), offsets broadcast to H x W."""
    h, w = image.shape[:2]
    map_x = np.broadcast_to(np.arange(w, dtype=np.float32) + offset_x, (h, w)).astype(np.float32)
    map_y = np.broadcast_to(np.arange(h, dtype=np.float32)[:, None] + offset_y, (h, w)).astype(np.float32)
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _edge_warp(image: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """TIA's warp by control points evenly spaced on the top and bottom edges: ``top`` and ``bottom`` hold
    their (dx, dy) offsets ([n, 2]); a pixel's offset is interpolated along x on both edges, then along y."""
    h, w = image.shape[:2]
    columns = np.arange(w, dtype=np.float32)
    points = np.linspace(0.0, w - 1.0, len(top))
    edges = [np.interp(columns, points, values[:, axis]) for values in (top, bottom) for axis in (0, 1)]
    t = (np.arange(h, dtype=np.float32) / max(h - 1, 1))[:, None]
    return _remap(image, (1 - t) * edges[0] + t * edges[2], (1 - t) * edges[1] + t * edges[3])


def _segments(image: np.ndarray, rng: Rng) -> int:
    """TIA's number of segments: about one per text height along the width (2 to 12), plus 0-2."""
    h, w = image.shape[:2]
    return int(np.clip(round(w / h), 2, 12)) + int(rng.integers(0, 3))


def _warp_affine(image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``image`` under the 2 x 2 ``matrix`` on a canvas that holds all of it, new margins the background."""
    h, w = image.shape[:2]
    corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float64) @ matrix.T
    low, high = corners.min(axis=0), corners.max(axis=0)
    size = tuple(int(v) for v in np.maximum(np.ceil(high - low), 1))
    full = np.hstack([matrix, -low[:, None]])
    return cv2.warpAffine(image, full, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=_background(image))


def crop_pad(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Crop (up to 8 % of the height) or pad with the background (up to 25 % above and below, 50 % at the
    sides) each side: the text's size and place within the crop, as real detector crops vary."""
    h, w = image.shape[:2]
    amounts = np.rint(rng.uniform([-0.08] * 4, [0.25, 0.25, 0.5, 0.5]) * strength * h).astype(int)
    crop, pad = np.maximum(-amounts, 0), np.maximum(amounts, 0)
    crop[:2] = np.minimum(crop[:2], (h - 1) // 4)
    crop[2:] = np.minimum(crop[2:], (w - 1) // 4)
    cropped = image[crop[0]:h - crop[1], crop[2]:w - crop[3]]
    return cv2.copyMakeBorder(cropped, *(int(v) for v in pad), cv2.BORDER_CONSTANT, value=_background(image))


def aspect(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Stretch or squeeze the width by up to exp(0.3) (narrow and wide fonts)."""
    h, w = image.shape[:2]
    width = max(1, int(round(w * math.exp(rng.uniform(-0.3, 0.3) * strength))))
    return cv2.resize(image, (width, h), interpolation=cv2.INTER_LINEAR)


def tia_stretch(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """TIA stretch: the inner control columns move sideways by up to 25 % of a segment (corners fixed), so
    that parts of the text are squeezed and others stretched."""
    n = _segments(image, rng)
    shift = np.zeros((n + 1, 2))
    shift[1:-1, 0] = rng.uniform(-1, 1, n - 1) * min(0.25 * strength, 0.45) * (image.shape[1] - 1) / n
    return _edge_warp(image, shift, shift)


def tia_distort(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """TIA distort: every control point moves (the corners inward) by up to a third of a segment
    sideways and 15 % of the height up or down."""
    h, w = image.shape[:2]
    n = _segments(image, rng)
    limit = np.array([min((w - 1) / n, h) / 3.0, 0.15 * h]) * strength
    top, bottom = rng.uniform(-0.5, 0.5, (2, n + 1, 2)) * limit
    inward = rng.uniform(0, 1, (4, 2)) * limit * [[-1, -1], [1, -1], [-1, 1], [1, 1]]
    top[0], top[-1], bottom[0], bottom[-1] = inward
    return _edge_warp(image, top, bottom)


def tia_perspective(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """TIA perspective: the four corners move inward by up to 20 % of the height vertically and 10 %
    sideways, the image warped by the homography."""
    h, w = image.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    inward = np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    moved = corners + inward * rng.uniform(0, 1, (4, 2)).astype(np.float32) * np.float32([0.1, 0.2]) * strength * h
    matrix = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    return cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=_background(image))


def shear(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Slant the text by a horizontal shear of up to 0.35 (about 19 degrees), either way."""
    return _warp_affine(image, np.array([[1.0, rng.uniform(-0.35, 0.35) * strength], [0.0, 1.0]]))


def rotate(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Rotate by up to 6 degrees either way, less for long lines (their ends move by at most half the height),
    the canvas grown to the rotated text's bounding box."""
    h, w = image.shape[:2]
    angle = rng.uniform(-1, 1) * min(math.radians(6.0), math.atan2(0.5 * h, w)) * strength
    cos, sin = math.cos(angle), math.sin(angle)
    return _warp_affine(image, np.array([[cos, -sin], [sin, cos]]))


def brightness(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Add up to +-25 % of the range to every value."""
    return _lut(image, np.arange(256) + rng.uniform(-64, 64) * strength)


def contrast(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Scale the deviation from the mean value by exp(+-0.5)."""
    mean = float(image.mean())
    return _lut(image, (np.arange(256) - mean) * math.exp(rng.uniform(-0.5, 0.5) * strength) + mean)


def gamma(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Gamma curve of exponent exp(+-0.5)."""
    return _lut(image, 255.0 * (np.arange(256) / 255.0) ** math.exp(rng.uniform(-0.5, 0.5) * strength))


def colour(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Colour images: turn the hue by up to 20 degrees, scale the saturation by exp(+-0.5), cast a colour
    (per-channel gains of +-15 %).  Gray images are returned as they are."""
    if image.ndim == 2:
        return image
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    hue_shift, saturation = rng.uniform(-10, 10) * strength, math.exp(rng.uniform(-0.5, 0.5) * strength)
    values = np.arange(256)
    tables = np.stack([(values + hue_shift) % 180, values * saturation, values], axis=1)  # OpenCV hue: 0..179
    rgb = cv2.cvtColor(_lut(hsv, tables), cv2.COLOR_HSV2RGB)
    return _lut(rgb, values[:, None] * (1.0 + rng.uniform(-0.15, 0.15, image.shape[2]) * strength))


def invert(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Light text on dark instead of dark on light (and the reverse)."""
    return cv2.bitwise_not(image)


def gaussian_blur(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Out of focus: a Gaussian of sigma 1.5-4 % of the height (at least 0.5 px)."""
    sigma = max(0.5, rng.uniform(0.015, 0.04) * strength * image.shape[0])
    return cv2.GaussianBlur(image, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)


def motion_blur(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Camera shake: a line kernel of 4-12 % of the height (at least 3 px) at any angle."""
    length = max(3, int(round(rng.uniform(0.04, 0.12) * strength * image.shape[0]))) | 1
    angle, centre = rng.uniform(0, math.pi), (length - 1) / 2.0
    dx, dy = centre * math.cos(angle), centre * math.sin(angle)
    kernel = np.zeros((length, length), np.float32)
    cv2.line(kernel, (int(round(centre - dx)), int(round(centre - dy))),
             (int(round(centre + dx)), int(round(centre + dy))), 1.0, 1)
    return cv2.filter2D(image, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REPLICATE)


def downscale(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Low resolution: scaled down to 35-90 % (text at least 10 px high), then back up (linear, cubic or
    nearest)."""
    h, w = image.shape[:2]
    lowest = max(1.0 - 0.65 * strength, 10.0 / h)
    if lowest >= 0.9:
        return image
    factor = rng.uniform(lowest, 0.9)
    small = cv2.resize(image, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)
    method = (cv2.INTER_LINEAR, cv2.INTER_CUBIC, cv2.INTER_NEAREST)[int(rng.integers(0, 3))]
    return cv2.resize(small, (w, h), interpolation=method)


def noise(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Sensor noise: Gaussian of sigma 3-12 grey levels on every value."""
    sigma = rng.uniform(3.0, 12.0) * strength
    noisy = image + rng.standard_normal(image.shape, dtype=np.float32) * sigma
    return np.clip(noisy, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, rng: Rng, strength: float) -> np.ndarray:
    """Compression artefacts: JPEG re-encoding at quality 20-90 (lower with more strength)."""
    quality = int(rng.integers(int(np.clip(75 - 55 * strength, 5, 89)), 91))
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if ok else image


Transform = Callable[[np.ndarray], np.ndarray]


def transformed(image: Optional[np.ndarray], transform: Optional[Transform]) -> Optional[np.ndarray]:
    """A decoded ``image`` through a source's ``transform`` (its augmentation of this draw); without a transform,
    or when the bytes did not decode (None), as it is.  For the models' ``prepare`` functions."""
    return image if image is None or transform is None else transform(image)


@dataclass(frozen=True)
class Op:
    """One augmentation and the probability that it fires on a sample."""

    name: str
    apply: Callable[[np.ndarray, Rng, float], np.ndarray]
    prob: float


OPS = (Op("crop_pad", crop_pad, 0.3), Op("aspect", aspect, 0.2), Op("tia_stretch", tia_stretch, 0.15),
       Op("tia_distort", tia_distort, 0.15), Op("tia_perspective", tia_perspective, 0.15), Op("shear", shear, 0.15),
       Op("rotate", rotate, 0.2),
       Op("brightness", brightness, 0.25), Op("contrast", contrast, 0.25), Op("gamma", gamma, 0.2),
       Op("colour", colour, 0.2), Op("invert", invert, 0.05),
       Op("gaussian_blur", gaussian_blur, 0.15), Op("motion_blur", motion_blur, 0.1),
       Op("downscale", downscale, 0.15), Op("noise", noise, 0.15), Op("jpeg", jpeg, 0.2))
OP_NAMES = tuple(op.name for op in OPS)


class Augmenter:
    """The augmentation of training samples: ``augmenter(image, epoch, index)`` is the augmented ``image``
    of sample ``index`` at its draw number ``epoch``, the same for the same (seed, epoch, index)."""

    def __init__(self, seed: int, prob: float = 1.0, strength: float = 1.0, skip: Sequence[str] = ()):
        unknown = sorted(set(skip) - set(OP_NAMES))
        if unknown:
            raise ConfigError(f"--augment_skip: unknown augmentations {', '.join(unknown)} "
                              f"(known: {', '.join(OP_NAMES)})")
        if not (prob >= 0 and strength >= 0 and math.isfinite(prob) and math.isfinite(strength)):
            raise ConfigError(f"--augment_prob {prob} and --augment_strength {strength} must be finite and >= 0")
        self.seed, self.strength = seed, strength
        self.ops = [op for op in OPS if op.name not in skip]
        self.probs = np.array([min(1.0, op.prob * prob) for op in self.ops])

    @classmethod
    def from_config(cls, cfg: SimpleNamespace) -> "Augmenter":
        """The augmenter of a model's ``seed``, ``augment_prob``, ``augment_strength`` and ``augment_skip``."""
        return cls(cfg.seed, cfg.augment_prob, cfg.augment_strength, cfg.augment_skip)

    def describe(self) -> str:
        """The augmentations in use with their probabilities, and the strength."""
        return (", ".join(f"{op.name} {p:.2f}" for op, p in zip(self.ops, self.probs))
                + f"; strength {self.strength:g}")

    def rng(self, epoch: int, index: int) -> Rng:
        """The generator of sample ``index``'s draw ``epoch``."""
        return np.random.default_rng([_SALT, self.seed, epoch, index])

    def apply(self, image: np.ndarray, rng: Rng) -> np.ndarray:
        """``image`` (uint8 H x W or H x W x C) with the augmentations that ``rng`` draws, in ``OPS`` order."""
        fires = rng.random(len(self.ops)) < self.probs
        if min(image.shape[:2]) < MIN_SIDE:
            return image
        single = image.ndim == 3 and image.shape[2] == 1
        out = image[:, :, 0] if single else image
        for op, fire in zip(self.ops, fires):
            if fire:
                out = op.apply(out, rng, self.strength)
        return np.ascontiguousarray(out[:, :, None] if single else out)

    def __call__(self, image: np.ndarray, epoch: int, index: int) -> np.ndarray:
        return self.apply(image, self.rng(epoch, index))
