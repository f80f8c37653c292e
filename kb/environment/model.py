"""The versions a project runs: packages, interpreter and platform, from one source."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.errors import InputError, Location


class EnvironmentReadError(InputError):
    """A lockfile, requirements file or interpreter could not be read (exit 2: bad input)."""

    exit_code = 2

    @classmethod
    def from_os_error(cls, exc: OSError, where: str, expected: str) -> EnvironmentReadError:
        """The error for a file that could not be opened; ``expected`` says what it should
        be (``"a log"``), for the message about a directory in its place."""
        if isinstance(exc, FileNotFoundError):
            message = "no such file"
        elif isinstance(exc, IsADirectoryError):
            message = f"is a directory, not {expected}"
        else:
            message = f"cannot read: {exc.strerror or exc}"
        return cls(message, Location(where))


@dataclass(slots=True)
class Environment:
    """What is installed (or locked) where a project runs.

    ``packages`` maps PEP 503 canonical names to version strings as found (not
    necessarily PEP 440). ``problems`` maps a canonical name to why its version is not
    known or not trusted ("not pinned", "not PEP 440"); such packages are absent from
    ``packages`` unless a version was found. ``markers`` is the PEP 508 environment for
    platform markers; empty when the source does not say (a lockfile).
    """

    source: str
    packages: dict[str, str] = field(default_factory=dict)
    python: str | None = None
    markers: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def versions(self) -> dict[str, str]:
        """Versions by canonical name, with ``python`` for the interpreter when known."""
        out = dict(self.packages)
        if self.python is not None:
            out["python"] = self.python
        return out

    def with_python(self, version: str) -> Environment:
        """A copy that runs on interpreter ``version`` (``3.11`` or ``3.11.7``)."""
        parts = version.split(".")
        markers = dict(self.markers)
        markers["python_full_version"] = version if len(parts) > 2 else f"{version}.0"
        markers["python_version"] = ".".join(parts[:2])
        return Environment(
            source=self.source,
            packages=dict(self.packages),
            python=version,
            markers=markers,
            problems=dict(self.problems),
            notes=list(self.notes),
        )


def check_versions(env: Environment) -> None:
    """Record every version that is not PEP 440 as a problem (it stays in ``packages``)."""
    from packaging.version import InvalidVersion

    from kb.errors import shorten
    from kb.matching.versions import parse_version

    for name, version in env.packages.items():
        try:
            parse_version(version)
        except InvalidVersion:
            env.problems.setdefault(name, f"version {shorten(version)} is not PEP 440")
