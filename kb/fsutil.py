"""Writing files without ever losing what is there: atomic replace, refuse to clobber."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kb.errors import InputError, Location


def write_atomic(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename.

    With ``overwrite=False`` an existing file is never replaced (the final link is made
    with ``os.link``, which fails when the name exists, so there is no race either).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise InputError(
                    "file exists; refusing to overwrite it", Location(str(path))
                ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
