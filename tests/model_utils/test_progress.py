"""The loss curve: a disk that fills while writing it is one clear error, and the earlier loss.csv is kept."""
from __future__ import annotations

import os

import pytest

from cnnctc.src.model_utils.errors import UsageError
from cnnctc.src.model_utils.progress import LossCurve


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_disk_full_while_drawing_the_curve_is_one_error_and_keeps_the_csv(tmp_path):
    curve = LossCurve(str(tmp_path))
    curve.add(1, 3.5)
    curve.write()
    os.remove(tmp_path / "loss.png")
    os.symlink("/dev/full", tmp_path / "loss.png")  # every write to loss.png: ENOSPC, as a full disk
    curve.add(2, 3.0)
    with pytest.raises(UsageError, match=r"cannot write .*loss.png: No space left on device; the checkpoints"):
        curve.write()
    assert (tmp_path / "loss.csv").read_text(encoding="utf-8").splitlines() == ["step,loss,val_accuracy",
                                                                               "1,3.50000,", "2,3.00000,"]
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]
