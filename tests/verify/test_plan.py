"""Which combinations verify tests, and what the entry expects of each (pure, no installs)."""

from __future__ import annotations

from kb.verify.plan import (
    Combination,
    Condition,
    Expected,
    combinations,
    combinations_of_sets,
    picks,
)
from kb.verify.releases import from_list

FLASK = Condition("flask", "<2.2.4", "2.2.4", ("2.2.2", "2.2.4", "3.0.0"))
WERKZEUG = Condition("werkzeug", ">=3.0", None, ("2.3.8", "3.0.0", "3.1.3"))


def _table(combos: list[Combination]) -> list[tuple[str, str, str]]:
    return [(c.label(), c.python, c.expected.value) for c in combos]


def test_picks_listed_releases_fixed_and_bounds_with_their_predecessors() -> None:
    assert picks(FLASK) == ["2.2.2", "2.2.4", "3.0.0"]
    assert picks(WERKZEUG) == ["2.3.8", "3.0.0", "3.1.3"]
    # with the real release list, the release before the fix is the real previous one
    releases = ["2.2.0", "2.2.2", "2.2.3", "2.2.4", "2.2.5", "3.0.0"]
    assert picks(FLASK, releases) == ["2.2.2", "2.2.3", "2.2.4", "3.0.0"]
    # a bound is spelled as the release it names
    assert picks(Condition("werkzeug", ">=3.0"), ["2.3.8", "3.0.0"]) == ["2.3.8", "3.0.0"]


def test_two_packages_give_the_affected_pair_the_fixed_pair_and_each_side_alone() -> None:
    combos = combinations([FLASK, WERKZEUG], "3.11.7")
    assert _table(combos) == [
        ("flask==2.2.2 werkzeug==2.3.8", "3.11.7", "not-affected"),
        ("flask==2.2.2 werkzeug==3.0.0", "3.11.7", "affected"),
        ("flask==2.2.2 werkzeug==3.1.3", "3.11.7", "affected"),
        ("flask==2.2.4 werkzeug==3.1.3", "3.11.7", "not-affected"),
        ("flask==3.0.0 werkzeug==3.1.3", "3.11.7", "not-affected"),
    ]


def test_the_release_source_adds_the_neighbours_of_each_bound() -> None:
    source = from_list({"werkzeug": ["2.3.7", "2.3.8", "3.0.0", "3.0.1"], "flask": []})
    combos = combinations([WERKZEUG], "3.11.7", source)
    assert [c.label() for c in combos] == [
        "werkzeug==2.3.8",
        "werkzeug==3.0.0",
        "werkzeug==3.1.3",
    ]


def test_interpreter_releases_are_tried_with_the_packages_at_their_anchors() -> None:
    python = Condition("python", ">=3.12", None, ("3.11.7", "3.12.0"))
    pkg = Condition("setuptools", "<66.1.0", "66.1.0", ("65.5.0",))
    combos = combinations([pkg, python], "3.11.2")
    assert _table(combos) == [
        ("setuptools==65.5.0", "3.11.2", "not-affected"),
        ("setuptools==65.5.0", "3.12.0", "affected"),
        ("setuptools==66.1.0", "3.11.2", "not-affected"),
    ]


def test_an_interpreter_only_entry_has_one_run_per_minor_version() -> None:
    combos = combinations([Condition("python", ">=3.10", None, ("3.9.18", "3.11.7"))], "3.11.2")
    assert [(c.python, c.expected) for c in combos] == [
        ("3.9.18", Expected.NOT_AFFECTED),
        ("3.10", Expected.AFFECTED),
        ("3.11.2", Expected.AFFECTED),
    ]


def test_every_condition_set_is_planned_once_and_judged_by_all_of_them() -> None:
    first = [Condition("acme-lint", ">=3.0,<3.2", None, ("2.9", "3.0"))]
    second = [Condition("acme-lint", ">=3.2", None, ("3.2", "3.3"))]
    judged: list[str] = []

    def judge(packages: tuple[tuple[str, str], ...], python: str) -> Expected:
        judged.append(dict(packages)["acme-lint"])
        return (
            Expected.AFFECTED
            if packages[0][1] in ("3.0", "3.1", "3.2", "3.3")
            else (Expected.NOT_AFFECTED)
        )

    combos = combinations_of_sets([first, second], "3.11.7", judge)
    # 3.2 is a bound of both sets: planned once, judged once
    assert _table(combos) == [
        ("acme-lint==2.9", "3.11.7", "not-affected"),
        ("acme-lint==3.0", "3.11.7", "affected"),
        ("acme-lint==3.2", "3.11.7", "affected"),
        ("acme-lint==3.3", "3.11.7", "affected"),
    ]
    assert sorted(judged) == ["2.9", "3.0", "3.2", "3.3"]
