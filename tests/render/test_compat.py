"""Version-compatibility tables follow from the conditions."""

from __future__ import annotations

import re

from kb.models import Condition
from kb.render.compat import Dimension, ReleaseStatus, dimensions, list_table, matrix_table, tables


def _cells(table: str) -> list[list[str]]:
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table)
    return [re.findall(r'data-status="([a-z-]+)"', r) for r in rows]


def test_single_package_statuses() -> None:
    dim = dimensions(
        [
            Condition(
                package="acme-db",
                specifier=">=4.1.0,<4.1.3",
                fixed="4.1.3",
                releases=["4.2.0", "4.0.9", "4.1.0", "4.1.3"],
            )
        ]
    )[0]
    assert dim.releases == ("4.0.9", "4.1.0", "4.1.3", "4.2.0")
    assert [dim.status(r) for r in dim.releases] == [
        ReleaseStatus.NOT_AFFECTED,
        ReleaseStatus.AFFECTED,
        ReleaseStatus.FIXED,
        ReleaseStatus.FIXED,
    ]
    table = list_table(dim)
    assert _cells(table) == [["not-affected"], ["affected"], ["fixed"], ["fixed"]]
    assert table.count('scope="col"') == 2
    # Readable without colour: the word is in the cell, and the symbol is hidden from
    # screen readers, which read the release in its place.
    assert '> affected<span class="kb-sr-only"> (acme-db 4.1.0)</span>' in table
    assert 'aria-hidden="true"' in table


def test_matrix_cell_is_affected_only_when_both_hold() -> None:
    rows, cols = dimensions(
        [
            Condition(
                package="flask", specifier="<2.2.5", fixed="2.2.5", releases=["2.2.4", "2.2.5"]
            ),
            Condition(package="werkzeug", specifier=">=3.0", releases=["2.3.8", "3.0.0"]),
        ]
    )
    table = matrix_table(rows, cols)
    assert _cells(table) == [["not-affected", "affected"], ["fixed", "fixed"]]
    assert '<th scope="col">werkzeug 3.0.0</th>' in table
    assert '<th scope="row">flask 2.2.4</th>' in table
    assert "(flask 2.2.4 with werkzeug 3.0.0)" in table


def test_python_is_a_dimension_like_a_package() -> None:
    dims = dimensions(
        [
            Condition(package="acme", specifier=">=1", releases=["1.0"]),
            Condition(package="python", specifier=">=3.12", releases=["3.11", "3.12"]),
        ]
    )
    out = tables(dims)
    assert len(out) == 1
    assert '<th scope="col">Python 3.12</th>' in out[0]
    assert _cells(out[0]) == [["not-affected", "affected"]]


def test_three_conditions_give_a_matrix_and_a_list() -> None:
    dims = dimensions(
        [
            Condition(package="a", specifier="<2", releases=["1"]),
            Condition(package="b", specifier=">=5", releases=["5"]),
            Condition(package="python", specifier=">=3.12", releases=["3.12"]),
        ]
    )
    out = tables(dims)
    assert [re.search(r'data-kind="(\w+)"', t).group(1) for t in out] == ["matrix", "list"]  # type: ignore[union-attr]


def test_releases_fall_back_to_versions_named_by_the_specifier() -> None:
    dim = dimensions([Condition(package="a", specifier=">=1.0,<1.4", fixed="1.4")])[0]
    assert dim.releases == ("1.0", "1.4")


def test_known_releases_fill_in_when_the_entry_lists_none() -> None:
    dim = dimensions([Condition(package="a", specifier="<2")], {"a": ["2.0", "1.0"]})[0]
    assert dim.releases == ("1.0", "2.0")


def test_bad_versions_are_unknown_not_errors() -> None:
    dim = Dimension("a", "not a spec", None, ("1.0",))
    assert dim.status("1.0") is ReleaseStatus.UNKNOWN
    dim = Dimension("a", ">=1", "nope", ("0.5", "banana"))
    assert dim.status("0.5") is ReleaseStatus.UNKNOWN
    assert dim.status("banana") is ReleaseStatus.UNKNOWN
    assert "unknown" in list_table(dim)


def test_cells_kb_verify_ran_are_marked_with_what_it_saw() -> None:
    from kb.render.compat import verified_legend, verified_runs
    from kb.verify.record import RunRecord, Verification

    dims = dimensions(
        [
            Condition(package="acme-web", specifier="<2.3", fixed="2.3", releases=["2.2", "2.3"]),
            Condition(package="python", specifier=">=3.11", releases=["3.10.4", "3.11.9"]),
        ]
    )
    runs = [
        RunRecord((("acme-web", "2.2"),), "3.11.7", "affected", "affected", "ImportError: x"),
        RunRecord((("acme-web", "2.3"),), "3.11.7", "not-affected", "affected", "ImportError: x"),
        RunRecord((("acme-web", "2.2"),), "3.10.4", "not-affected", "inconclusive", None, "needs"),
    ]
    verification = Verification(
        "acme-web-1",
        "sha256:x",
        "2026-11-30",
        "0.1.0",
        "CPython 3.11.7",
        "linux-x86_64",
        "uv",
        runs,
    )
    table = tables(dims, verified_runs(verification))[0]
    verified = re.findall(r'data-status="([a-z-]+)" data-verified="([a-z-]+)"', table)
    # the 3.11 column on this machine's 3.11.7; the inconclusive 3.10 run marks nothing
    assert verified == [("affected", "affected"), ("fixed", "affected")]
    assert "(verified)" in table and "(kb verify saw: affected)" in table
    assert table.count(' kb-verified"') == 2
    legend = verified_legend(verification)
    assert "CPython 3.11.7" in legend and "2026-11-30" in legend and "2 of 3 runs" in legend
    assert "kb-verified" not in tables(dims)[0]


def test_a_run_stands_for_releases_of_its_minor_version_on_its_side_of_a_bound() -> None:
    from kb.render.compat import verified_legend, verified_runs
    from kb.verify.record import RunRecord, Verification

    dims = dimensions(
        [Condition(package="python", specifier=">=3.12.4", releases=["3.12.3", "3.12.4", "3.13.0"])]
    )
    runs = [
        # 3.12.1 is before the bound: it says nothing of 3.12.4
        RunRecord((), "3.12.1", "not-affected", "not-affected", None),
        RunRecord((), "3.13.0", "affected", "affected", "TypeError: x"),
    ]
    verification = Verification(
        "acme-web-1", "sha256:x", "2026-12-03", "0.1.0", "CPython 3.11.7", "linux-x86_64", "uv",
        runs,
    )  # fmt: skip
    table = tables(dims, verified_runs(verification))[0]
    rows = re.findall(r"<tr><th scope=\"row\">Python ([0-9.]+)</th>(.*?)</tr>", table)
    marked = {release: "kb-verified" in cells for release, cells in rows}
    assert marked == {"3.12.3": True, "3.12.4": False, "3.13.0": True}
    assert "kb verify saw" not in table
    # the legend names the interpreters the runs used, not only the one running kb verify
    assert "ran the reproduction on CPython 3.12.1, 3.13.0 (linux-x86_64)" in verified_legend(
        verification
    )
