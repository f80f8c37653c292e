"""Every lint rule kb has, sorted by code: :data:`RULES`.

Each item has ``code``, ``name`` (kebab-case), ``summary`` (one line), ``doc`` (What / Why /
Example, Markdown) and ``scope``; the site renders the reference from it. The loader's
own codes (KB1xx, KB2xx) are included, so every code ``kb lint`` can print is here.
"""

from __future__ import annotations

from kb.lint import file_rules, identity, prose, regex_shapes, signatures, verified, versions
from kb.lint.registry import Rule


def _collect() -> tuple[Rule, ...]:
    found: list[Rule] = list(file_rules.LOADER_RULES)
    for module in (file_rules, identity, signatures, regex_shapes, versions, verified, prose):
        found.extend(v for v in vars(module).values() if isinstance(v, Rule))
    found.sort(key=lambda r: r.code)
    codes = [r.code for r in found]
    if len(set(codes)) != len(codes):
        raise RuntimeError(f"duplicate lint rule codes: {codes}")
    return tuple(found)


RULES: tuple[Rule, ...] = _collect()
"""All rules, sorted by code."""

BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
"""Rules by code."""
