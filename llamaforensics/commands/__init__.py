"""One module per CLI command; each has ``register(subparsers, formatter)`` and a ``run(args)``."""
