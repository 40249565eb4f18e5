"""Device and parallel context: graph mode on the configured device, seeds, data parallel when distributed.

Ascend jobs launched with a rank table (``RANK_TABLE_FILE``) or by ``msrun`` / ``mpirun`` call
``init()``; gradients are averaged across devices.  Every rank of a distributed job logs ``rank R of N, pid P``
first, by which the launchers name the rank of a process that failed.  msrun starts a scheduler on every node
whose address is the master's, so on one host (several nodes tested on loopback) also on nodes > 0; the
launchers give msrun the node rank (``MSRUN_NODE_RANK``) and such a scheduler steps aside (exit 0).
"""
from __future__ import annotations

import os
import sys
from types import SimpleNamespace

import mindspore as ms
import mindspore.dataset as ds
from mindspore.communication import get_group_size, get_rank, init

from .errors import UsageError, log

DEVICES = ("Ascend", "GPU", "CPU")


def setup_context(cfg: SimpleNamespace, distributed: bool = False) -> tuple[int, int]:
    """Set graph mode, the device and the seeds (``cfg.seed``); return (rank, group size)."""
    if cfg.device_target not in DEVICES:
        raise UsageError(f"device_target must be one of {', '.join(DEVICES)}, got {cfg.device_target!r}")
    ms.set_context(mode=ms.GRAPH_MODE)
    ms.set_seed(cfg.seed)
    ds.config.set_seed(cfg.seed)
    if distributed:
        if os.environ.get("MS_ROLE") == "MS_SCHED" and os.environ.get("MSRUN_NODE_RANK", "0") != "0":
            log(f"node {os.environ['MSRUN_NODE_RANK']}: the scheduler is node 0's, this one steps aside")
            sys.exit(0)
        _set_device(cfg.device_target)
        try:
            init()
        except RuntimeError as err:
            first_line = str(err).strip().splitlines()[0]
            if os.environ.get("MS_ROLE") == "MS_SCHED":  # msrun's scheduler runs the whole job inside init()
                raise UsageError(f"the distributed job stopped: {first_line}") from err
            raise UsageError(f"cannot start the distributed job on {cfg.device_target} (launch it with msrun, "
                             f"mpirun or a rank table): {first_line}") from err
        rank, group = get_rank(), get_group_size()
        log(f"rank {rank} of {group}, pid {os.getpid()}")
        ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True,
                                     device_num=group)
        return rank, group
    _set_device(cfg.device_target, int(os.environ.get("DEVICE_ID", cfg.device_id)))
    return 0, 1


def _set_device(target: str, *device_id: int) -> None:
    """``ms.set_device``, a device this MindSpore build or machine lacks reported as one line."""
    try:
        ms.set_device(target, *device_id)
    except RuntimeError as err:
        raise UsageError(f"device_target {target} is not available: {str(err).strip().splitlines()[0]}") from err
