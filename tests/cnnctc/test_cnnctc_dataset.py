"""LMDB reader and pipeline with CNN-CTC's preprocessing: layout, skipped samples and clear errors."""
from __future__ import annotations

import os

import numpy as np
import pytest

from functools import partial

from cnnctc.src.model_utils.ctc import CTCLabelConverter
from cnnctc.src.model_utils.errors import DatasetError
from cnnctc.src.model_utils.sources import LmdbWordSource as _Source, find_lmdbs
from cnnctc.src.model_utils.pipeline import create_dataset as _create
from cnnctc.src.preprocess import MEAN_RGB, STD_RGB, normalize_ops, prepare_image, resize_keep_ratio_pad
from lmdb_builder import make_lmdb, word_image

CONVERTER = CTCLabelConverter("0123456789abcdefghijklmnopqrstuvwxyz", 13)


def LmdbWordSource(paths, converter, height, width, strip_unknown=False):  # pylint: disable=invalid-name
    """The generic reader with CNN-CTC's preprocessing (``src.data.word_source`` without a config)."""
    return _Source(paths, converter, partial(prepare_image, height=height, width=width), strip_unknown)


def create_dataset(source, batch_size, shuffle, num_workers=2, drop_remainder=True, order=None):
    return _create(source, batch_size, normalize_ops(), num_workers, shuffle, drop_remainder, order)


def test_reader_skips_and_counts_bad_samples(tmp_path):
    path = make_lmdb(str(tmp_path / "mixed"), [
        (word_image(), "Hello"),              # kept, lower-cased
        (b"\x89PNG broken bytes", "broken"),  # corrupt image
        (word_image(), "can't"),              # out of charset (dropped for training)
        (word_image(), "a" * 14),             # too long
        (word_image(), None),                 # label key missing
        (None, "noimage"),                    # image key missing -> corrupt
        (word_image(value=30), "World42"),
    ])
    source = LmdbWordSource([path], CONVERTER, 32, 100)
    assert [source.label(i) for i in range(len(source))] == ["hello", "broken", "noimage", "world42"]
    assert (source.skipped.out_of_charset, source.skipped.too_long, source.skipped.missing_label) == (1, 1, 1)

    batches = list(create_dataset(source, batch_size=4, shuffle=False, num_workers=2, drop_remainder=False)
                   .create_dict_iterator(num_epochs=1, output_numpy=True))
    assert len(batches) == 1
    batch = batches[0]
    assert batch["input"].shape == (2, 3, 32, 100) and batch["input"].dtype == np.float32
    assert batch["length"].tolist() == [5, 7]
    assert batch["label"][0, :5].tolist() == [17, 14, 21, 21, 24]
    assert source.skipped.corrupt_image == 2


def test_eval_mode_strips_unknown_characters(tmp_path):
    path = make_lmdb(str(tmp_path / "eval"), [(word_image(), "can't"), (word_image(), "?!")])
    source = LmdbWordSource([path], CONVERTER, 32, 100, strip_unknown=True)
    assert [source.label(i) for i in range(len(source))] == ["cant"]
    assert source.skipped.out_of_charset == 1


def test_preprocessing_keeps_ratio_and_repeats_last_column():
    image = np.zeros((20, 30, 3), np.uint8)
    image[:, -1] = 200
    out = resize_keep_ratio_pad(image, 32, 100)
    assert out.shape == (32, 100, 3)
    assert np.all(out[:, 48:] == out[:, 47:48])        # ceil(32*30/20) = 48 columns, then padding
    wide = resize_keep_ratio_pad(np.zeros((10, 500, 3), np.uint8), 32, 100)
    assert wide.shape == (32, 100, 3)                   # squeezed to the width


def test_normalisation_uses_zoo_mean_std(tmp_path):
    path = make_lmdb(str(tmp_path / "flat"), [(word_image(width=100, height=32, value=128), "x")])
    source = LmdbWordSource([path], CONVERTER, 32, 100)
    batch = next(create_dataset(source, 1, shuffle=False, num_workers=1)
                 .create_dict_iterator(num_epochs=1, output_numpy=True))
    expected = (128 - np.array(MEAN_RGB)) / np.array(STD_RGB)
    np.testing.assert_allclose(batch["input"][0, :, 5, 5], expected, rtol=1e-5)


def test_many_lmdbs_under_one_tree(tmp_path):
    make_lmdb(str(tmp_path / "tree" / "MJ" / "MJ_train"), [(word_image(), "one"), (word_image(), "two")])
    make_lmdb(str(tmp_path / "tree" / "ST"), [(word_image(), "three")])
    assert len(find_lmdbs(str(tmp_path / "tree"))) == 2
    source = LmdbWordSource([str(tmp_path / "tree")], CONVERTER, 32, 100)
    assert len(source) == 3


