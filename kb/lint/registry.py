"""What a lint rule is, how rule modules declare one, and how ``--select``/``--ignore`` pick them.

A rule is a function with a stable code (``KB403``), a kebab-case name, a one-line summary
and a Markdown docstring in three parts (What / Why / Example) that the site renders as
the rule reference. Rules that the loader applies while reading a file (KB1xx, KB2xx) are
declared here too, without a function, so that every code kb can print is documented.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kb.errors import Location, UsageError

Finding = tuple[Location, str]
"""What a rule function yields: where, and the message."""


class Severity(StrEnum):
    """Whether a finding fails ``kb lint`` (error) or is only reported (warning)."""

    ERROR = "error"
    WARNING = "warning"


class Scope(StrEnum):
    """What a rule looks at, which decides when the runner calls it."""

    LOADER = "loader"
    """Applied by the loader while reading and validating a file (no function here)."""
    FILE = "file"
    """The raw file, once it parsed as YAML, valid entry or not."""
    ENTRY = "entry"
    """One valid entry."""
    CORPUS = "corpus"
    """All entries of the run together."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A lint rule: its identity, its documentation, and the check (none for loader rules)."""

    code: str
    name: str
    summary: str
    doc: str
    scope: Scope
    check: Callable[[Any], Iterable[Finding]] | None = None
    severity: Severity = Severity.ERROR


def declare(
    code: str, name: str, summary: str, scope: Scope, severity: Severity = Severity.ERROR
) -> Callable[[Callable[[Any], Iterable[Finding]]], Rule]:
    """Decorator: turn a check function with a What/Why/Example docstring into a :class:`Rule`."""

    def wrap(fn: Callable[[Any], Iterable[Finding]]) -> Rule:
        if not fn.__doc__:
            raise ValueError(f"rule {code} has no documentation")
        return Rule(code, name, summary, inspect.cleandoc(fn.__doc__), scope, fn, severity)

    return wrap


def loader_rule(code: str, name: str, summary: str, doc: str) -> Rule:
    """A rule the loader applies; ``doc`` is its What/Why/Example Markdown."""
    return Rule(code, name, summary, inspect.cleandoc(doc), Scope.LOADER)


def select_codes(
    rules: Sequence[Rule], select: Iterable[str] | None, ignore: Iterable[str] | None
) -> frozenset[str]:
    """Codes enabled by ``select`` (default: all) minus ``ignore``; selectors are code prefixes.

    ``ALL`` selects every rule. A selector that is the prefix of no code is a usage error,
    so that a typo never silently disables a rule.
    """
    codes = [r.code for r in rules]

    def expand(selectors: Iterable[str], option: str) -> set[str]:
        out: set[str] = set()
        for raw in selectors:
            sel = raw.strip().upper()
            if not sel:
                continue
            if sel == "ALL":
                out.update(codes)
                continue
            hit = [c for c in codes if c.startswith(sel)]
            if not hit:
                raise UsageError(f"{option}: unknown rule code {raw.strip()!r}")
            out.update(hit)
        return out

    chosen = set(codes) if select is None else expand(select, "--select")
    if ignore is not None:
        chosen -= expand(ignore, "--ignore")
    return frozenset(chosen)
