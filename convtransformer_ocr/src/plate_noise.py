"""What a camera does to a plate: lighting, dirt, perspective in a scene cropped back with jitter, blur,
motion blur, sensor noise; JPEG artefacts come from writing the image (``quality``).

A ``NoiseProfile`` holds the range of each effect.  ``TRAIN`` is what training plates get; ``STRONG`` holds
levels beyond every training range, which only validation plates get (see ``src/plate_synth.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Range = tuple[float, float]


@dataclass(frozen=True)
class NoiseProfile:
    """Ranges (low, high) of each effect; an effect is drawn uniformly in its range."""

    brightness: tuple[Range, ...]  # gain; a tuple of ranges, one picked at random
    shade: Range                   # strength of a linear light gradient across the plate
    dirt_blobs: Range
    tilt: Range                    # corner displacement, fraction of the plate height
    blur_sigma: Range              # Gaussian blur, px at the rendered scale
    motion_length: Range           # motion-blur kernel length, px
    noise_sigma: Range
    quality: Range                 # JPEG quality


TRAIN = NoiseProfile(brightness=((0.6, 1.3),), shade=(0.0, 0.35), dirt_blobs=(0, 3), tilt=(0.0, 0.25),
                     blur_sigma=(0.0, 1.2), motion_length=(0, 5), noise_sigma=(0.0, 6.0), quality=(40, 95))
STRONG = NoiseProfile(brightness=((0.42, 0.6), (1.3, 1.45)), shade=(0.35, 0.5), dirt_blobs=(4, 6),
                      tilt=(0.25, 0.32), blur_sigma=(1.2, 1.7), motion_length=(5, 7), noise_sigma=(6.0, 9.0),
                      quality=(22, 40))


def _draw(rng: np.random.Generator, span: Range) -> float:
    return float(rng.uniform(span[0], span[1]))


def light(plate: np.ndarray, rng: np.random.Generator, brightness: float, shade: float) -> np.ndarray:
    """Gain times a linear gradient in a random direction (float32 image)."""
    h, w = plate.shape[:2]
    angle = rng.uniform(0, 2 * np.pi)
    xs, ys = np.linspace(0, 1, w, dtype=np.float32), np.linspace(0, 1, h, dtype=np.float32)
    ramp = np.float32(np.cos(angle)) * xs[None, :] + np.float32(np.sin(angle)) * ys[:, None]
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    return plate * (np.float32(brightness) * (1.0 - np.float32(shade) * ramp))[..., None]


def dirt(plate: np.ndarray, rng: np.random.Generator, blobs: int) -> np.ndarray:
    """Soft brownish stains darkening the plate (float32 image)."""
    if blobs == 0:
        return plate
    h, w = plate.shape[:2]
    mask = np.zeros((h, w), np.float32)
    for _ in range(blobs):
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (int(rng.integers(w // 30 + 1, w // 8 + 2)), int(rng.integers(h // 12 + 1, h // 3 + 2)))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, float(rng.uniform(0.3, 0.7)), -1)
    mask = cv2.GaussianBlur(mask, (0, 0), h / 15)[..., None]
    return plate * (1.0 - mask) + np.asarray((90, 70, 50), np.float32) * mask


def scene(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A smooth random background (car body, road) of h x w (float32 RGB)."""
    small = rng.uniform(0, 255, (max(2, h // 16), max(2, w // 16), 3)).astype(np.float32)
    small = 0.7 * small.mean(2, keepdims=True) + 0.3 * small  # mostly grey, some colour
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC) * np.float32(rng.uniform(0.3, 1.0))


def place(plate: np.ndarray, rng: np.random.Generator, tilt: float, jitter: float) -> np.ndarray:
    """Warp the plate's corners by up to ``tilt`` plate heights into a scene, and crop the quad's bounding box
    widened by up to ``jitter`` plate heights on each side (or narrowed by up to 0.3 ``jitter``)."""
    h, w = plate.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + rng.uniform(-tilt * h, tilt * h, (4, 2)).astype(np.float32)
    margins = rng.uniform(-0.3 * jitter, jitter, 4) * h
    left, top = np.floor(dst.min(0) - margins[:2])
    right, bottom = np.ceil(dst.max(0) + margins[2:])
    size = (int(right - left), int(bottom - top))
    canvas = np.clip(scene(rng, size[1], size[0]), 0, 255)
    matrix = cv2.getPerspectiveTransform(src, dst - np.float32([left, top]))
    cv2.warpPerspective(plate, matrix, size, dst=canvas, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
    return canvas


def motion_blur(image: np.ndarray, rng: np.random.Generator, length: float) -> np.ndarray:
    """Blur along a random direction over ``length`` px."""
    size = int(round(length))
    if size < 2:
        return image
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, :] = 1.0 / size
    rotation = cv2.getRotationMatrix2D(((size - 1) / 2, (size - 1) / 2), float(rng.uniform(0, 180)), 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (size, size))
    return cv2.filter2D(image, -1, kernel / max(float(kernel.sum()), 1e-6))


def degrade(plate: np.ndarray, rng: np.random.Generator, profile: NoiseProfile, jitter: float) -> np.ndarray:
    """The flat plate (uint8 RGB) as a camera would see it: uint8 RGB crop around the plate."""
    image = plate.astype(np.float32)
    brightness = profile.brightness[int(rng.integers(0, len(profile.brightness)))]
    image = light(image, rng, _draw(rng, brightness), _draw(rng, profile.shade))
    image = dirt(image, rng, int(round(_draw(rng, profile.dirt_blobs))))
    image = place(np.clip(image, 0, 255), rng, _draw(rng, profile.tilt), jitter)
    sigma = _draw(rng, profile.blur_sigma)
    if sigma > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    image = motion_blur(image, rng, _draw(rng, profile.motion_length))
    image = image + rng.standard_normal(image.shape, dtype=np.float32) * np.float32(_draw(rng, profile.noise_sigma))
    return np.clip(image, 0, 255).astype(np.uint8)
