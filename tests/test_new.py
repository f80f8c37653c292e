"""``kb new``: a schema-valid skeleton at the right place, never over an existing file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kb.cli import main
from kb.errors import UsageError
from kb.lint import run_lint
from kb.loader import load_file
from kb.scaffold import create, derive_id

ISSUE = "https://github.com/acme/acme-web/issues/5264"


@pytest.fixture
def entries(tmp_path: Path) -> Path:
    root = tmp_path / "entries"
    root.mkdir()
    return root


def test_writes_a_schema_valid_skeleton(entries: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "Acme_Web", "--issue", ISSUE, "--entries", str(entries)]) == 0
    path = entries / "acme-web" / "acme-web-5264.yaml"
    out, err = capsys.readouterr()
    assert out.strip().endswith("acme-web/acme-web-5264.yaml")
    assert "fill in:" in err and "signatures" in err and "KB607" in err
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../schema/entry.schema.json"
    loaded, problems = load_file(path)
    assert problems == []
    assert loaded is not None
    assert loaded.entry.id == "acme-web-5264"
    assert loaded.entry.package == "acme-web"
    assert loaded.entry.created == dt.date.today()
    assert loaded.entry.evidence.references[0].url == ISSUE


def test_lint_flags_every_placeholder_left(entries: Path) -> None:
    path = create(entries, "acme-web", ISSUE)
    report = run_lint([entries])
    placeholders = [p for p in report.findings if p.code == "KB607"]
    assert len(placeholders) == path.read_text(encoding="utf-8").count("FILL IN")
    assert all(p.location.line > 1 for p in placeholders)


def test_explicit_id(entries: Path) -> None:
    path = create(entries, "acme-web", ISSUE, "acme-web-5264-url-quote-removed")
    assert path == entries / "acme-web" / "acme-web-5264-url-quote-removed.yaml"
    assert run_lint([entries], select=["KB301", "KB302", "KB304"]).findings == []


def test_refuses_to_overwrite(entries: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = create(entries, "acme-web", ISSUE)
    path.write_text("# my work\n", encoding="utf-8")
    assert main(["new", "acme-web", "--issue", ISSUE, "--entries", str(entries)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "refusing to overwrite" in err
    assert path.read_text(encoding="utf-8") == "# my work\n"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize(
    "url", ["ftp://example.com/issues/1", "example.com/issues/1", "https:///1", "https://a b/1"]
)
def test_rejects_a_bad_issue_url(
    url: str, entries: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "acme-web", "--issue", url, "--entries", str(entries)]) == 2
    assert "--issue" in capsys.readouterr().err
    assert list(entries.iterdir()) == []


@pytest.mark.parametrize("bad_id", ["Acme-Web-1", "-x", "x_y", "a" * 121])
def test_rejects_a_bad_id(bad_id: str, entries: Path) -> None:
    with pytest.raises(UsageError, match="--id"):
        create(entries, "acme-web", ISSUE, bad_id)


def test_rejects_a_bad_package(entries: Path) -> None:
    with pytest.raises(UsageError, match="not a package name"):
        create(entries, "../etc", ISSUE)


def test_id_from_the_issue_url() -> None:
    assert derive_id("flask", "https://github.com/pallets/flask/issues/5264") == "flask-5264"
    assert derive_id("python", "https://bugs.python.org/issue37324") == "python-37324"
    assert derive_id("x", "https://example.com/x/pull/007#c3") == "x-7"
    with pytest.raises(UsageError, match="--id"):
        derive_id("x", "https://example.com/discussion/abc")


def test_issue_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["new", "acme-web"])
    assert exc.value.code == 2
    assert "--issue" in capsys.readouterr().err
