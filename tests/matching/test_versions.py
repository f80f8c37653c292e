"""Version matching: condition sets, alternatives, markers and absent packages."""

from __future__ import annotations

import pytest

from kb.matching import (
    Applicability,
    Condition,
    ConditionSet,
    Known,
    at_or_past,
    contains,
    evaluate,
    versions_in_range,
)

FLASK = ConditionSet((Condition("Flask", "<2.2.5", "2.2.5"), Condition("werkzeug", ">=3.0")))
FLASK_LOGIN = ConditionSet(
    (Condition("flask-login", "<0.6.3", "0.6.3"), Condition("werkzeug", ">=3.0"))
)
WINDOWS = ConditionSet((Condition("acme", ">=1.0"),), marker='sys_platform == "win32"')

A, N, U = Applicability.AFFECTED, Applicability.NOT_AFFECTED, Applicability.UNKNOWN


@pytest.mark.parametrize(
    ("versions", "verdict"),
    [
        ({"flask": "2.2.2", "werkzeug": "3.0.1"}, A),
        ({"flask": "2.2.5", "werkzeug": "3.0.1"}, N),
        ({"flask": "2.2.2", "werkzeug": "2.3.8"}, N),
        ({"flask": "2.2.2"}, U),
        ({"flask": "2.3.0"}, N),
        ({"flask": "not-a-version", "werkzeug": "3.0.0"}, U),
        ({"flask": "2.2.2", "werkzeug": "3.1.0rc1"}, A),
    ],
)
def test_every_condition_of_a_set_must_hold(
    versions: dict[str, str], verdict: Applicability
) -> None:
    evaluation = evaluate([FLASK], Known(versions))
    assert evaluation.applies is verdict
    assert [r.package for r in evaluation.deciding.conditions] == ["flask", "werkzeug"]


def test_an_absent_package_is_unknown_in_a_partial_list_and_not_installed_in_a_complete_one() -> (
    None
):
    partial = evaluate([FLASK], Known({"flask": "2.2.2"}))
    complete = evaluate([FLASK], Known({"flask": "2.2.2"}, complete=True))
    assert partial.applies is U
    assert complete.applies is N
    assert complete.deciding.not_installed == ("werkzeug",)


def test_a_version_with_a_problem_stays_unknown_even_in_a_complete_list() -> None:
    known = Known({"flask": "2.2.2"}, complete=True, problems={"werkzeug": "not pinned"})
    result = evaluate([FLASK], known)
    assert result.applies is U
    assert result.deciding.reasons == ["werkzeug: not pinned"]


def test_any_alternative_set_is_enough() -> None:
    sets = [FLASK, FLASK_LOGIN]
    login_only = Known(
        {"flask": "3.0.0", "flask-login": "0.6.2", "werkzeug": "3.0.1"}, complete=True
    )
    evaluation = evaluate(sets, login_only)
    assert evaluation.applies is A
    assert evaluation.sets[0].applies is N
    assert evaluation.deciding is evaluation.sets[1]
    fixed = Known({"flask": "3.0.0", "flask-login": "0.6.3", "werkzeug": "3.0.1"}, complete=True)
    assert evaluate(sets, fixed).applies is N


def test_an_unknown_alternative_keeps_the_entry_unknown() -> None:
    known = Known({"flask": "3.0.0", "werkzeug": "3.0.1"})  # flask-login unknown
    assert evaluate([FLASK, FLASK_LOGIN], known).applies is U


@pytest.mark.parametrize(
    ("markers", "verdict"),
    [
        ({"sys_platform": "win32"}, A),
        ({"sys_platform": "linux"}, N),
        (None, U),
    ],
)
def test_the_marker_of_a_set_must_hold(
    markers: dict[str, str] | None, verdict: Applicability
) -> None:
    assert evaluate([WINDOWS], Known({"acme": "1.2"}, markers)).applies is verdict


def test_a_marker_is_not_evaluated_when_a_version_already_excludes() -> None:
    result = evaluate([WINDOWS], Known({"acme": "0.9"}))
    assert result.applies is N
    assert result.deciding.reasons == []


def test_a_bad_specifier_or_a_huge_version_is_unknown_not_an_error() -> None:
    bad_spec = ConditionSet((Condition("x", "~~1"),))
    assert evaluate([bad_spec], Known({"x": "1.0"})).applies is U
    huge = "1" * 5000
    assert contains(">=1.0", huge) is None
    assert at_or_past(huge, "1.0") is None
    assert evaluate([FLASK], Known({"flask": huge, "werkzeug": "3.0"})).applies is U


def test_single_release_helpers() -> None:
    assert contains("<2.2.5", "2.2.4") is True
    assert contains("<2.2.5", "2.2.5") is False
    assert at_or_past("2.2.5", "2.2.5") is True
    assert at_or_past("2.2.4", "2.2.5") is False
    assert versions_in_range(">=3.0", ["2.3.8", "3.0.0", "3.1.0rc1"]) == {
        "2.3.8": False,
        "3.0.0": True,
        "3.1.0rc1": True,
    }


def test_condition_sets_round_trip_through_their_plain_form() -> None:
    for s in (FLASK, WINDOWS):
        assert ConditionSet.from_data(s.to_data()) == s


@pytest.mark.parametrize(
    "name",
    [
        "Flask",
        "flask_login",
        "Flask.Login",
        "zope.interface",
        "a--b__c..d",
        "ruamel.yaml.clib",
        "python",
    ],
)
def test_canonical_names_are_pep_503_as_packaging_gives_them(name: str) -> None:
    from packaging.utils import canonicalize_name

    from kb.matching import canonical

    assert canonical(name) == str(canonicalize_name(name))


def test_interpreter_versions_decided_beforehand_agree_with_packaging() -> None:
    """What the catalog keeps of each ``python`` specifier of the shipped entries answers
    every interpreter version a traceback can show as packaging does, within any set."""
    import yaml

    from kb.matching.versions import PYTHON_MINORS, python_inside
    from tests.conftest import ENTRIES

    specs = {
        c["specifier"]
        for path in ENTRIES.rglob("*.yaml")
        for data in [yaml.safe_load(path.read_text(encoding="utf-8"))["affected"]]
        for conditions in [
            data["conditions"],
            *(a["conditions"] for a in data.get("alternatives", [])),
        ]
        for c in conditions
        if c["package"] == "python"
    }
    assert len(specs) >= 5
    specs |= {">=3.8,!=3.9.*", "~=3.10.0", "==3.*", ">3.10.0rc1", "nonsense"}
    for spec in sorted(specs):
        inside = python_inside(spec)
        decided = ConditionSet.from_data(
            {"conditions": [{"package": "python", "specifier": spec, "fixed": None}]},
            {spec: inside} if inside is not None else None,
        )
        plain = ConditionSet((Condition("python", spec),))
        for version in [*PYTHON_MINORS, "3.10.4", "3.12.0rc1", "2.7"]:
            known = Known({"python": version})
            assert evaluate([decided], known) == evaluate([plain], known), (spec, version)
        if inside is not None:
            assert [contains(spec, v) for v in PYTHON_MINORS] == [
                bool(inside >> minor & 1) for minor in range(len(PYTHON_MINORS))
            ]
