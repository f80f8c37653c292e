"""Subcommands of ``kb``, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets
``run=function(args) -> exit code``. Module top levels import only the standard library
and light parts of kb: heavy imports belong inside ``run``.
"""
