"""Device and parallel context: graph mode on the configured device, data parallel when distributed.

Ascend jobs launched with a rank table (``RANK_TABLE_FILE``) or by ``msrun`` /
``mpirun`` call ``init()``; gradients are averaged across devices.
"""
from __future__ import annotations

import os

import mindspore as ms
from mindspore.communication import get_group_size, get_rank, init


def setup_context(cfg, distributed: bool = False) -> tuple[int, int]:
    """Set graph mode and the device; return (rank, group size)."""
    if cfg.device_target not in ("Ascend", "GPU", "CPU"):
        raise ValueError(f"device_target must be Ascend, GPU or CPU, got {cfg.device_target!r}")
    ms.set_context(mode=ms.GRAPH_MODE)
    device_id = int(os.environ.get("DEVICE_ID", cfg.device_id))
    if distributed:
        ms.set_device(cfg.device_target)
        init()
        rank, group = get_rank(), get_group_size()
        ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True,
                                     device_num=group)
        return rank, group
    ms.set_device(cfg.device_target, device_id)
    return 0, 1
