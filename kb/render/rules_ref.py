"""The lint-rule reference page, generated from the rules' own documentation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class RuleDoc(Protocol):
    """What the page needs of a lint rule."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def doc(self) -> str: ...


def installed_rules() -> Sequence[RuleDoc]:
    """``kb.lint.rules.RULES``, or nothing when the lint package is not available."""
    import importlib

    try:
        module = importlib.import_module("kb.lint.rules")
    except ImportError:
        return ()
    rules: Sequence[RuleDoc] = module.RULES
    return tuple(rules)


def _demote(doc: str) -> str:
    """Push the rule doc's headings two levels down, below the rule's own heading."""
    out = []
    in_fence = False
    for line in doc.strip().splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            line = "#" * min(6, level + 2) + line[level:]
        out.append(line)
    return "\n".join(out)


def rules_page(rules: Sequence[RuleDoc]) -> str:
    """Markdown of the rule reference: a summary table, then each rule's documentation."""
    parts = [
        "# Lint rules",
        "`kb lint` checks every entry against these rules. Each finding is printed as "
        "`path:line:col: CODE message`.",
    ]
    if not rules:
        parts.append("No lint rules are installed.")
        return "\n\n".join(parts) + "\n"
    table = ["| Code | Name | Summary |", "| --- | --- | --- |"]
    for rule in rules:
        summary = rule.summary.replace("|", "\\|").replace("\n", " ")
        table.append(f"| [{rule.code}](#{rule.code.lower()}) | {rule.name} | {summary} |")
    parts.append("\n".join(table))
    for rule in rules:
        parts.append(f"## {rule.code} {rule.name} {{ #{rule.code.lower()} }}")
        parts.append(rule.summary)
        parts.append(_demote(rule.doc))
    return "\n\n".join(parts) + "\n"
