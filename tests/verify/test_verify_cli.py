"""kb verify end to end on local wheels: outcomes, files, --check, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.cli import main
from kb.lint import run_lint
from tests.lint.factory import write
from tests.verify.conftest import ENTRY_ID, acme_entry
from tests.verify.wheels import REMOVED

OFFLINE = ["--no-index", "--quiet"]


def _verify(entries: Path, wheels: Path, *extra: str) -> int:
    return main(
        ["verify", "--entries", str(entries), *OFFLINE, "--find-links", str(wheels), *extra]
    )


def _file(entries: Path) -> Path:
    return entries / "acme-lint" / f"{ENTRY_ID}.verified.json"


def _outcomes(entries: Path) -> list[tuple[dict[str, str], str, str]]:
    data = json.loads(_file(entries).read_text())
    return [(r["packages"], r["expected"], r["outcome"]) for r in data["runs"]]


def test_affected_and_not_affected_are_decided_by_the_signatures(
    entries: Path, wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(entries, wheels) == 0
    assert _outcomes(entries) == [
        ({"acme-app": "1.3", "acme-lint": "2.9"}, "not-affected", "not-affected"),
        ({"acme-app": "1.3", "acme-lint": "3.0"}, "affected", "affected"),
        ({"acme-app": "1.4", "acme-lint": "3.0"}, "not-affected", "not-affected"),
    ]
    data = json.loads(_file(entries).read_text())
    assert data["runs"][1]["matched"].startswith(REMOVED)
    assert "/tmp" not in data["runs"][1]["matched"]
    assert data["entry"] == ENTRY_ID and data["hash"].startswith("sha256:")
    assert data["interpreter"].startswith("CPython 3.")
    said = capsys.readouterr()
    assert "affected      acme-app==1.3 acme-lint==3.0" in said.out
    assert "kb verify: 1 entry: " in said.err and "; 1 verification file written." in said.err
    # the file is deterministic: the same outcomes rewrite the same bytes
    before = _file(entries).read_bytes()
    assert _verify(entries, wheels) == 0
    assert _file(entries).read_bytes() == before
    assert main(["verify", "--entries", str(entries), "--check"]) == 0
    assert [p.code for p in run_lint([entries]).findings] == []


def test_a_contradiction_exits_1_and_check_and_lint_report_it(
    entries: Path, broken_wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(entries, broken_wheels) == 1
    out = capsys.readouterr().out
    assert "contradiction: acme-app==1.4 acme-lint==3.0 on Python" in out
    assert main(["verify", "--entries", str(entries), "--check"]) == 1
    assert "contradiction" in capsys.readouterr().out
    findings = run_lint([entries]).findings
    assert [p.code for p in findings] == ["KB507"]
    assert "affected" in findings[0].message


def test_json_output_has_runs_and_contradictions(
    entries: Path, broken_wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(entries, broken_wheels, "--json", "--dry-run") == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["entry"] for d in data] == [ENTRY_ID]
    assert len(data[0]["runs"]) == 3
    assert len(data[0]["contradictions"]) == 1
    assert not _file(entries).exists()


def test_install_failure_and_missing_interpreter_are_inconclusive_and_say_why(
    tmp_path: Path, wheels: Path
) -> None:
    root = tmp_path / "entries"
    data = acme_entry()
    data["affected"]["conditions"][0]["releases"] = ["2.9", "3.0", "2.5"]  # 2.5 does not exist
    data["affected"]["conditions"].append(
        {"package": "python", "specifier": ">=3.8", "releases": ["3.99.1"]}
    )
    write(root, data)
    assert _verify(root, wheels) == 0
    runs = json.loads(_file(root).read_text())["runs"]
    reasons = {(r["packages"]["acme-lint"], r["python"]): r["reason"] for r in runs}
    assert reasons[("2.5", runs[0]["python"])].startswith("install failed")
    assert reasons[("3.0", "3.99.1")] == "needs Python 3.99, not on this machine"
    assert {r["outcome"] for r in runs if r["reason"]} == {"inconclusive"}


def test_a_reproduction_that_hangs_is_inconclusive_after_the_timeout(
    tmp_path: Path, wheels: Path
) -> None:
    root = tmp_path / "entries"
    data = acme_entry()
    data["reproduction"] = {
        "language": "shell",
        "code": "venv/bin/python -c 'import acme_slow'\n",
        "requirements": ["acme-slow==1.0"],
    }
    data["affected"]["conditions"] = data["affected"]["conditions"][:1]
    data["affected"]["conditions"][0]["releases"] = ["3.0"]
    write(root, data)
    assert _verify(root, wheels, "--timeout", "1") == 0
    runs = json.loads(_file(root).read_text())["runs"]
    assert [(r["outcome"], r["reason"]) for r in runs] == [("inconclusive", "timed out after 1 s")]


def test_shell_reproductions_use_venv_and_an_error_without_match_is_inconclusive(
    tmp_path: Path, wheels: Path
) -> None:
    root = tmp_path / "entries"
    data = acme_entry()
    data["reproduction"] = {
        "language": "shell",
        # the first line passes only with the environment under test as venv/
        "code": "venv/bin/python -c 'import acme_lint'\nvenv/bin/python -c 'raise SystemExit(\"boom\")'\n",
    }
    write(root, data)
    assert _verify(root, wheels) == 0
    runs = json.loads(_file(root).read_text())["runs"]
    assert {r["outcome"] for r in runs} == {"inconclusive"}
    assert runs[0]["reason"] == "exit status 1 without a matching line; last line: boom"


def test_check_reports_stale_malformed_and_orphan_files(
    entries: Path, wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(entries, wheels) == 0
    path = entries / "acme-lint" / f"{ENTRY_ID}.yaml"
    path.write_text(path.read_text().replace("import acme_app", "import acme_app  # changed"))
    assert main(["verify", "--entries", str(entries), "--check"]) == 1
    assert "stale: the entry's reproduction" in capsys.readouterr().out
    assert [p.code for p in run_lint([entries]).findings] == ["KB702"]
    _file(entries).write_text('{"format": 1, "runs": 3}')
    assert main(["verify", "--entries", str(entries), "--check", "--json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [f["kind"] for f in found] == ["malformed"]
    (entries / "acme-lint" / "gone.verified.json").write_text("{}")
    assert main(["verify", "--entries", str(entries), "--check"]) == 1
    assert "gone.verified.json: orphan" in capsys.readouterr().out


def test_pip_fallback_installs_and_runs_too(tmp_path: Path, wheels: Path) -> None:
    root = tmp_path / "entries"
    data = acme_entry()
    data["reproduction"] = {
        "language": "python",
        "code": "from acme_lint.codec import parse_frame\n",
    }
    data["affected"]["conditions"] = data["affected"]["conditions"][:1]
    data["affected"]["conditions"][0]["releases"] = ["3.0"]
    write(root, data)
    assert _verify(root, wheels, "--pip") == 0
    found = json.loads(_file(root).read_text())
    assert [(r["packages"], r["outcome"]) for r in found["runs"]] == [
        ({"acme-lint": "3.0"}, "affected")
    ]
    assert found["installer"].startswith("pip ")


def test_usage_errors_exit_2(entries: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--entries", str(entries), "no-such-entry"]) == 1
    assert main(["verify", "--entries", str(entries / "nope")]) == 2
    assert main(["verify", "--entries", str(entries), "--jobs", "0"]) == 2
    assert main(["verify", "--entries", str(entries), "--bisect", "acme-nope", ENTRY_ID]) == 2
    # a list of releases would otherwise be read by nothing
    assert main(["verify", "--entries", str(entries), "--releases", str(entries)]) == 2
    assert "kb: --releases: only with --bisect" in capsys.readouterr().err
    # an interpreter that is not CPython (or does not run) is refused before anything runs
    assert main(["verify", "--entries", str(entries), "--python", str(entries / "nope")]) == 2
    assert "--python" in capsys.readouterr().err


def test_registering_the_command_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, kb.cli; kb.cli.build_parser()\n"
        "heavy = [m for m in ('kb.verify', 'packaging', 'pydantic', 'concurrent.futures')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plan_lists_the_combinations_without_installing(
    entries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--entries", str(entries), "--plan", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    combos = [(c["packages"], c["expected"]) for c in plan[0]["combinations"]]
    assert combos == [
        ({"acme-app": "1.3", "acme-lint": "2.9"}, "not-affected"),
        ({"acme-app": "1.3", "acme-lint": "3.0"}, "affected"),
        ({"acme-app": "1.4", "acme-lint": "3.0"}, "not-affected"),
    ]
    assert not _file(entries).exists()


def test_help_explains_outcomes_files_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = capsys.readouterr().out
    for words in ("affected", "inconclusive", ".verified.json", "--check", "--bisect", "exit"):
        assert words in text
