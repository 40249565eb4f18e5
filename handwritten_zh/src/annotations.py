"""Annotation files of text lines as (image path, raw label) pairs: SCUT-EPT splits and plain ``gt.txt`` files.

SCUT-EPT (https://github.com/HCIILAB/SCUT-EPT_Dataset_Release): the release's README does not describe its
files; this reader takes the layout of the training code behind the reference model (Intel's
handwritten-chinese-ocr-samples) and of OpenVINO's demo data::

    ROOT/train_img_id_gt.txt    one line per image: ``img_id,text`` (split at the first comma)
    ROOT/train/000000.jpg ...   the line images, named by id
    ROOT/test_img_id_gt.txt, ROOT/test/ ...

A split is given as its annotation file ``ROOT/<split>_img_id_gt.txt`` or its image folder ``ROOT/<split>``
(the other is found beside it).  An id without a file extension is looked up as ``.jpg``, then ``.png``
(``.jpg`` is assumed when neither exists, and the missing image is counted when read).

``gt.txt``: any other file (or a folder holding ``gt.txt``), the zoo's one list format (``model_utils.gt_txt``).
A line without the separator has no label (None: counted by the source), in both formats.
"""
from __future__ import annotations

import os

from .model_utils.errors import DatasetError
from .model_utils.gt_txt import GT_FILE, Pairs, read_gt, read_pairs

SCUT_SUFFIX = "_img_id_gt.txt"
SCUT_EXTENSIONS = (".jpg", ".png")


def split_files(path: str) -> tuple[str, str]:
    """(annotation file, image folder) of one SCUT-EPT split given as either of them."""
    path = os.path.normpath(path)
    if path.endswith(SCUT_SUFFIX):
        return path, path[:-len(SCUT_SUFFIX)]
    if os.path.isdir(path):
        return path + SCUT_SUFFIX, path
    raise DatasetError(f"{path} is neither a SCUT-EPT annotation file (<split>{SCUT_SUFFIX}) nor a split's "
                       "image folder")


def image_file(folder: str, image_id: str) -> str:
    """The image of ``image_id`` in ``folder``; ids without an extension are tried with ``SCUT_EXTENSIONS``."""
    path = os.path.join(folder, image_id)
    if os.path.splitext(image_id)[1]:
        return path
    return next((path + ext for ext in SCUT_EXTENSIONS if os.path.isfile(path + ext)), path + SCUT_EXTENSIONS[0])


def scut_ept_pairs(path: str) -> Pairs:
    """(image path, raw label) of a SCUT-EPT split."""
    labels, folder = split_files(path)
    if not os.path.isdir(folder):
        raise DatasetError(f"image folder {folder} of {labels} does not exist")
    return [(image_file(folder, image_id), text) for image_id, text in read_pairs(labels, b",")]


def line_pairs(path: str) -> Pairs:
    """The lines of a dataset path: a ``gt.txt`` file or a folder holding one (the rule of every model), else a
    SCUT-EPT split (annotation file or image folder)."""
    if os.path.isfile(os.path.join(path, GT_FILE)):
        return read_gt(os.path.join(path, GT_FILE))
    if os.path.normpath(path).endswith(SCUT_SUFFIX) or os.path.isdir(path):
        return scut_ept_pairs(path)
    return read_gt(path)
