"""``kb lint`` on the command line: formats, exit codes, selection, summary, defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.cli import main
from kb.errors import Location, Problem
from kb.output.lint import github_annotation
from tests.lint.factory import distinct, write


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "entries"
    write(root)
    write(
        root,
        distinct("acme-lint-50-html", "read_frame", why="fails in <module>", last_verified=None),
    )
    return root


def test_clean_tree_exits_0_with_summary_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "entries"
    write(root)
    assert main(["lint", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == "All checks passed (1 file checked)."


def test_findings_exit_1_text_format(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(tree)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 2
    path = str(tree / "acme-lint" / "acme-lint-50-html.yaml")
    assert lines[0].startswith(f"{path}:")
    assert [line.split(": ", 1)[1].split()[0] for line in lines] == ["KB604", "KB606"]
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in lines)
    assert err.strip() == "Found 2 problems in 1 file (2 files checked)."


def test_json_format(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--json", str(tree)]) == 1
    items = json.loads(capsys.readouterr().out)
    assert [i["code"] for i in items] == ["KB604", "KB606"]
    assert items[1]["name"] == "raw-html"
    assert set(items[0]) == {"code", "name", "severity", "message", "path", "line", "col"}
    assert items[0]["line"] > 0


def test_github_format(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--format", "github", str(tree)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("::error file=")
    assert ",title=KB606::KB606 raw HTML" in lines[1]
    assert ",line=" in lines[1] and ",col=" in lines[1]


def test_github_annotation_escapes_properties_and_message() -> None:
    problem = Problem("KB101", "bad: 50%\nnext", Location("a,b:c.yaml", 3, 4))
    assert github_annotation(problem) == (
        "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=KB101::KB101 bad: 50%25%0Anext"
    )


def test_select_and_ignore(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--select", "KB6", "--ignore", "KB606,KB604", str(tree)]) == 0
    assert main(["lint", "--select", "kb606", str(tree)]) == 1
    assert "KB604" not in capsys.readouterr().out


def test_statistics(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--statistics", str(tree)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in out] == [
        ["1", "KB604", "missing-last-verified"],
        ["1", "KB606", "raw-html"],
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "--select", "KB999"],
        ["lint", "--ignore", "XYZ"],
        ["lint", "--format", "xml"],
        ["lint", "--bogus"],
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        code = main([*argv, str(tree)])
        raise SystemExit(code)
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope"
    assert main(["lint", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == f"kb: {missing}: no such file or directory"


def test_default_is_the_entries_directory(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KB_ENTRIES", str(tree))
    assert main(["lint"]) == 1
    assert "(2 files checked)" in capsys.readouterr().err
    assert main(["lint", "--entries", str(tree / "acme-lint" / "..")]) == 1


def test_single_file_and_relative_display(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tree.parent)
    assert main(["lint", "entries/acme-lint/acme-lint-50-html.yaml"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("entries/acme-lint/acme-lint-50-html.yaml:")
    # an absolute path inside the working directory is shown relative to it
    assert main(["lint", str(tree)]) == 1
    assert capsys.readouterr().out.startswith("entries/acme-lint/")


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--list-rules"]) == 0
    out = capsys.readouterr().out
    assert "KB403  example-not-matched" in out and "KB101" in out


def test_progress_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.gen_corpus import generate

    root = tmp_path / "entries"
    generate(1000, root)
    monkeypatch.setattr("kb.commands.lint.progress_enabled", lambda: True)
    assert main(["lint", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "\rkb lint: 500 files checked" in err and "1,000 files checked" in err
    assert err.rstrip().endswith("All checks passed (1000 files checked).")
    monkeypatch.setattr("kb.commands.lint.progress_enabled", lambda: False)
    assert main(["lint", str(root)]) == 0
    assert "\r" not in capsys.readouterr().err


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--explain", "kb403"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# KB403 example-not-matched\n")
    assert "## What" in out and "## Example" in out
    assert main(["lint", "--explain", "KB999"]) == 2
    assert "unknown rule code" in capsys.readouterr().err
