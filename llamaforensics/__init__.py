"""llamaforensics: forensic analysis and repair of a music catalog's llama_logs audit trail.

The package root is the notebook facade: ``llamaforensics.open()``. The library
lives in the subpackages (``snapshot``, ``findings``, ``repair``, ...), which
never import this module; the version is ``llamaforensics.version``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .workbench import Workbench

__all__ = ["__version__", "open"]


def open(
    source: str | os.PathLike | None = None, **kwargs: Any
) -> Workbench:  # shadows the builtin on purpose: llamaforensics.open()
    """Open the notebook workbench on ``source``: a DSN, a snapshot path, or None.

    None reads ``$DATABASE_URL`` when set, else the demo data. Return a
    :class:`llamaforensics.workbench.Workbench`; its methods show each widget.
    Imported here, on call: the library's modules import their own subpackages,
    never the widgets.
    """
    from .workbench import Workbench

    return Workbench(source, **kwargs)
