"""The one charset reader: one character a line, bad lines named, characters a model reserves refused, paths
taken from the working directory or the model folder."""
from __future__ import annotations

import os

import pytest

from conftest import ROOT
from cnnctc.src.model_utils.charset import charset_path, read_charset
from cnnctc.src.model_utils.errors import ConfigError


def test_lines_are_the_characters_in_order(tmp_path):
    path = tmp_path / "chars.txt"
    path.write_bytes("\ufeffa\r\n \r\n中\r\n".encode("utf-8"))  # BOM, CRLF, the space character
    assert read_charset(str(path)) == ["a", " ", "中"]
    path.write_text("a\nb", encoding="utf-8")  # no final line end
    assert read_charset(str(path)) == ["a", "b"]


@pytest.mark.parametrize("text, found", [("a\n\nb\n", "lines not holding exactly one character: line 2 ''"),
                                         ("a\nbc\n", "line 2 'bc'"), ("a\nb\na\n", "repeated: line 3 'a' (as line 1)"),
                                         ("a\n\ufffd\n", "reserved by the model: line 2 '\ufffd'"),
                                         ("", "no characters")])
def test_bad_files_are_refused_naming_the_line(tmp_path, text, found):
    path = tmp_path / "chars.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="charset file") as err:
        read_charset(str(path), reserved="\ufffd")
    assert found in str(err.value)


def test_missing_or_not_utf8_files_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_charset(str(tmp_path / "none.txt"))
    (tmp_path / "latin1.txt").write_bytes(b"\xe9\n")
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        read_charset(str(tmp_path / "latin1.txt"))


def test_paths_from_the_working_directory_or_the_model_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("a\n", encoding="utf-8")
    assert charset_path("mine.txt") == str(tmp_path / "mine.txt")
    assert charset_path("charsets/x.txt") == os.path.join(ROOT, "cnnctc", "charsets", "x.txt")
    assert charset_path("/abs/x.txt") == "/abs/x.txt"


@pytest.mark.parametrize("model, count", [("handwritten_zh", 4058), ("convtransformer_ocr", 72)])
def test_the_released_charsets_read_as_before(model, count):
    """Line i is class i: the releases' classes are unchanged (the line models' charset files)."""
    folder = os.path.join(ROOT, model, "charsets")
    path = os.path.join(folder, os.listdir(folder)[0])
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert read_charset(path, reserved="\ufffd") == lines and len(lines) == count
