"""The command line: fast start, exit codes, help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kb.cli import main

HEAVY = ("whoosh", "mkdocs", "material", "pydantic", "yaml")


def test_importing_the_cli_imports_nothing_heavy() -> None:
    code = (
        "import sys, kb.cli; kb.cli.build_parser(); "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_help_lists_commands_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "exit codes" in out
    assert "schema" in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main(["--no-such-option"])
    assert info.value.code == 2


def test_the_kb_command_runs_main_and_leaves_nothing_to_collect_at_exit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc

    from kb.cli import console

    monkeypatch.setattr(sys, "argv", ["kb", "search"])
    try:
        assert console() == 2
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()
    assert "no query" in capsys.readouterr().err
