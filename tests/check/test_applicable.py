"""Which entries apply to an environment: every condition, the interpreter and the marker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kb.catalog.loaded import load_catalog
from kb.check import Ignore, applicable, verdict
from kb.environment import Environment, from_file
from kb.loader import LoadedEntry
from kb.matching import Applicability
from tests.conftest import ROOT

ENTRIES = ROOT / "tests" / "fixtures" / "scan" / "entries"
LOCKFILES = ROOT / "tests" / "fixtures" / "lockfiles"
URL_QUOTE = "fixture-flask-werkzeug-url-quote"
WIN = "fixture-acme-win-only"
LINUX = {"sys_platform": "linux", "python_version": "3.11", "python_full_version": "3.11.7"}


@pytest.fixture(scope="module")
def catalog() -> list[LoadedEntry]:
    loaded, result = load_catalog(ENTRIES)
    assert result.problems == []
    return list(loaded)


def _env(
    python: str | None = "3.11.7", markers: dict[str, str] | None = None, **pkgs: str
) -> Environment:
    return Environment(
        "test",
        {k.replace("_", "-"): v for k, v in pkgs.items()},
        python,
        dict(LINUX if markers is None else markers),
    )


def test_an_entry_applies_when_all_its_packages_are_in_range(catalog: list[LoadedEntry]) -> None:
    report = applicable(catalog, _env(flask="2.2.2", werkzeug="3.0.1"))
    assert [v.entry_id for v in report.applies] == [URL_QUOTE]
    found = report.applies[0]
    assert [(c.package, c.version) for c in found.conditions] == [
        ("flask", "2.2.2"),
        ("werkzeug", "3.0.1"),
    ]
    assert found.fix == "Upgrade Flask to 2.2.4 or later."
    assert found.requires == "flask>=2.2.4"
    assert found.fixed == [("flask", "2.2.4")]


@pytest.mark.parametrize(
    "pkgs",
    [
        {"flask": "2.2.4", "werkzeug": "3.0.1"},  # the fixed release
        {"flask": "2.2.2", "werkzeug": "2.3.8"},  # the other package out of range
        {"flask": "2.2.2"},  # werkzeug not installed at all
        {"flask": "3.1.0", "werkzeug": "3.1.3"},  # current releases
    ],
)
def test_an_entry_does_not_apply_when_one_condition_fails(
    catalog: list[LoadedEntry], pkgs: dict[str, str]
) -> None:
    report = applicable(catalog, _env(**pkgs))
    assert report.applies == []
    assert report.may_apply == []


def test_every_real_lockfile_format_makes_the_entry_apply(catalog: list[LoadedEntry]) -> None:
    for path in sorted(p for p in LOCKFILES.iterdir() if p.name != "README.md"):
        report = applicable(catalog, from_file(path))
        assert [v.entry_id for v in report.applies] == [URL_QUOTE], path.name


def test_an_unpinned_package_makes_the_entry_may_apply_not_applies(
    catalog: list[LoadedEntry],
) -> None:
    env = _env(flask="2.2.2")
    env.problems["werkzeug"] = "not pinned (>=2)"
    report = applicable(catalog, env)
    assert report.applies == []
    assert [v.entry_id for v in report.may_apply] == [URL_QUOTE]
    assert report.may_apply[0].reasons == ["werkzeug: not pinned (>=2)"]


def test_a_version_that_is_not_pep_440_is_reported_not_crashed_on(
    catalog: list[LoadedEntry],
) -> None:
    env = _env(flask="2.2.2", werkzeug="3.0.1-custom_build+")
    env.problems["werkzeug"] = "version '3.0.1-custom_build+' is not PEP 440"
    report = applicable(catalog, env)
    assert [v.entry_id for v in report.may_apply] == [URL_QUOTE]
    assert "not PEP 440" in report.may_apply[0].reasons[0]


def test_the_platform_marker_and_interpreter_must_hold(catalog: list[LoadedEntry]) -> None:
    windows = dict(LINUX, sys_platform="win32")
    assert [
        v.entry_id for v in applicable(catalog, _env(acme_win="1.2", markers=windows)).applies
    ] == [WIN]
    assert applicable(catalog, _env(acme_win="1.2")).applies == []
    old = dict(windows, python_version="3.7", python_full_version="3.7.16")
    assert applicable(catalog, _env(python="3.7.16", acme_win="1.2", markers=old)).applies == []


def test_unknown_interpreter_or_platform_is_may_apply(catalog: list[LoadedEntry]) -> None:
    no_python = applicable(catalog, _env(python=None, markers={}, acme_win="1.2"))
    assert [v.entry_id for v in no_python.may_apply] == [WIN]
    assert no_python.may_apply[0].reasons[0] == "interpreter version unknown"
    no_platform = applicable(catalog, _env(markers={}, acme_win="1.2"))
    assert "platform unknown" in no_platform.may_apply[0].reasons[0]


def test_ignores_with_reason_expiry_and_unknown_ids(catalog: list[LoadedEntry]) -> None:
    env = _env(flask="2.2.2", werkzeug="3.0.1")
    today = dt.date(2026, 6, 1)
    keep = Ignore(URL_QUOTE, "we never import flask.helpers", dt.date(2026, 6, 1))
    report = applicable(catalog, env, [keep, Ignore("no-such-entry", "typo")], today)
    assert report.applies == []
    assert [(v.entry_id, i.reason) for v, i in report.ignored] == [
        (URL_QUOTE, "we never import flask.helpers")
    ]
    assert [i.id for i in report.unknown_ignores] == ["no-such-entry"]
    later = applicable(catalog, env, [keep], dt.date(2026, 6, 2))
    assert [v.entry_id for v in later.applies] == [URL_QUOTE]
    assert later.expired == [keep]


def test_a_release_at_or_after_the_fix_is_flagged_as_a_possible_regression(
    catalog: list[LoadedEntry],
) -> None:
    by_id = {e.entry.id: e for e in catalog}
    fixed = verdict(by_id[URL_QUOTE], _env(flask="2.3.0", werkzeug="3.0.1"))
    assert fixed.applies is Applicability.NOT_AFFECTED
    assert fixed.regression
    absent = verdict(by_id[URL_QUOTE], _env())
    assert not absent.regression
    assert absent.not_installed == ("flask", "werkzeug")


def test_the_report_is_sorted_by_id_and_serialisable(
    catalog: list[LoadedEntry], tmp_path: Path
) -> None:
    import json

    env = _env(flask="2.2.2", werkzeug="3.0.1", openai="1.54.0", httpx="0.28.1")
    report = applicable(reversed(catalog), env)
    assert [v.entry_id for v in report.applies] == sorted(v.entry_id for v in report.applies)
    data = json.loads(json.dumps(report.to_dict()))
    assert [a["id"] for a in data["applies"]] == [URL_QUOTE, "fixture-openai-httpx-proxies"]
    assert data["applies"][0]["fixed_in"] == [{"package": "flask", "version": "2.2.4"}]


def test_an_entry_without_a_fixing_release_is_listed_apart(catalog: list[LoadedEntry]) -> None:
    # an API removed for good fails only where code calls it: versions do not decide it
    report = applicable(catalog, _env(acme_lib="2.1"))
    assert report.applies == []
    assert [v.entry_id for v in report.if_used] == ["fixture-acme-lib-helper-removed"]
    assert applicable(catalog, _env(acme_lib="1.9")).if_used == []
