"""Features and labels of a TIMIT split in a MindRecord file, written once by ``preprocess_data.py``.

Our files hold one row per utterance, UNPADDED: ``id`` (string, ``fcjf0_si1027``), ``feature`` float32
[frames, 39], ``label`` int32 [phones] (61-phone ids) and ``seq_len`` int32 (= frames), in one shard
(``train.mindrecord`` + ``train.mindrecord.db``).  The official ctcmodel instead pads every feature to
1555 frames, stores ``masks`` [1555, 256], pads labels to 75 with 61 (the blank), numbers the rows
(``id`` int32) and writes 4 shards (``train.mindrecord0..3``); here padding to the batch's needs happens
in the data pipeline.  ``read_records`` reads both kinds: features are cut to ``seq_len`` and the label
padding dropped.
"""
from __future__ import annotations

import os
from typing import Iterable, NamedTuple

import numpy as np
from mindspore.mindrecord import FileReader, FileWriter

from .features import FEATURE_DIM
from .model_utils.errors import DatasetError
from .phones import BLANK

SCHEMA = {"id": {"type": "string"}, "feature": {"type": "float32", "shape": [-1, FEATURE_DIM]},
          "label": {"type": "int32", "shape": [-1]}, "seq_len": {"type": "int32"}}
COLUMNS = ("id", "feature", "label", "seq_len")
ROWS_PER_WRITE = 256


class Record(NamedTuple):
    """One utterance: id, features float32 [frames, 39], 61-phone label ids int32 [phones]."""

    id: str
    feature: np.ndarray
    label: np.ndarray


def write_records(path: str, records: Iterable[Record]) -> int:
    """Write ``records`` to a new MindRecord file ``path`` (replacing an old one); return how many."""
    writer = FileWriter(path, shard_num=1, overwrite=True)
    writer.add_schema(SCHEMA, "timit_ctc")
    writer.add_index(["id"])
    rows, count = [], 0
    for record in records:
        rows.append({"id": record.id, "feature": np.asarray(record.feature, np.float32),
                     "label": np.asarray(record.label, np.int32), "seq_len": len(record.feature)})
        if len(rows) == ROWS_PER_WRITE:
            writer.write_raw_data(rows)
            count, rows = count + len(rows), []
    if rows:
        writer.write_raw_data(rows)
    writer.commit()
    return count + len(rows)


def read_records(path: str) -> list[Record]:
    """The utterances of a MindRecord file of ours or of the official ctcmodel (any one shard's name)."""
    if not os.path.isfile(path):
        raise DatasetError(f"MindRecord file {path} does not exist")
    try:
        reader = FileReader(path, num_consumer=min(4, os.cpu_count() or 1))
    except RuntimeError as err:
        raise DatasetError(f"cannot open {path} as MindRecord: {' '.join(str(err).split())}") from err
    try:
        missing = [c for c in COLUMNS if c not in reader.schema()]
        if missing:
            raise DatasetError(f"{path} lacks the column(s) {', '.join(missing)} of TIMIT features")
        return [_record(row, path) for row in reader.get_next()]
    finally:
        reader.close()


def _record(row: dict, path: str) -> Record:
    feature, label, frames = row["feature"], row["label"], int(row["seq_len"])
    if feature.ndim != 2 or feature.shape[1] != FEATURE_DIM or not 0 < frames <= len(feature):
        raise DatasetError(f"{path}: utterance {row['id']} has features of shape {feature.shape} "
                           f"and seq_len {frames}")
    label = label[label != BLANK]
    if ((label < 0) | (label >= BLANK)).any():
        raise DatasetError(f"{path}: utterance {row['id']} has label ids outside 0..{BLANK - 1}")
    return Record(str(row["id"]), feature[:frames], label)