def test_clear_errors(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        LmdbWordSource([str(tmp_path / "absent")], CONVERTER, 32, 100)
    os.makedirs(tmp_path / "empty_dir")
    with pytest.raises(DatasetError, match="no LMDB"):
        LmdbWordSource([str(tmp_path / "empty_dir")], CONVERTER, 32, 100)
    with pytest.raises(DatasetError, match="holds no samples"):
        LmdbWordSource([make_lmdb(str(tmp_path / "empty"), [])], CONVERTER, 32, 100)
    with pytest.raises(DatasetError, match="not an integer"):
        LmdbWordSource([make_lmdb(str(tmp_path / "bad"), [(word_image(), "a")], num_samples=b"lots")],
                       CONVERTER, 32, 100)
    with pytest.raises(DatasetError, match="no usable samples"):
        LmdbWordSource([make_lmdb(str(tmp_path / "unusable"), [(word_image(), "#$%")])], CONVERTER, 32, 100)


def test_lmdb_without_num_samples(tmp_path):
    import lmdb

    path = str(tmp_path / "foreign")
    env = lmdb.open(path, map_size=1 << 20)
    with env.begin(write=True) as txn:
        txn.put(b"something", b"else")
    env.close()
    with pytest.raises(DatasetError, match="no 'num-samples' key"):
        LmdbWordSource([path], CONVERTER, 32, 100)


def test_synthesized_lmdb_reads_in_order(synth_words):
    source = LmdbWordSource([os.path.join(synth_words, "val")], CONVERTER, 32, 100)
    assert len(source) == 48
    batch = next(create_dataset(source, 16, shuffle=False, num_workers=2)
                 .create_dict_iterator(num_epochs=1, output_numpy=True))
    assert batch["input"].shape == (16, 3, 32, 100)


def test_pipeline_follows_a_sample_order_with_repeats_and_two_paths(tmp_path):
    first = make_lmdb(str(tmp_path / "first"), [(word_image(), w) for w in ["ab", "cd", "ef"]])
    second = make_lmdb(str(tmp_path / "second"), [(word_image(), w) for w in ["gh", "ij"]])
    source = LmdbWordSource([first, second], CONVERTER, 32, 100)
    assert [group.tolist() for group in source.indices_by_entry()] == [[0, 1, 2], [3, 4]]
    order = np.array([4, 0, 0, 3, 2, 4, 1, 1, 3, 0])  # longer than the source, with repeats
    batches = create_dataset(source, batch_size=5, shuffle=False, num_workers=2, order=order)
    rows = [(text, index) for batch in batches.create_dict_iterator(num_epochs=1, output_numpy=True)
            for text, index in zip(CONVERTER.texts(batch["label"], batch["length"]), batch["index"])]
    assert [text for text, _ in rows] == [source.label(i) for i in order]
    assert [int(index) for _, index in rows] == order.tolist()


def test_the_same_lmdb_opens_twice_in_one_process(tmp_path):
    """Training and evaluation on one LMDB (or one listed twice) share its environment."""
    path = make_lmdb(str(tmp_path / "both"), [(word_image(), "ab"), (word_image(), "cd")])
    train = LmdbWordSource([path], CONVERTER, 32, 100)
    evaluation = LmdbWordSource([path, path], CONVERTER, 32, 100, strip_unknown=True)
    assert len(train) == 2 and len(evaluation) == 4
    assert train[1][1][:2].tolist() == evaluation[3][1][:2].tolist()


def test_num_samples_larger_than_the_lmdb_is_refused(tmp_path):
    path = make_lmdb(str(tmp_path / "liar"), [(word_image(), "ab")], num_samples=b"100000000000")
    with pytest.raises(DatasetError, match="says 100000000000 but the LMDB holds only 3 keys"):
        LmdbWordSource([path], CONVERTER, 32, 100)


def test_labels_that_are_not_utf8_are_counted_not_repaired(tmp_path):
    import lmdb

    path = make_lmdb(str(tmp_path / "latin1"), [(word_image(), "ok"), (word_image(), "x")])
    env = lmdb.open(path, map_size=1 << 26)
    with env.begin(write=True) as txn:
        txn.put(b"label-000000002", "caf\xe9".encode("latin-1"))
    env.close()
    for strip in (False, True):
        source = LmdbWordSource([path], CONVERTER, 32, 100, strip_unknown=strip)
        assert len(source) == 1 and source.skipped.bad_label == 1
