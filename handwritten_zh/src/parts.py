"""handwritten_zh's parts, as the zoo's entry points take them (``src.model_utils.entry``)."""
from __future__ import annotations

from types import SimpleNamespace

from .charset import label_converter
from .data import evaluate_lines, line_dataset, line_source, train_data
from .metrics import CharacterMetric
from .model_utils.entry import ModelParts
from .model_utils.errors import ConfigError
from .model_utils.infer_io import IMAGE_EXTENSIONS
from .network import build_network
from .preprocess import WIDTH_STEP
from .recognizer import Recognizer


def input_shape(cfg: SimpleNamespace) -> tuple:
    """[1, image_height, export_width]: gray; a width of None (``export_width`` 0) is dynamic (MINDIR)."""
    if cfg.export_width < 0 or cfg.export_width % WIDTH_STEP:
        raise ConfigError(f"--export_width must be 0 (any width) or a multiple of {WIDTH_STEP}, got {cfg.export_width}")
    return 1, cfg.image_height, cfg.export_width or None


PARTS = ModelParts(build_network=build_network, label_converter=label_converter, source=line_source,
                   dataset=line_dataset, evaluate=evaluate_lines, new_metric=lambda cfg: CharacterMetric(),
                   find_datasets=lambda path: [path], input_shape=input_shape, recognizer=Recognizer,
                   input_extensions=IMAGE_EXTENSIONS, train_data=train_data)
