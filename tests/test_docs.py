"""The README stays true: every command is documented, and CI runs the README's test command."""

from __future__ import annotations

import re

from kb.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)


def test_readme_starts_with_what_kb_is_then_the_two_commands() -> None:
    assert README.startswith("# kb")
    setup_and_search, setup_and_test = _command_blocks()[:2]
    assert "kb search" in setup_and_search
    assert "pytest" in setup_and_test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _command_blocks()[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_every_command_is_in_the_readme() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = sorted(sub.choices)  # type: ignore[arg-type]
    assert names
    missing = [name for name in names if f"kb {name}" not in README]
    assert missing == []
