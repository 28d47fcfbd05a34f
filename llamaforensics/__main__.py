"""``python -m llamaforensics``: the same as the ``llamaforensics`` command."""

import sys

from .cli import main

sys.exit(main())
