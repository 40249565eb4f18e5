"""The one gt.txt reader (training, evaluation and infer.py read a line without a TAB alike) and the file-backed
source: indexing, reading by key, counted skips."""
from __future__ import annotations

import os

import pytest

from cnnctc.src.model_utils.ctc import CTCLabelConverter
from cnnctc.src.model_utils.errors import DatasetError, UsageError
from cnnctc.src.model_utils.gt_txt import gt_dataset, read_gt, read_pairs
from cnnctc.src.model_utils.infer_io import collect_inputs
from cnnctc.src.model_utils.sources import FileSource

CONVERTER = CTCLabelConverter("0123456789abcdefghijklmnopqrstuvwxyz", 5)
GT = ("\ufeffimgs/a.png\thello\r\n"      # BOM, CRLF
      "\n"                                # blank line
      "  /abs/b.png \t two words, \"q\" \n"  # absolute path; spaces, a comma and quotes belong to the label
      "imgs/c.png\n"                      # no TAB: an image without a label
      "imgs/d.png\tx\ty\n")               # split at the first TAB only


def _prepare(data: bytes, augment=None):
    import numpy as np
    return None if data == b"junk" else np.frombuffer(data, np.uint8).reshape(1, -1, 1)


def test_gt_txt_lines(tmp_path):
    gt = tmp_path / "gt.txt"
    gt.write_text(GT, encoding="utf-8")
    root = str(tmp_path)
    assert read_gt(str(gt)) == [(os.path.join(root, "imgs/a.png"), b"hello"), ("/abs/b.png", b'two words, "q"'),
                                (os.path.join(root, "imgs/c.png"), None), (os.path.join(root, "imgs/d.png"), b"x\ty")]
    assert gt_dataset(root) == gt_dataset(str(gt)) == read_gt(str(gt))  # the folder holding gt.txt, or the file
    assert read_pairs(str(gt), b",")[1] == ("/abs/b.png \t two words", b'"q"')  # another separator, same rules
    with pytest.raises(DatasetError, match="neither a gt.txt file nor a folder holding gt.txt"):
        gt_dataset(str(tmp_path / "imgs"))
    with pytest.raises(DatasetError, match="does not exist"):
        read_gt(str(tmp_path / "none.txt"))


def test_infer_reads_a_list_as_the_sources_do(tmp_path):
    """A line without a TAB is an input without truth, never split at a space or a comma."""
    gt = tmp_path / "list.txt"
    gt.write_text("a.png\tword one\nb c.png\nd.png, \"icdar\"\n", encoding="utf-8")
    assert collect_inputs([str(gt)], (".png",)) == [(str(tmp_path / "a.png"), "word one"),
                                                    (str(tmp_path / "b c.png"), None),
                                                    (str(tmp_path / 'd.png, "icdar"'), None)]
    gt.write_bytes(b"a.png\t\xff\n")
    with pytest.raises(UsageError, match="is not UTF-8 text"):
        collect_inputs([str(gt)], (".png",))


def test_file_source_indexes_reads_and_counts_skips(tmp_path):
    (tmp_path / "a.png").write_bytes(b"abc")
    (tmp_path / "bad.png").write_bytes(b"junk")
    (tmp_path / "gt.txt").write_bytes(b"a.png\tHi\nbad.png\tok\nmissing.png\tno\nnolabel.png\n"
                                      b"x.png\t\xff\ny.png\t#!\nz.png\ttoolong\n")
    source = FileSource([str(tmp_path)], CONVERTER, _prepare)
    assert [source.label(i) for i in range(len(source))] == ["hi", "ok", "no"]
    assert source.name(0) == str(tmp_path / "a.png") and source.read(source.samples[0][1]) == b"abc"
    skipped = source.skipped
    assert (skipped.missing_label, skipped.bad_label, skipped.out_of_charset, skipped.too_long) == (1, 1, 1, 1)
    image, ids, length, index, valid = source[0]
    assert valid and image.ravel().tolist() == [97, 98, 99] and length == 2 and index == 0
    assert not source[1][4] and not source[2][4] and skipped.corrupt_image == 2  # undecodable, unreadable
    assert source.sizes == {str(tmp_path): 3} and [list(i) for i in source.indices_by_entry()] == [[0, 1, 2]]


def test_file_source_takes_other_entries_and_refuses_an_empty_dataset(tmp_path):
    entries = {"p": [(str(tmp_path / "a.png"), b"ab")], "q": [(str(tmp_path / "b.png"), None)]}
    source = FileSource(["p", "q"], CONVERTER, _prepare, entries=entries.__getitem__)
    assert len(source) == 1 and source.sizes == {"p": 1, "q": 0} and source.skipped.missing_label == 1
    with pytest.raises(DatasetError, match="no usable samples in q"):
        FileSource(["q"], CONVERTER, _prepare, entries=entries.__getitem__)
