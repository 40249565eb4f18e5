"""Atomic checkpoint writes: a failed save (disk full) leaves no partial file and keeps the previous one."""
from __future__ import annotations

import errno
import os

import mindspore as ms
import pytest
from mindspore import nn

from cnnctc.src.model_utils import checkpoint
from cnnctc.src.model_utils.checkpoint import latest_checkpoint, prune, read_checkpoint, save_atomic
from cnnctc.src.model_utils.errors import CheckpointError


def _disk_full(cell, path, append_dict=None):
    """What ms.save_checkpoint leaves when the disk fills: a partial NAME.tmp, then an OSError."""
    with open(os.path.splitext(path)[0] + ".tmp", "wb") as f:
        f.write(b"\0" * 1000)
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    net = nn.Dense(3, 2)
    path = str(tmp_path / "net-1.ckpt")
    save_atomic(net, path)
    before = open(path, "rb").read()
    monkeypatch.setattr(checkpoint.ms, "save_checkpoint", _disk_full)
    with pytest.raises(CheckpointError, match=r"cannot write checkpoint .*net-1.ckpt: .*No space left on device"):
        save_atomic(net, path)
    assert os.listdir(tmp_path) == ["net-1.ckpt"]
    assert open(path, "rb").read() == before


def test_rotation_keeps_the_newest(tmp_path):
    net = nn.Dense(3, 2)
    for step in (5, 10, 15, 20):
        save_atomic(net, str(tmp_path / f"RUN-{step}.ckpt"), append_dict={"step": step})
    prune(str(tmp_path), "RUN", keep=2)
    assert sorted(os.listdir(tmp_path)) == ["RUN-15.ckpt", "RUN-20.ckpt"]
    assert latest_checkpoint(str(tmp_path), "RUN").endswith("RUN-20.ckpt")
    assert int(read_checkpoint(latest_checkpoint(str(tmp_path), "RUN"))["step"].asnumpy()) == 20


def test_resume_keeps_a_parameter_built_from_the_config(tmp_path):
    """load_into(keep=...) leaves the named parameter as built (the LR schedule of a longer resumed run)."""
    from cnnctc.src.model_utils.checkpoint import load_into

    short = nn.Dense(3, 2)
    short.schedule = ms.Parameter(ms.Tensor([1.0, 2.0], ms.float32), name="learning_rate")
    path = save_atomic(short, str(tmp_path / "short.ckpt"))
    longer = nn.Dense(3, 2)
    longer.schedule = ms.Parameter(ms.Tensor([5.0, 6.0, 7.0], ms.float32), name="learning_rate")
    with pytest.raises(CheckpointError, match="learning_rate: file \\(2,\\) vs network \\(3,\\)"):
        load_into(longer, path)
    load_into(longer, path, keep=("learning_rate",))
    assert longer.schedule.asnumpy().tolist() == [5.0, 6.0, 7.0]
    assert (longer.weight.asnumpy() == short.weight.asnumpy()).all()
