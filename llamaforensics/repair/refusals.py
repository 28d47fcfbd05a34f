"""Why a correction was refused: one exception type per thing a person can get wrong."""

from __future__ import annotations

from ..errors import LlamaForensicsError, UsageError


class RepairError(LlamaForensicsError):
    """Base class of the repair engine's own errors."""


class InvalidCorrection(UsageError):
    """A correction document (or a manifest) is malformed; ``problems`` lists each one with its
    path.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        if self.problems:
            message = f"{message}: " + "; ".join(self.problems)
        super().__init__(message)


class StaleCorrection(RepairError):
    """The catalog moved since the correction was prepared; ``current`` holds the values found."""

    def __init__(self, message: str, current: dict | None = None):
        self.current = current or {}
        super().__init__(message)


class UnknownUser(UsageError):
    """The admin user named for a repair session does not exist in "User"."""


class UndoRefused(RepairError):
    """There is nothing to undo under the id given, or the logged correction cannot be inverted."""


class UnknownSession(UsageError):
    """No repair session has the job id given."""


class AlbumMissing(InvalidCorrection):
    """The album a correction is about is not in the target: it is skipped, the batch goes on."""


class TracksDiffer(RepairError):
    """The album holds other tracks than the correction's list (``difference``: track by track)."""

    def __init__(self, message: str, difference: list[dict]):
        self.difference = difference
        super().__init__(message)
