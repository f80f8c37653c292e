"""Report an interpreter's installed distributions, version and PEP 508 markers as JSON.

Runs inside the interpreter being inspected (``python -I _probe.py``), which may be as
old as 3.6 and has nothing but its standard library, so this file uses only the stdlib
and syntax every Python 3.6 understands.
"""

# ruff: noqa: UP006, UP035, UP031
import json
import os
import platform
import sys
from typing import Any, Dict, List


def _full_version(info: Any) -> str:
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


def markers() -> Dict[str, str]:
    """The PEP 508 environment, computed as packaging.markers.default_environment does."""
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": _full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def distributions() -> List[List[str]]:
    """``[name, version]`` of every distribution on ``sys.path``, first one wins."""
    found = []  # type: List[List[str]]
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8
        return _from_pkg_resources()
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.append([str(name), str(dist.version)])
    return found


def _from_pkg_resources() -> List[List[str]]:
    try:
        import pkg_resources  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return []
    return [[d.project_name, d.version] for d in pkg_resources.working_set]


def probe() -> Dict[str, Any]:
    """Everything kb needs to know about this interpreter."""
    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "markers": markers(),
        "packages": distributions(),
    }


if __name__ == "__main__":
    json.dump(probe(), sys.stdout)
