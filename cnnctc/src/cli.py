"""Entry-point helpers: turn the errors a user can cause into one clear line and exit code 2."""
from __future__ import annotations

import sys
from typing import Callable

from .checkpoint import CheckpointError
from .config import ConfigError
from .dataset import DatasetError


class UsageError(ValueError):
    """A command-line value that cannot work (missing input, unsupported format for the device...)."""


USER_ERRORS = (ConfigError, DatasetError, CheckpointError, UsageError, FileNotFoundError)


def run_cli(main: Callable[[], None]) -> None:
    """Call ``main``; print user errors as ``error: ...`` and exit 2 instead of a traceback."""
    try:
        main()
    except USER_ERRORS as err:
        sys.stderr.write(f"error: {err}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)


def log(message: str) -> None:
    print(message, flush=True)
