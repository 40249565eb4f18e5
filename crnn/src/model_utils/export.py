"""Export a network (MINDIR with a dynamic batch, ONNX, AIR on Ascend, CKPT) and load one back for inference."""
from __future__ import annotations

import os
from typing import Callable, Optional, Sequence

import mindspore as ms
import numpy as np
from mindspore import nn

from .checkpoint import load_into, save_atomic
from .errors import UsageError

FORMATS = {"MINDIR": ".mindir", "ONNX": ".onnx", "AIR": ".air", "CKPT": ".ckpt"}
MS_DTYPES = {np.float32: ms.float32, np.int32: ms.int32, np.int64: ms.int64}


def check_format(file_format: str, device_target: str) -> str:
    """The upper-cased format, or a ``UsageError`` for an unknown one or AIR off Ascend."""
    fmt = file_format.upper()
    if fmt not in FORMATS:
        raise UsageError(f"file_format must be one of {', '.join(FORMATS)}, got {file_format!r}")
    if fmt == "AIR" and device_target != "Ascend":
        raise UsageError(f"AIR export needs an Ascend device (device_target is {device_target}); "
                         "export MINDIR or ONNX here, or run on Ascend with --device_target Ascend")
    return fmt


def export_network(net: nn.Cell, input_shape: Sequence[int], file_name: str, file_format: str,
                   batch_size: int, extra_inputs: Sequence[tuple[Sequence[int], type]] = ()) -> str:
    """Write ``net`` (eval mode) to ``file_name`` + extension; return the file's path.

    ``input_shape`` (float32) and the (shape, numpy dtype) of ``extra_inputs`` (e.g. valid lengths) exclude
    the batch axis; a ``None`` in ``input_shape`` is a dynamic dimension (e.g. a line's width), MINDIR only.
    MINDIR gets a dynamic batch; ONNX and AIR the fixed ``batch_size``; CKPT the network's parameters
    without training state.
    """
    if file_format in ("ONNX", "AIR") and None in input_shape:
        raise UsageError(f"{file_format} export needs a fixed input shape, got [N,{','.join(map(str, input_shape))}]:"
                         " only MINDIR takes dynamic dimensions")
    net.set_train(False)
    directory = os.path.dirname(os.path.abspath(file_name))
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        raise UsageError(f"cannot export to {file_name}: {directory} is not a writable folder")
    path = file_name + FORMATS[file_format]
    if file_format == "CKPT":
        return save_atomic(net, path)
    specs = [(input_shape, np.float32), *extra_inputs]
    if file_format == "MINDIR":
        examples = [ms.Tensor(shape=[None, *shape], dtype=MS_DTYPES[dtype]) for shape, dtype in specs]
    else:
        examples = [ms.Tensor(np.zeros([batch_size, *shape], dtype)) for shape, dtype in specs]
    mode = os.stat(directory).st_mode
    try:
        ms.export(net, *examples, file_name=file_name, file_format=file_format)
    except (RuntimeError, ValueError, TypeError, OSError) as err:
        raise UsageError(f"MindSpore cannot export this network to {file_format} at {file_name}: "
                         f"{str(err).strip().splitlines()[0]}") from err
    finally:
        if os.stat(directory).st_mode != mode:  # MindSpore's ONNX export chmods the folder to 0700
            os.chmod(directory, mode)
    if not os.path.isfile(path):
        raise UsageError(f"export to {file_format} wrote no file {path}")
    return path


def load_model(model_path: str, build_network: Callable[[], nn.Cell], classes: Optional[int] = None) -> nn.Cell:
    """A network in eval mode from a ``.mindir`` file, or built by ``build_network`` and loaded from a ``.ckpt``
    (trained with the class list of digest ``classes``, see ``checkpoint.load_into``)."""
    if model_path.lower().endswith(".mindir"):
        if not os.path.isfile(model_path):
            raise UsageError(f"MINDIR file {model_path} does not exist")
        try:
            graph = ms.load(model_path)
        except (RuntimeError, ValueError) as err:
            raise UsageError(f"cannot load MINDIR {model_path}: {str(err).strip().splitlines()[0]}") from err
        return nn.GraphCell(graph)
    net = build_network()
    load_into(net, model_path, classes=classes)
    net.set_train(False)
    return net
