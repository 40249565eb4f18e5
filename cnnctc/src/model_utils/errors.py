"""Errors a user can cause, and the entry-point wrapper that prints them as one ``error:`` line (exit 2)."""
from __future__ import annotations

import sys
from typing import Callable

EXIT_USER_ERROR = 2


class UserError(Exception):
    """Base class of every error caused by the user's input: config, data, checkpoint, command line."""


class ConfigError(UserError, ValueError):
    """A configuration file or override is malformed."""


class DatasetError(UserError, ValueError):
    """A dataset path or file is missing or malformed."""


class CheckpointError(UserError, ValueError):
    """A checkpoint is unreadable or does not fit the network."""


class UsageError(UserError, ValueError):
    """A value that cannot work (missing input, a format the device cannot write, a diverged run...)."""


def run_cli(main: Callable[[], object]) -> None:
    """Call ``main``; print user errors as ``error: ...`` and exit 2 instead of a traceback."""
    try:
        main()
    except (UserError, FileNotFoundError) as err:
        sys.stderr.write(f"error: {' '.join(str(err).split())}\n")  # always one line
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)


def log(message: str) -> None:
    """Print a progress line at once (logs of background jobs stay current)."""
    print(message, flush=True)
