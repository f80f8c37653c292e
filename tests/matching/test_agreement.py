"""Search, check, scan, the site and the exports read one evaluation of an entry's versions.

The fixture entry gains an alternative condition set (acme-login < 0.7 with acme-util >= 3.0,
as Flask-Login 0.6.2 joins Flask < 2.2.4 in breaking on Werkzeug 3); for each environment
every command must give the same answer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from kb.check import known_of, verdict
from kb.environment import Environment
from kb.lint import run_lint
from kb.loader import load_file
from kb.matching import Applicability
from kb.render.entry_page import render
from kb.render.exports import osv_record
from kb.search import Searcher, open_index, understand
from tests.conftest import FIXTURE_KB

ID = "acme-web-12-removed-url-quote"
ERROR = "ImportError: cannot import name 'url_quote' from 'acme_util.urls'"
LINUX = {"sys_platform": "linux", "python_version": "3.11", "python_full_version": "3.11.7"}
A, N, U = Applicability.AFFECTED, Applicability.NOT_AFFECTED, Applicability.UNKNOWN


@pytest.fixture(scope="module")
def entries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kb") / "entries"
    shutil.copytree(FIXTURE_KB, root)
    path = root / "acme-web" / f"{ID}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["affected"]["alternatives"] = [
        {
            "conditions": [
                {"package": "acme-login", "specifier": "<0.7", "fixed": "0.7"},
                {"package": "acme-util", "specifier": ">=3.0"},
            ]
        }
    ]
    schema_line = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(schema_line + "\n" + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("packages", "expected"),
    [
        ({"acme-web": "2.2", "acme-util": "3.0"}, A),  # the first set
        ({"acme-web": "2.4", "acme-login": "0.6", "acme-util": "3.1"}, A),  # the alternative
        ({"acme-web": "2.4", "acme-login": "0.7", "acme-util": "3.1"}, N),  # both fixed
        ({"acme-web": "2.4", "acme-util": "3.1"}, N),  # acme-login not installed
        ({"acme-web": "2.2", "acme-util": "2.9"}, N),  # acme-util before the removal
    ],
)
def test_check_and_search_agree(
    entries: Path, tmp_path: Path, packages: dict[str, str], expected: Applicability
) -> None:
    env = Environment("test", dict(packages), "3.11.7", dict(LINUX))
    loaded, problems = load_file(entries / "acme-web" / f"{ID}.yaml")
    assert loaded is not None, problems
    assert verdict(loaded, env).applies is expected
    searcher = Searcher(open_index(entries, tmp_path / "cache"))
    hit = searcher.search(understand(ERROR), versions=known_of(env)).hits[0]
    assert (hit.id, hit.applies) == (ID, expected)


def test_versions_named_by_hand_leave_the_rest_unknown(entries: Path, tmp_path: Path) -> None:
    searcher = Searcher(open_index(entries, tmp_path / "cache"))
    hit = searcher.search(understand(ERROR), versions={"acme-web": "2.4", "acme-util": "3.1"})
    # acme-login is not named, so the alternative may hold
    assert hit.hits[0].applies is U


def test_the_alternative_is_linted_shown_and_exported(entries: Path) -> None:
    findings = run_lint([entries / "acme-web"]).findings
    assert [str(f) for f in findings if f.code.startswith("KB5")] == []
    loaded, _ = load_file(entries / "acme-web" / f"{ID}.yaml")
    assert loaded is not None
    page = render(loaded.entry, yaml_path=f"entries/acme-web/{ID}.yaml", edit_url=None, titles={})
    assert "Or, also affected when" in page
    assert 'data-package="acme-login"' in page or 'data-rows="acme-login"' in page
    osv = osv_record(loaded.entry)
    assert {a["package"]["name"] for a in osv["affected"]} == {
        "acme-web",
        "acme-util",
        "acme-login",
    }
    assert json.dumps(osv["database_specific"]["alternatives"]).count("acme-login") == 1


def test_a_bad_alternative_is_reported_at_its_line(entries: Path, tmp_path: Path) -> None:
    root = tmp_path / "entries"
    shutil.copytree(entries, root)
    path = root / "acme-web" / f"{ID}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("specifier: <0.7", "specifier: 0.7 or older"),
        encoding="utf-8",
    )
    findings = [f for f in run_lint([root]).findings if f.code == "KB501"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [lines[f.location.line - 1].strip() for f in findings] == ["specifier: 0.7 or older"]
