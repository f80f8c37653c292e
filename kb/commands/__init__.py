"""Subcommands of ``kb``, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets
``run=function(args) -> exit code``. It may define ``plain_args(words)``: the arguments
its parser would give for a command line without options, or None, so that the commonest
command line runs without building the parser (a test holds the two to agreement). Module
top levels import only the standard library and light parts of kb: heavy imports belong
inside ``run``.
"""
