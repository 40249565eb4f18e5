"""ctcmodel's parts, as the zoo's entry points take them (``src.model_utils.entry``)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

import numpy as np

from .data import UtteranceSource, label_converter, source, utterance_dataset
from .evaluation import evaluate_utterances
from .ler import PhoneErrorRate, merge_repeats
from .model_utils.entry import ModelParts
from .model_utils.fit import TrainData
from .network import build_network
from .phones import fold_phones
from .recognizer import Recognizer
from .spectrogram import feature_picture

SPEECH_EXTENSIONS = (".wav", ".sph")


def train_data(cfg: SimpleNamespace, utterances: UtteranceSource) -> TrainData:
    """Batches of (features, frames | labels, label lengths, frames); in bucket mode, steps of similar lengths."""
    bucket = cfg.pad_mode == "bucket"
    return TrainData(utterances, lambda order: utterance_dataset(cfg, utterances, cfg.train_batch_size, order),
                     unit="utt", network_inputs=2, lengths=utterances.frames if bucket else None,
                     bucket_steps=cfg.bucket_steps if bucket else 0)


def compared(cfg: SimpleNamespace) -> Callable[[str], str]:
    """The phones as the LER compares them (eval.py --report): repeats merged for ``--ler official``."""
    if cfg.ler == "official":
        return lambda text: " ".join(merge_repeats(text.split()))
    return lambda text: text


PARTS = ModelParts(build_network=build_network, label_converter=label_converter, source=source,
                   dataset=utterance_dataset, evaluate=evaluate_utterances,
                   new_metric=lambda cfg: PhoneErrorRate(fold=fold_phones, mode=cfg.ler),
                   find_datasets=lambda path: [path], input_shape=lambda cfg: (cfg.max_frames, cfg.feature_dim),
                   recognizer=Recognizer, input_extensions=SPEECH_EXTENSIONS, train_data=train_data,
                   extra_inputs=lambda cfg: [((), np.int32)],  # frames
                   compare=compared, picture=lambda cfg: feature_picture)
