"""The version of llamaforensics: the one pyproject.toml declares, read from the installed metadata.

Kept in a module of its own, at the bottom of the package, so that snapshots,
lakes, logbooks and reports can stamp it without importing the package root
(which is the notebook facade, at the top).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llamaforensics")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0.0.0+unknown"
