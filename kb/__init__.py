"""kb: a failure-signature knowledge base for Python packages.

The package is importable as a library; the ``kb`` command is a thin layer over it.
Nothing heavy is imported here so that ``kb --help`` stays quick.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
