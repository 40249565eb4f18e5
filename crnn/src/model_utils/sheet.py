"""An image sheet of recognition samples drawn with PIL: per cell the input picture, then the truth and the
result with the wrong tokens in red (aligned by edit distance), and a caption line (e.g. the confidence).
Chinese text is drawn with a CJK font (Noto Sans CJK from fonts-noto-cjk) when one is installed."""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .confusions import Pair

CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/arphic/uming.ttc")
CELL_WIDTH, PICTURE_HEIGHT, FONT_SIZE, MARGIN, COLUMNS = 460, 96, 15, 8, 3
WIDE = 6  # pictures wider than this many heights (text lines, utterances) get a whole row each
INK, WRONG, GREY, BACKGROUND = (20, 20, 20), (207, 34, 46), (110, 110, 110), (255, 255, 255)


@dataclass(frozen=True)
class Cell:
    """One sample of the sheet: its picture (H x W, H x W x 1 or H x W x 3 uint8), alignment, caption."""

    picture: np.ndarray
    pairs: Sequence[Pair]  # truth/result alignment (confusions.align)
    separator: str  # between tokens in the text ("" for characters, " " for phones)
    caption: str


@lru_cache(maxsize=None)
def font(size: int = FONT_SIZE) -> ImageFont.FreeTypeFont:
    """A font with Chinese characters when one is installed, else PIL's default."""
    found = [f for f in CJK_FONTS if os.path.isfile(f)] or glob.glob("/usr/share/fonts/**/*CJK*", recursive=True)
    return ImageFont.truetype(found[0], size) if found else ImageFont.load_default(size)


def _picture(array: np.ndarray, width: int) -> Image.Image:
    """The picture scaled to fit ``width`` x PICTURE_HEIGHT (small crops enlarged)."""
    image = Image.fromarray(array[..., 0] if array.ndim == 3 and array.shape[2] == 1 else array).convert("RGB")
    scale = min(width / image.width, PICTURE_HEIGHT / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC)


def _wrap(words: list[tuple[str, tuple]], width: int) -> list[list[tuple[str, tuple]]]:
    """Coloured pieces broken into lines no wider than ``width`` (a piece is never split)."""
    lines: list[list[tuple[str, tuple]]] = [[]]
    used = 0.0
    for text, colour in words:
        length = font().getlength(text)
        if lines[-1] and used + length > width:
            lines.append([])
            used = 0.0
        lines[-1].append((text, colour))
        used += length
    return lines


def _text_lines(label: str, pairs: Sequence[Pair], side: int, separator: str,
                width: int) -> list[list[tuple[str, tuple]]]:
    """The truth (``side`` 0) or result (1) after ``label`` as coloured pieces, its tokens that are edits
    (substituted, deleted or inserted) in red."""
    pieces = [(label, GREY)]
    for pair in pairs:
        token = pair[side]
        if token is None:
            continue
        pieces.append((token + separator, WRONG if pair[0] != pair[1] else INK))
    if len(pieces) == 1:
        pieces.append(("(empty)", WRONG))
    return _wrap(pieces, width)


def _cell(cell: Cell, width: int) -> Image.Image:
    picture = _picture(cell.picture, width)
    lines = (_text_lines("truth:  ", cell.pairs, 0, cell.separator, width)
             + _text_lines("result: ", cell.pairs, 1, cell.separator, width) + [[(cell.caption, GREY)]])
    step = FONT_SIZE + 5
    image = Image.new("RGB", (width, picture.height + 4 + step * len(lines)), BACKGROUND)
    image.paste(picture, (0, 0))
    draw = ImageDraw.Draw(image)
    for row, pieces in enumerate(lines):
        x = 0.0
        for text, colour in pieces:
            draw.text((x, picture.height + 4 + row * step), text, fill=colour, font=font())
            x += font().getlength(text)
    return image


def draw_sheet(cells: Sequence[Cell], title: str, path: str) -> None:
    """Write ``cells`` under ``title`` to the PNG ``path``: COLUMNS a row, or one a row when the pictures
    are WIDE (the sheet is as wide either way)."""
    wide = bool(cells) and np.median([c.picture.shape[1] / c.picture.shape[0] for c in cells]) > WIDE
    columns = 1 if wide else COLUMNS
    width = COLUMNS * CELL_WIDTH + (COLUMNS - 1) * MARGIN if wide else CELL_WIDTH
    images = [_cell(c, width) for c in cells]
    rows = [images[i:i + columns] for i in range(0, len(images), columns)]
    heights = [max(im.height for im in row) for row in rows]
    top = FONT_SIZE + 2 * MARGIN
    sheet = Image.new("RGB", (MARGIN + columns * (width + MARGIN), top + sum(h + 2 * MARGIN for h in heights)),
                      BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((MARGIN, MARGIN), title, fill=INK, font=font())
    y = top
    for row, height in zip(rows, heights):
        for column, image in enumerate(row):
            x = MARGIN + column * (width + MARGIN)
            sheet.paste(image, (x, y))
            draw.rectangle((x - 3, y - 3, x + width + 2, y + height + 2), outline=(220, 220, 220))
        y += height + 2 * MARGIN
    sheet.save(path)
