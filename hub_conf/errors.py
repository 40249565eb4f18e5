"""Exceptions of hub_conf: one base class, so callers and the CLI can catch every user-facing error.

Where mindspore_hub raises a built-in exception (``TypeError``, ``ValueError``), hub_conf's class for the
same mistake derives from that built-in too, so both ``except ValueError`` and ``except HubError`` work.
"""
from __future__ import annotations


class HubError(Exception):
    """Base class of every error hub_conf raises for a user mistake or an unavailable resource."""


class ArgumentTypeError(HubError, TypeError):
    """An argument of the wrong type: a name that is not a string, a flag that is not a bool, ..."""


class ArgumentError(HubError, ValueError):
    """An argument value mindspore_hub refuses: an unknown source or asset branch, a URL that names no card,
    ``pretrained=True`` for a card without a checkpoint."""


class CardError(HubError, ValueError):
    """A model card is malformed; the message names the card file and the field."""


class UnknownModelError(HubError, LookupError):
    """No card has the requested uid; the message lists close matches."""


class ModelNotAvailableError(HubError, ValueError):
    """The card's model folder has no ``mindspore_hub_conf.py`` (the model is not built yet), or the card has
    no ``repo-link``."""


class DownloadError(HubError, OSError):
    """A download failed: unreachable host, HTTP error, truncated transfer, a refused archive, or the cache
    directory cannot be written."""


class IntegrityError(HubError):
    """A file's sha256 differs from the card's ``asset-sha256`` or ``model-sha256``, or a card without
    ``model-sha256`` asks for a remote model folder."""


class WeightsError(HubError, ValueError):
    """A checkpoint is unreadable or does not fit the network."""


class InputError(HubError, ValueError):
    """An input given to a pipeline cannot be recognised: a missing or unreadable file, an array of a kind
    the model does not take; the message is the one the model folder's ``infer.py`` prints."""
