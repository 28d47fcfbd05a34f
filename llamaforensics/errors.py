"""Exception types: one per thing a person can get wrong, each with a message that names it."""


class LlamaForensicsError(Exception):
    """Base class: every error the workbench raises on purpose."""

    exit_code = 1


class UsageError(LlamaForensicsError):
    """The command line or a library call was given something it cannot use."""

    exit_code = 2


class ConnectionFailed(LlamaForensicsError):
    """The database could not be reached, or refused the credentials."""

    exit_code = 2


class SourceSchemaError(LlamaForensicsError):
    """The source database lacks a table or permission the workbench needs."""

    exit_code = 2


class SnapshotError(LlamaForensicsError):
    """A snapshot file is missing, not a snapshot, or from a newer version."""

    exit_code = 2


class LlamaForensicsWarning(UserWarning):
    """Something the user should see but that does not stop the work (schema drift, say)."""
