"""Isolated environments, one per set of requirements, made once and kept in a cache.

Two installers: ``uv`` (fast; its wheel cache is shared by every environment) when it is
installed, else the standard library's ``venv`` with pip (wheels cached by pip). An
environment is keyed by the interpreter, the installer, the requirements, the index
options and the installer's own configuration (its ``PIP_*`` or ``UV_*`` variables and
configuration files), and is marked complete only after its install succeeded, so an
interrupted or failed install is never reused. A failed install is a value (:class:`Installed` with
``error``), not an exception: the run it belonged to is inconclusive and says why.

A failed install is also remembered beside the environment (``<key>.failed.json``), so
that the next run reports it at once ("install failed (cached <date>): ...") rather than
trying again; ``retry_failed`` tries again. Failures that may pass next time are never
remembered: a timeout, an install killed by a signal, and output that tells of the
network failing (see :func:`transient`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kb.catalog.cache import cache_root
from kb.fsutil import write_atomic
from kb.verify import procs

FORMAT = 2
"""Bumped when environments are made differently, so that older ones are not reused."""

MARKER = "kb-verify-env.json"
"""Written into an environment once its install succeeded."""

FAILED = ".failed.json"
"""Suffix of the file beside an environment's directory that remembers its failed install:
what was asked, the interpreter, the installer and its version, the date, the error and
the end of the installer's output. A record of another installer version is ignored."""

LOCK = ".lock"
"""Suffix of the file beside an environment's directory that is locked while it is made."""

MAX_KEPT_OUTPUT = 20_000
"""Characters of a failed install's output kept (its end: signatures are matched in it)."""


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """Where packages come from: the default index, or local wheels only (tests, offline)."""

    find_links: tuple[str, ...] = ()
    no_index: bool = False
    no_build: bool = False
    """Install wheels only: a release without a wheel for this interpreter is inconclusive."""

    def args(self) -> list[str]:
        """The pip/uv options that say so."""
        out: list[str] = []
        if self.no_index:
            out.append("--no-index")
        for link in self.find_links:
            out += ["--find-links", link]
        if self.no_build:
            out += ["--only-binary", ":all:"]
        return out


@dataclass(frozen=True, slots=True)
class Installed:
    """An environment ready to run in, or why it could not be made."""

    path: Path
    error: str | None = None
    output: str = ""
    """The installer's output when it failed: a failure may show itself while building."""
    cached: str | None = None
    """The date of the earlier attempt when the failure is one remembered, not retried."""

    @property
    def python(self) -> Path:
        """The environment's interpreter."""
        return self.path / "bin" / "python"


