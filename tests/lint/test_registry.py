"""The rule registry that the site renders: complete, sorted, documented, selectable."""

from __future__ import annotations

import re

import pytest

from kb.errors import UsageError
from kb.lint.registry import Rule, select_codes
from kb.lint.rules import BY_CODE, RULES


def test_rules_are_sorted_unique_and_cover_the_loader_codes() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    for loader_code in ("KB100", "KB101", "KB104", "KB107", "KB109", "KB201", "KB202", "KB203"):
        assert loader_code in BY_CODE
    assert len({r.name for r in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_metadata_and_documentation(rule: Rule) -> None:
    code, name, summary, doc = rule.code, rule.name, rule.summary, rule.doc
    assert re.fullmatch(r"KB\d{3}", code)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name)
    assert summary and "\n" not in summary and summary.endswith(".")
    sections = re.findall(r"^## (\w+)$", doc, flags=re.MULTILINE)
    assert sections == ["What", "Why", "Example"], doc
    assert not doc.startswith(" ")


def test_selectors_are_prefixes_and_all() -> None:
    assert select_codes(RULES, ["KB40"], None) == {
        r.code for r in RULES if r.code.startswith("KB40")
    }
    assert select_codes(RULES, ["ALL"], ["KB4", "kb110"]) == {
        r.code for r in RULES if not r.code.startswith("KB4") and r.code != "KB110"
    }
    assert select_codes(RULES, None, None) == {r.code for r in RULES}


@pytest.mark.parametrize("bad", ["KB9", "KB4031", "E501", "lint"])
def test_unknown_selector_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match="unknown rule code"):
        select_codes(RULES, [bad], None)
    with pytest.raises(UsageError):
        select_codes(RULES, None, [bad])
