"""Tiny packages as local wheels, built with zipfile, so verify tests need no network."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(
    directory: Path,
    name: str,
    version: str,
    files: dict[str, str],
    requires: tuple[str, ...] = (),
) -> Path:
    """Write ``name-version-py3-none-any.whl`` with ``files`` (path -> source) into ``directory``."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    contents = {
        **{path: text.encode() for path, text in files.items()},
        f"{info}/METADATA": metadata.encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: kb-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{p},{_digest(d)},{len(d)}\n" for p, d in contents.items())
    record += f"{info}/RECORD,,\n"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for p, d in contents.items():
            zf.writestr(p, d)
        zf.writestr(f"{info}/RECORD", record)
    return path


REMOVED = "ImportError: cannot import name 'parse_frame' from 'acme_lint.codec'"


def acme_wheels(directory: Path, *, broken_fix: bool = False) -> Path:
    """acme-lint 2.8-3.2 (``parse_frame`` removed in 3.0) and acme-app 1.0-1.5, whose
    releases before 1.4 import it (with ``broken_fix``, 1.4 still does)."""
    for version in ("2.8", "2.9", "3.0", "3.1", "3.2"):
        removed = version >= "3.0"
        codec = "def parse(b):\n    return b\n"
        if not removed:
            codec += "def parse_frame(b):\n    return b\n"
        build_wheel(
            directory,
            "acme-lint",
            version,
            {"acme_lint/__init__.py": "", "acme_lint/codec.py": codec},
        )
    for version in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5"):
        old = version < "1.4" or (broken_fix and version == "1.4")
        body = (
            "from acme_lint.codec import parse_frame\n"
            if old
            else "from acme_lint.codec import parse\n"
        )
        build_wheel(directory, "acme-app", version, {"acme_app/__init__.py": body})
    build_wheel(
        directory, "acme-slow", "1.0", {"acme_slow/__init__.py": "import time\ntime.sleep(60)\n"}
    )
    return directory
