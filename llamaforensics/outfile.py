"""Output files written whole or not at all.

A GraphML export of a deep chain is 80 MB; a full disk or an interrupt half-way
would leave a truncated file that looks like a result. Each output is written
to a temporary file beside its target and renamed over it only when complete
(a rename within one directory is atomic), so the target holds either the old
content or the whole new one. A target that exists and is no regular file (a
device such as /dev/stdout or /dev/full, a named pipe) is written directly:
renaming over it would replace the device with a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it becomes ``path`` when the block completes."""
    path = Path(path)
    if path.exists() and not path.is_file():
        yield path
        return
    partial = path.with_name(f".{path.name}.partial{os.getpid()}")
    try:
        yield partial
        partial.replace(path)
    except OSError as exc:
        if exc.filename in (str(partial), partial):  # name the file the user asked for, not ours
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise
    finally:
        partial.unlink(missing_ok=True)
