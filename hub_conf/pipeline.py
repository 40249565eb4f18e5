"""``hub_conf.pipeline(uid)``: from a hub card to recognised text (or phones) in one call.

    import hub_conf as mshub
    recognize = mshub.pipeline("mindspore/cpu/2.10/cnnctc_cpu_small_v1.0")
    recognize("word.png")                        # -> Recognition(text, confidence, ...)
    recognize(["a.png", Path("b.jpg"), rgb_array, pil_image])   # -> [Recognition, ...]
    phones = mshub.pipeline("mindspore/cpu/2.10/ctcmodel_cpu_small_v1.0")
    phones("SX139.WAV").timed                    # ((phone, seconds), ...)
    phones((signal, 22050))                      # a mono int16 or [-1, 1] float signal and its rate

As ModelScope's ``pipeline(task, model=...)``, but the task is the card's (text for the image models,
TIMIT phones for ctcmodel).  The card's model folder is imported in isolation (hub_conf/isolation.py); its
``src.parts`` recognizer runs the card's checkpoint (sha256 checked, as ``load``) with the profile the
card's ``model-name`` names; keyword arguments override config values (e.g. ``designated_characters``,
``top_k`` for handwritten_zh, ``beam_width`` for ctcmodel).  Inputs are batched ``batch_size`` at a time;
the recognizers bucket widths (and a call of one item runs a batch of one), so a folder of varied crops
compiles a few graphs, each once.  One pipeline may be called from several threads: calls run one at a
time.  A bad input raises ``InputError`` with the message ``infer.py`` prints.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import mindspore as ms

from .errors import ArgumentError, InputError
from .inputs import as_batch
from .isolation import import_isolated
from .loader import asset_file, checkpoint_asset, model_dir
from .names import resolve_card
from .settings import check_source

SPEECH_EXTENSIONS = (".wav", ".sph")
DEVICES = ("Ascend", "GPU", "CPU")


@dataclass(frozen=True)
class Recognition:
    """One input's result: the text (phones separated by spaces for speech), its confidence, and where the
    model has them per recognised symbol its best alternatives ((symbol, probability), best first;
    handwritten_zh) or its time ((phone, seconds); ctcmodel)."""

    text: str
    confidence: float
    alternatives: tuple[tuple[tuple[str, float], ...], ...] = ()
    timed: tuple[tuple[str, float], ...] = ()

    def as_dict(self) -> dict:
        """The fields that the model fills, for JSON."""
        out: dict[str, Any] = {"text": self.text, "confidence": round(self.confidence, 6)}
        if self.alternatives:
            out["alternatives"] = [[[char, round(prob, 6)] for char, prob in step] for step in self.alternatives]
        if self.timed:
            out["timed"] = [[phone, round(seconds, 3)] for phone, seconds in self.timed]
        return out


def _recognition(prediction: Any) -> Recognition:
    timed = tuple((phone, round(seconds, 3)) for phone, seconds in zip(prediction.text.split(), prediction.times))
    return Recognition(prediction.text, float(prediction.confidence), prediction.alternatives, timed)


class Pipeline:
    """The recognizer of one card (see the module docstring); call it with one input or a list."""

    def __init__(self, uid: str, model_folder: str, model_name: str, checkpoint: str, batch_size: int,
                 overrides: dict):
        conf, parts, config, errors, infer_io = import_isolated(
            model_folder, "mindspore_hub_conf", "src.parts", "src.model_utils.config", "src.model_utils.errors",
            "src.model_utils.infer_io")
        self.uid, self.folder, self.checkpoint = uid, model_folder, checkpoint
        self._user_errors = (errors.UserError, FileNotFoundError)
        self._parts, self._infer_io = parts.PARTS, infer_io
        self.extensions: tuple[str, ...] = tuple(self._parts.input_extensions)
        self.speech = self.extensions == SPEECH_EXTENSIONS
        self._lock = threading.Lock()
        try:
            self.cfg = config.named_config(model_name, conf.CONFIGS, (), overrides)
            self._recognizer = self._parts.recognizer(checkpoint, self.cfg, batch_size)
        except self._user_errors as err:
            raise InputError(" ".join(str(err).split())) from err
        self.batch_size = batch_size

    def predict(self, items: list) -> list:
        """The model's ``Prediction``s of prepared inputs (paths or arrays), one call at a time."""
        with self._lock:
            self._recognizer.batch_size = 1 if len(items) == 1 else self.batch_size
            try:
                return self._recognizer.predict(items)
            except self._user_errors as err:
                raise InputError(" ".join(str(err).split())) from err

    def __call__(self, inputs: Any) -> Union[Recognition, list[Recognition]]:
        items, single = as_batch(inputs, self.speech)
        results = [_recognition(p) for p in self.predict(items)]
        return results[0] if single else results

    def collect(self, entries: Sequence[str]) -> list[tuple[str, Optional[str]]]:
        """(path, truth or None) of files, folders (searched recursively; one holding gt.txt is that list) and
        list files, as ``infer.py --input`` reads them."""
        try:
            return self._infer_io.collect_inputs(list(entries), self.extensions)
        except self._user_errors as err:
            raise InputError(" ".join(str(err).split())) from err

    def report(self, items: list[tuple[str, Optional[str]]], output: str = "") -> list:
        """Recognise the (path, truth) items of ``collect``; print them as ``infer.py`` does (the model's metric
        over the labelled ones) and write ``output`` (a TSV, when set); return the ``Prediction``s."""
        try:
            output = self._infer_io.checked_output(output, [self.checkpoint, *(path for path, _ in items)])
        except self._user_errors as err:
            raise InputError(" ".join(str(err).split())) from err
        predictions = self.predict([path for path, _ in items])
        self._infer_io.report(items, predictions, lambda: self._parts.new_metric(self.cfg), output)
        return predictions

    def score(self, texts: Sequence[str], truths: Sequence[str]) -> Any:
        """The model's metric (``score``: its accuracy figure, ``summary()``) of ``texts`` against ``truths``."""
        metric = self._parts.new_metric(self.cfg)
        metric.update(list(texts), list(truths))
        return metric


def pipeline(uid: str, *, source: str = "gitee", batch_size: int = 8, device: Optional[str] = None,
             force_reload: bool = False, **overrides: Any) -> Pipeline:
    """The recognizer of card ``uid`` (a uid, a card URL or, with ``source="local"``, a card file) with its
    checkpoint; ``overrides`` change config values.  Sets graph mode, and ``device`` when given."""
    check_source(source)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InputError(f"batch_size must be a positive integer, got {batch_size!r}")
    card = resolve_card(uid, source)
    checkpoint = asset_file(card, checkpoint_asset(card), source, force_reload)
    folder = model_dir(card, source, force_reload)
    ms.set_context(mode=ms.GRAPH_MODE)
    if device is not None:
        if device not in DEVICES or not ms.hal.is_available(device):  # asked before set_device, which logs errors
            raise ArgumentError(f"device {device!r} is not available to this MindSpore build on this machine "
                                f"(devices: {', '.join(d for d in DEVICES if ms.hal.is_available(d))})")
        ms.set_device(device)
    return Pipeline(card.uid, folder, card.model_name.lower(), checkpoint, batch_size, overrides)
