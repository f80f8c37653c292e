"""The lint-rule and entry-format reference pages."""

from __future__ import annotations

from dataclasses import dataclass

from kb.models import json_schema
from kb.render.rules_ref import rules_page
from kb.render.schema_ref import format_page


@dataclass(frozen=True)
class _Rule:
    code: str
    name: str
    summary: str
    doc: str


def test_rules_page_lists_each_rule_with_its_doc() -> None:
    rules = [
        _Rule("KB101", "invalid-yaml", "Not YAML | at all.", "# What\n\nBad.\n\n```\n# kept\n```"),
        _Rule("KB202", "missing-key", "A key is missing.", "## Why\n\nNeeded."),
    ]
    page = rules_page(rules)
    assert "| [KB101](#kb101) | invalid-yaml | Not YAML \\| at all. |" in page
    assert "## KB101 invalid-yaml { #kb101 }" in page
    assert "\n### What\n" in page and "\n#### Why\n" in page
    assert "\n# kept\n" in page
    assert page.index("KB101 invalid-yaml {") < page.index("KB202 missing-key {")


def test_rules_page_without_rules_says_so() -> None:
    assert "No lint rules are installed." in rules_page([])


def test_format_page_covers_every_key_of_the_schema() -> None:
    schema = json_schema()
    page = format_page(schema)
    for key in schema["properties"]:  # type: ignore[attr-defined]
        assert f"| `{key}` |" in page
    for name in schema["$defs"]:  # type: ignore[attr-defined]
        assert f"{{ #{name.lower()} }}" in page
    assert "| `id` | string | yes |" in page
    assert "| `updated` | string (date) | no |" in page
    assert "| `affected` | [Affected](#affected) | yes |" in page
