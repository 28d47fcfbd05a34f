"""``python -m llamaforensics``: the same as the ``llamaforensics`` command."""

from .cli import run

run()
