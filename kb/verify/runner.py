"""Run one reproduction in one environment and let the entry's signatures judge the output.

The run is *affected* when a line of its output (stdout and stderr together) matches one
of the entry's signatures, with the same matcher as search; *not affected* when it exits 0
without a match; *inconclusive* otherwise, with the reason (the exit status and the last
line of output, or the timeout). Lines that only echo the reproduction's own source (as a
traceback does) never count: a comment there may quote the very error being looked for.

Python reproductions run as a script; shell reproductions run with ``bash -e`` in a fresh
working directory where ``venv`` is a link to the environment under test (and its
``bin`` comes first on ``PATH``), so their ``venv/bin/python ...`` lines use it; the
interpreters verify found come next on ``PATH`` as ``pythonX.Y`` (a reproduction that
creates an environment for Python 2.7 finds ``python2.7``). Paths of the environment, the
working directory, the interpreters' installations and temporary directories the
reproduction made are written ``venv``, ``.``, ``<python>`` and ``<tmp>`` in the output
kept, so that the same outcome writes the same file on any machine.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from kb.matching import CompiledSignature
from kb.normalize import normalize
from kb.verify import procs
from kb.verify.interpreters import Interpreter


class Outcome(StrEnum):
    """What one run showed."""

    AFFECTED = "affected"
    NOT_AFFECTED = "not-affected"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of one run, the output line that matched, or why it is inconclusive."""

    outcome: Outcome
    matched: str | None = None
    reason: str | None = None
    seconds: float = 0.0


RUNNABLE = ("python", "shell")
"""Reproduction languages kb can run (``text`` is only read)."""

MAX_OUTPUT = 2 * 1024 * 1024
"""Output kept from one run; the signature a failure prints is near its end."""


def run(
    language: str,
    code: str,
    signatures: Sequence[CompiledSignature],
    env: Path,
    timeout: float,
    *,
    interpreters: Mapping[str, Interpreter] | None = None,
) -> Result:
    """Run ``code`` with the environment at ``env`` and judge its output by ``signatures``;
    ``interpreters`` (by minor version) are on a shell reproduction's ``PATH``."""
    started = time.monotonic()
    found = list((interpreters or {}).values())
    with tempfile.TemporaryDirectory(prefix="kb-verify-") as tmp:
        work = Path(tmp)
        extra: list[Path] = []
        if language == "python":
            (work / "reproduction.py").write_text(code, encoding="utf-8")
            cmd = [str(env / "bin" / "python"), "reproduction.py"]
        else:
            (work / "reproduction.sh").write_text(code, encoding="utf-8")
            (work / "venv").symlink_to(env, target_is_directory=True)
            cmd = ["bash", "-e", "reproduction.sh"]
            if found:
                extra.append(_interpreter_links(Path(tempfile.mkdtemp(dir=tmp)), found))
        status, output = _execute(cmd, work, _child_env(env, extra), timeout)
        output = _anonymize(output, env, work, [i.prefix for i in found])
    seconds = time.monotonic() - started
    matched = first_match(output, code, signatures)
    if matched is not None:
        return Result(Outcome.AFFECTED, matched=matched, seconds=seconds)
    if status is None:
        return Result(
            Outcome.INCONCLUSIVE, reason=f"timed out after {timeout:g} s", seconds=seconds
        )
    if status == 0:
        return Result(Outcome.NOT_AFFECTED, seconds=seconds)
    last = _last_line(output)
    return Result(
        Outcome.INCONCLUSIVE,
        reason=f"exit status {status} without a matching line; last line: {last}",
        seconds=seconds,
    )


def first_match(output: str, code: str, signatures: Sequence[CompiledSignature]) -> str | None:
    """The last output line that one of ``signatures`` matches (source echoes excluded).

    The last, because a traceback ends with the error itself, after the library source
    lines it quotes."""
    source = {ln.strip() for ln in code.splitlines() if ln.strip()}
    for line in reversed(output.splitlines()):
        stripped = line.strip()
        if not stripped or stripped in source:
            continue
        normalized = normalize(stripped)
        for sig in signatures:
            if sig.matches(stripped, normalized):
                return _clip(stripped)
    # a regex may span lines (an error and the note printed under it): the whole output,
    # without the echoed source, then shows the line where the match starts
    kept = "\n".join(ln for ln in output.splitlines() if ln.strip() not in source)
    for sig in signatures:
        at = sig.regex.start(kept) if sig.regex is not None else None
        if at is not None:
            begin = kept.rfind("\n", 0, at + 1) + 1
            end = kept.find("\n", at + 1)
            return _clip(kept[begin : end if end >= 0 else len(kept)].strip())
    return None


def _anonymize(output: str, env: Path, work: Path, prefixes: Sequence[str] = ()) -> str:
    """Paths of this machine out of the output, so that stored lines are the same anywhere."""
    output = output.replace(str(env), "venv").replace(str(work), ".")
    for prefix in sorted({*prefixes, sys.base_prefix} - {"", "/"}, key=len, reverse=True):
        output = output.replace(prefix, "<python>")
    # a temporary directory the reproduction made itself (tempfile's random names)
    return _temporary().sub("<tmp>", output)


@lru_cache(maxsize=1)
def _temporary() -> re.Pattern[str]:
    """A directory ``tempfile`` names (``/tmp/tmpx3zrp41a``)."""
    return re.compile(re.escape(tempfile.gettempdir()) + r"/tmp[a-z0-9_]{8}\b")


def _interpreter_links(directory: Path, interpreters: Sequence[Interpreter]) -> Path:
    """``directory`` holding a ``pythonX.Y`` link to each interpreter."""
    for interpreter in interpreters:
        (directory / f"python{interpreter.minor}").symlink_to(interpreter.path)
    return directory


def _child_env(env: Path, extra: Sequence[Path] = ()) -> dict[str, str]:
    out = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "KB_DEBUG")
    }
    path = [str(env / "bin"), *map(str, extra), out.get("PATH", os.defpath)]
    out["PATH"] = os.pathsep.join(path)
    out["VIRTUAL_ENV"] = str(env)
    out["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    out["PYTHONDONTWRITEBYTECODE"] = "1"
    out.setdefault("LC_ALL", "C.UTF-8")
    return out


def _execute(
    cmd: list[str], cwd: Path, env: dict[str, str], timeout: float
) -> tuple[int | None, str]:
    """Exit status (None on timeout) and combined output, the end of it when it is long."""
    status, raw, _ = procs.run(cmd, env=env, timeout=timeout, cwd=cwd, merge=True)
    return status, raw[-MAX_OUTPUT:].decode("utf-8", errors="replace")


_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b")
_TOOL_ERROR = re.compile(r"^(?:ERROR|error|Error):")


def _last_line(output: str) -> str:
    """The last exception line of the output (``ImportError: ...``), else the last error line
    of a tool (``ERROR: ...``), else its last line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for pattern in (_ERROR_LINE, _TOOL_ERROR):
        for ln in reversed(lines):
            if pattern.match(ln):
                return _clip(ln)
    return _clip(lines[-1]) if lines else "(no output)"


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
