"""User-facing errors: the CLI prints these as one line, never as a traceback."""


class GankitError(Exception):
    """A problem with the user's input or environment that the user can fix."""


class ConfigError(GankitError):
    """A config field has a bad value; the message names the field."""


class DataError(GankitError):
    """A dataset cannot be found, read or used."""


class CheckpointError(GankitError):
    """A run folder or checkpoint is missing, incomplete or inconsistent."""
