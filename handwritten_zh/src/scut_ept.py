"""SCUT-EPT text lines (https://github.com/HCIILAB/SCUT-EPT_Dataset_Release) as a sample source.

The release's README does not describe its files; this reader takes the layout of the training code
behind the reference model (Intel's handwritten-chinese-ocr-samples) and of OpenVINO's demo data::

    ROOT/train_img_id_gt.txt    one line per image: ``img_id,text`` (split at the first comma)
    ROOT/train/000000.jpg ...   the line images, named by id
    ROOT/test_img_id_gt.txt, ROOT/test/ ...

A path is an annotation file ``ROOT/<split>_img_id_gt.txt`` or the image folder ``ROOT/<split>``
(the other is found beside it).  An id without a file extension is looked up as ``.jpg``, then
``.png`` (``.jpg`` is assumed when neither exists, and the missing image is counted when read).
Labels and the width rule: ``src/line_source.py``.
"""
from __future__ import annotations

import os
from typing import Sequence

from .charset import CharsetConverter
from .line_source import LineSource, read_pairs
from .model_utils.errors import DatasetError
from .model_utils.sources import Prepare
from .preprocess import MAX_WIDTH

SUFFIX = "_img_id_gt.txt"
EXTENSIONS = (".jpg", ".png")


def split_files(path: str) -> tuple[str, str]:
    """(annotation file, image folder) of one split given as either of them."""
    path = os.path.normpath(path)
    if path.endswith(SUFFIX):
        return path, path[:-len(SUFFIX)]
    if os.path.isdir(path):
        return path + SUFFIX, path
    raise DatasetError(f"{path} is neither a SCUT-EPT annotation file (<split>{SUFFIX}) nor a split's image folder")


def image_file(folder: str, image_id: str) -> str:
    """The image of ``image_id`` in ``folder``; ids without an extension are tried with ``EXTENSIONS``."""
    path = os.path.join(folder, image_id)
    if os.path.splitext(image_id)[1]:
        return path
    return next((path + ext for ext in EXTENSIONS if os.path.isfile(path + ext)), path + EXTENSIONS[0])


class ScutEptSource(LineSource):
    """Random-access source over SCUT-EPT splits; items as ``LabelledSource``'s."""

    def __init__(self, paths: Sequence[str], converter: CharsetConverter, prepare: Prepare, for_eval: bool = False,
                 max_width: int = MAX_WIDTH):
        super().__init__(converter, prepare, for_eval, max_width)
        self.num_entries = len(paths)
        for entry, path in enumerate(paths):
            labels, folder = split_files(path)
            if not os.path.isdir(folder):
                raise DatasetError(f"image folder {folder} of {labels} does not exist")
            self.sizes[labels] = sum(self.add_line(entry, image_file(folder, image_id), text)
                                     for image_id, text in read_pairs(labels, b","))
        self.check_not_empty(paths)
