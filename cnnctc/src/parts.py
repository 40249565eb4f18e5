"""CNN-CTC's parts, as the zoo's entry points take them (``src.model_utils.entry``)."""
from __future__ import annotations

from .cnn_ctc import build_network, label_converter
from .data import evaluate_words, new_metric, word_dataset, word_source
from .model_utils.entry import ModelParts
from .model_utils.infer_io import IMAGE_EXTENSIONS
from .model_utils.metrics import normalizer
from .model_utils.sources import find_lmdbs
from .recognizer import Recognizer

PARTS = ModelParts(build_network=build_network, label_converter=label_converter, source=word_source,
                   dataset=word_dataset, evaluate=evaluate_words, new_metric=new_metric, find_datasets=find_lmdbs,
                   input_shape=lambda cfg: (3, cfg.image_height, cfg.image_width),
                   recognizer=Recognizer, input_extensions=IMAGE_EXTENSIONS, fixed_shape=True,
                   compare=lambda cfg: normalizer(cfg.metric_normalize))
