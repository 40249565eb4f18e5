"""CRNN's parts, as the zoo's entry points take them (``src.model_utils.entry``)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

from .crnn import build_network, label_converter
from .data import evaluate_words, word_dataset, word_source
from .metrics import MmocrMetric, ignore_case_symbol
from .model_utils.entry import ModelParts
from .model_utils.infer_io import IMAGE_EXTENSIONS
from .model_utils.report import input_picture
from .model_utils.sources import find_lmdbs
from .preprocess_switch import preprocessing
from .recognizer import Recognizer


def find_datasets(path: str) -> list[str]:
    """An MMOCR ``.json`` annotation file is one dataset; any other path holds LMDBs."""
    return [path] if path.lower().endswith(".json") else find_lmdbs(path)


def input_shape(cfg: SimpleNamespace) -> tuple:
    """[C, 32, image_width]: gray for MMOCR's network, BGR for the official zoo's."""
    return preprocessing(cfg).channels, cfg.image_height, cfg.image_width


def report_picture(cfg: SimpleNamespace) -> Callable[[Any, int], np.ndarray]:
    """A sample's input as the network sees it, for eval.py --report: the official zoo's BGR shown as RGB."""
    if preprocessing(cfg).channels == 1:
        return input_picture
    return lambda source, index: input_picture(source, index)[:, :, ::-1]


PARTS = ModelParts(build_network=build_network, label_converter=label_converter, source=word_source,
                   dataset=word_dataset, evaluate=evaluate_words, new_metric=lambda cfg: MmocrMetric(),
                   find_datasets=find_datasets, input_shape=input_shape, recognizer=Recognizer,
                   input_extensions=IMAGE_EXTENSIONS, compare=lambda cfg: ignore_case_symbol,
                   picture=report_picture)