@dataclass(slots=True)
class Installer:
    """Makes and caches environments with ``uv`` or with ``venv`` and pip."""

    cache: Path = field(default_factory=lambda: cache_root() / "verify")
    options: IndexOptions = field(default_factory=IndexOptions)
    timeout: float = 600.0
    """Seconds one install may take (a source build of an old release can hang)."""
    use_uv: bool | None = None
    """``None``: uv when it is installed; ``False``: always venv and pip."""
    interpreter: str = sys.executable
    retry_failed: bool = False
    """Try again the installs that failed before instead of reporting the remembered failure."""
    _retried: set[str] = field(default_factory=set, repr=False)
    """Keys of the failed installs already tried again in this run."""
    _configured: list[list[str]] = field(init=False, repr=False)
    """:func:`installer_configuration`, read once: every key of this installer needs it."""

    def __post_init__(self) -> None:
        if self.use_uv is None:
            self.use_uv = uv_binary() is not None
        self._configured = installer_configuration(bool(self.use_uv))

    @property
    def name(self) -> str:
        """``uv 0.5.1`` or ``pip 24.2``: recorded with the results."""
        return _tool_version(uv_binary() if self.use_uv else None, self.interpreter)

    def environment(self, requirements: Sequence[str], pins: Sequence[str] = ()) -> Installed:
        """The cached environment with ``requirements``, made on first use.

        ``pins`` (``name==version``, among the requirements) are the releases under test:
        with uv they override what other packages declare (an old release capping a
        dependency below the one under test is how many of these failures happen) and
        constrain build environments too (a build dependency can be the culprit).
        """
        reqs = sorted(set(requirements))
        pins = sorted(set(pins))
        key = self.key(reqs, pins)
        path = self.cache / "envs" / key
        if (path / MARKER).is_file():
            return Installed(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Made in place (scripts record their own path), under a lock: two entries of one
        # run may need the same environment at the same moment.
        failed = path.with_suffix(FAILED)
        with _locked(path.with_suffix(LOCK)):
            if (path / MARKER).is_file():
                return Installed(path)
            if not self.retry_failed or key in self._retried:
                remembered = self._remembered(failed)
                if remembered is not None:
                    return Installed(path, *remembered)
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
            error, output, final = self._make(path, reqs, pins)
            self._retried.add(key)
            if error is not None:
                shutil.rmtree(path, ignore_errors=True)
                if final and not transient(output):
                    self._remember(failed, reqs, pins, error, output)
                return Installed(path, error, output)
            (path / MARKER).write_text(json.dumps({"requirements": reqs}, indent=1) + "\n")
            failed.unlink(missing_ok=True)
        return Installed(path)

    def _remember(
        self, failed: Path, reqs: list[str], pins: list[str], error: str, output: str
    ) -> None:
        """Keep a failed install, so that the next run reports it instead of trying again."""
        data = {
            "format": FORMAT,
            "requirements": reqs,
            "pins": pins,
            "interpreter": self.interpreter,
            "python": sys.version,
            "installer": self.name,
            "date": dt.date.today().isoformat(),
            "error": error,
            "output": output[-MAX_KEPT_OUTPUT:],
        }
        write_atomic(failed, json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    def _remembered(self, failed: Path) -> tuple[str, str, str] | None:
        """The error (saying it is remembered), output and date of a failed install kept by
        this installer's version; None when there is none (or it cannot be read)."""
        try:
            data = json.loads(failed.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        if not isinstance(data, dict) or data.get("installer") != self.name:
            return None
        error, output, date = data.get("error"), data.get("output"), data.get("date")
        if not (isinstance(error, str) and isinstance(output, str) and isinstance(date, str)):
            return None
        what, sep, why = error.partition(": ")
        said = f"{what} (cached {date}): {why}" if sep else f"{error} (cached {date})"
        return said, output, date

    def key(self, requirements: Sequence[str], pins: Sequence[str] = ()) -> str:
        """The name of the environment with ``requirements`` (see :meth:`environment`) in
        ``<cache>/envs``: the interpreter, the installer, the requirements, the index options
        and the installer's configuration (read when the installer is made) decide it."""
        reqs = [*sorted(set(requirements)), "--pins", *sorted(set(pins))]
        parts: list[object] = [
            FORMAT, self.interpreter, sys.version, bool(self.use_uv), reqs, self.options.args()
        ]  # fmt: skip
        if self._configured:  # absent otherwise: keys made before it was part of them stay valid
            parts.append(self._configured)
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:20]

    def _make(self, target: Path, reqs: list[str], pins: list[str]) -> tuple[str | None, str, bool]:
        """Create the environment at ``target`` and install ``reqs``: an error or None, the
        installer's output, and whether a failure is the installer's own answer (not a
        timeout, a signal or a tool that would not start), so worth remembering."""
        if self.use_uv:
            uv = uv_binary()
            assert uv is not None
            env = {**os.environ, "UV_CACHE_DIR": str(self.cache / "uv")}
            make = [uv, "venv", "--quiet", "--python", self.interpreter]
            install = [uv, "pip", "install", "--quiet", "--python", str(target / "bin" / "python")]
        else:
            env = {**os.environ, "PIP_CACHE_DIR": str(self.cache / "pip")}
            make = [self.interpreter, "-m", "venv", "--without-pip"]
            install = [
                self.interpreter, "-m", "pip", "--python", str(target / "bin" / "python"),
                "install", "--quiet", "--disable-pip-version-check",
            ]  # fmt: skip
        env.pop("VIRTUAL_ENV", None)
        error, output, final = _call(
            [*make, str(target)], env, self.timeout, "creating the environment"
        )
        if error is not None or not reqs:
            return error, output, final
        extra: list[str] = []
        if self.use_uv and pins:
            pinned = target / "kb-verify-pins.txt"
            pinned.write_text("".join(f"{p}\n" for p in pins), encoding="utf-8")
            # uv keeps the wheels it builds from sdists without regard to the build
            # constraints they were built under; --refresh makes it build again, so that
            # a release under test that is a build dependency really is the one used.
            extra = ["--override", str(pinned), "--build-constraints", str(pinned), "--refresh"]
        cmd = [*install, *self.options.args(), *extra, *reqs]
        error, output, final = _call(cmd, env, self.timeout, "install")
        if error is not None and self.options.no_build and "wheel" in error:
            error += " (source builds were off: --no-build)"
        return error, output, final


_SETTINGS = {
    False: ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX",
            "PIP_CONSTRAINT", "PIP_ONLY_BINARY", "PIP_NO_BINARY", "PIP_PRE", "PIP_CONFIG_FILE"),
    True: ("UV_INDEX", "UV_DEFAULT_INDEX", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_FIND_LINKS",
           "UV_NO_INDEX", "UV_INDEX_STRATEGY", "UV_CONSTRAINT", "UV_OVERRIDE", "UV_PRERELEASE",
           "UV_NO_BINARY", "UV_ONLY_BINARY", "UV_NO_BUILD", "UV_CONFIG_FILE"),
}  # fmt: skip
"""Environment variables that change what pip (False) or uv (True) installs."""


def _config_files(uv: bool) -> list[Path]:
    """The configuration files pip or uv reads, where they may be."""
    home = Path.home()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    dirs = [Path(d) for d in os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(":") if d]
    if uv:
        return [config / "uv" / "uv.toml", *(d / "uv" / "uv.toml" for d in dirs),
                Path("/etc/uv/uv.toml")]  # fmt: skip
    return [Path("/etc/pip.conf"), *(d / "pip" / "pip.conf" for d in dirs),
            home / ".pip" / "pip.conf", config / "pip" / "pip.conf"]  # fmt: skip


def installer_configuration(uv: bool) -> list[list[str]]:
    """What of the installer's own configuration decides what it installs: the variables of
    :data:`_SETTINGS` that are set and the text of its configuration files that exist (an
    index, find-links or a constraints file there change the environments it makes), so
    that environments made under another configuration are not reused."""
    out = [[name, os.environ[name]] for name in _SETTINGS[uv] if name in os.environ]
    for path in _config_files(uv):
        try:
            out.append([str(path), path.read_text(encoding="utf-8", errors="replace")])
        except OSError:
            continue
    return out


def _call(
    cmd: list[str], env: dict[str, str], timeout: float, what: str
) -> tuple[str | None, str, bool]:
    """Run one installer step: an error or None, its output, and whether the outcome is
    final (it exited by itself, not killed by a timeout or a signal)."""
    try:
        status, out, err = procs.run(cmd, env=env, timeout=timeout)
    except OSError as exc:
        return f"{what} failed: {exc.strerror or exc}", "", False
    if status is None:
        return f"{what} took longer than {timeout:g} s", "", False
    stdout = out.decode("utf-8", errors="replace")
    stderr = err.decode("utf-8", errors="replace")
    if status == 0:
        return None, stdout + stderr, True
    final = status > 0 and status not in (130, 137, 143)  # not ended by a signal
    return f"{what} failed: {_last_line(stderr or stdout)}", stdout + stderr, final


_TRANSIENT = re.compile(
    r"connection (?:refused|reset|aborted|closed|error|timed out)|connecterror"
    r"|failed to establish a new connection|newconnectionerror|remotedisconnected"
    r"|temporary failure in name resolution|name or service not known|dns error"
    r"|nodename nor servname|getaddrinfo failed|network is unreachable|no route to host"
    r"|timed out|read ?timeout|connect ?timeout|timeouterror|operation timeout"
    r"|max retries exceeded|retrying \(retry\(|request failed after \d+ retries"
    r"|error sending request|incomplete message|unexpected eof|ssl(?:error|: )"
    r"|http status server error|server error: |http error 5\d\d|status code:? 5\d\d"
    r"|\b5\d\d (?:internal server error|bad gateway|service unavailable|gateway time-?out)",
    re.IGNORECASE,
)


def transient(output: str) -> bool:
    """True when an installer's output tells of the network failing (a connection refused
    or reset, a name that did not resolve, a timeout, an HTTP 5xx): such an install may
    work next time, so it is never remembered as failed."""
    return _TRANSIENT.search(output) is not None


def _last_line(text: str) -> str:
    """The most telling part of an installer's error output: uv's "Because ..." cause, pip's
    last ERROR line that says more than where to find help (with the conflict pip names),
    else the last line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, ln in enumerate(lines):
        if ln.startswith(("╰─▶", "cause:")):
            return _clip(
                " ".join(_following(lines, i, ln.removeprefix("╰─▶").removeprefix("cause:")))
            )
    errors = [i for i, ln in enumerate(lines) if ln.startswith(("ERROR:", "error:"))]
    telling = [i for i in errors if "for help visit" not in lines[i]] or errors
    if not telling:
        return _clip(lines[-1]) if lines else "(no output)"
    found = lines[telling[-1]]
    for i in range(telling[-1] + 1, len(lines)):
        if lines[i] == "The conflict is caused by:":
            found += " " + " ".join(_following(lines, i, "The conflict is caused by:"))
            break
        if lines[i].startswith(("ERROR:", "error:")):
            break
    return _clip(found)


def _following(lines: list[str], start: int, first: str) -> list[str]:
    """``first`` and the lines after ``lines[start]`` up to the next heading or hint."""
    out = [first.strip()]
    for more in lines[start + 1 :]:
        if more.startswith(("hint:", "help:", "╰─▶", "×", "cause:", "To fix", "ERROR:")):
            break
        out.append(more)
    return out


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def uv_binary() -> str | None:
    """The ``uv`` executable: next to this interpreter (installed with kb), else on PATH."""
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("uv")


@cache
def _tool_version(uv: str | None, interpreter: str) -> str:
    cmd = [uv, "--version"] if uv else [interpreter, "-m", "pip", "--version"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "uv" if uv else "pip"
    words = out.split()
    return " ".join(words[:2]) if len(words) >= 2 else ("uv" if uv else "pip")


@contextmanager
def _locked(lock: Path) -> Iterator[None]:
    import fcntl

    with open(lock, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
