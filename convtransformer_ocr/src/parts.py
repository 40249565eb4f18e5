"""ConvNextViT's parts, as the zoo's entry points take them (``src.model_utils.entry``)."""
from __future__ import annotations

from .charset import label_converter
from .data import evaluate_lines, line_dataset, line_source
from .metrics import PlateMetric
from .model_utils.entry import ModelParts
from .model_utils.infer_io import IMAGE_EXTENSIONS
from .network import build_network, input_shape
from .recognizer import Recognizer

PARTS = ModelParts(build_network=build_network, label_converter=label_converter, source=line_source,
                   dataset=line_dataset, evaluate=evaluate_lines, new_metric=lambda cfg: PlateMetric(),
                   find_datasets=lambda path: [path], input_shape=input_shape, recognizer=Recognizer,
                   input_extensions=IMAGE_EXTENSIONS, fixed_shape=True)
