"""JSON exports, OSV records, the Atom feed and the search index."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.models import Condition
from kb.normalize import normalize
from kb.render import exports, feed, search_index

from .conftest import fixture_sources

ENTRIES = sorted((s.entry for s in fixture_sources()), key=lambda e: e.id)
BY_ID = {e.id: e for e in ENTRIES}


@pytest.mark.parametrize(
    ("specifier", "fixed", "events"),
    [
        ("<2.3", "2.3", [{"introduced": "0"}, {"fixed": "2.3"}]),
        (">=3.0", None, [{"introduced": "3.0"}]),
        (">=3.0", "3.2", [{"introduced": "3.0"}, {"fixed": "3.2"}]),
        (">=4.1.0,<4.1.3", "4.1.3", [{"introduced": "4.1.0"}, {"fixed": "4.1.3"}]),
        ("<=1.5", None, [{"introduced": "0"}, {"last_affected": "1.5"}]),
        ("==2.0", None, [{"introduced": "2.0"}, {"last_affected": "2.0"}]),
        ("not a specifier", None, [{"introduced": "0"}]),
    ],
)
def test_osv_events(specifier: str, fixed: str | None, events: list[dict[str, str]]) -> None:
    cond = Condition(package="p", specifier=specifier, fixed=fixed)
    assert exports.osv_events(cond) == events


def test_osv_record_keeps_python_out_of_affected() -> None:
    record = exports.osv_record(BY_ID["acme-cli-3-term5-python312-color"])
    assert [a["package"]["name"] for a in record["affected"]] == ["acme-cli", "acme-term"]
    assert record["affected"][0]["versions"] == ["1.8", "1.9"]
    conditions = record["database_specific"]["conditions"]
    assert {"package": "python", "specifier": ">=3.12", "releases": ["3.11", "3.12", "3.13"]} in (
        conditions
    )
    assert record["modified"] == "2026-03-05T00:00:00Z"
    assert record["references"][0] == {
        "type": "REPORT",
        "url": "https://example.com/acme/acme-cli/issues/3",
    }
    assert record["database_specific"]["fixes"][0]["requires"] == "acme-cli>=2.0"


def test_entries_json_has_versions_and_every_entry() -> None:
    data = json.loads(exports.entries_json(list(reversed(ENTRIES))))
    assert data["schema_version"] >= 1 and data["count"] == len(ENTRIES)
    assert [e["id"] for e in data["entries"]] == [e.id for e in ENTRIES]
    assert data["entries"][0]["url"] == "entries/acme-cli/acme-cli-3-term5-python312-color/"


def test_feed_orders_by_last_change_and_escapes() -> None:
    text = feed.atom(ENTRIES, site_url=None, title="kb <feed>", size=2)
    root = ET.fromstring(text)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.findtext("a:title", namespaces=ns) == "kb <feed>"
    entries = root.findall("a:entry", ns)
    assert len(entries) == 2
    assert [e.findtext("a:updated", namespaces=ns) for e in entries] == [
        "2026-03-05T00:00:00Z",
        "2026-02-15T00:00:00Z",
    ]
    assert root.findtext("a:updated", namespaces=ns) == "2026-03-05T00:00:00Z"


def test_search_index_carries_normalized_signatures_and_weights() -> None:
    data = json.loads(search_index.search_json(ENTRIES))
    doc = next(d for d in data["docs"] if d["id"] == "acme-web-12-removed-url-quote")
    sig = BY_ID["acme-web-12-removed-url-quote"].signatures[0]
    assert doc["sigs"][0]["n"] == normalize(sig.text)
    assert doc["sigs"][0]["re"] == sig.regex
    assert doc["w"]["url_quote"] == 4
    assert doc["w"]["acme_web"] == 2
    assert doc["w"]["installing"] == 1


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("items", [[], [{"b": [1, {"c": "é\n"}], "a": None}, 2, "q"], [{}]])
def test_json_in_chunks_is_the_whole_json(indent: int | None, items: list[object]) -> None:
    from kb.render.exports import json_chunks

    data = {"z": 1, "a": {"k": [True]}}
    whole = json.dumps(
        {**data, "items": items},
        ensure_ascii=False,
        indent=indent,
        sort_keys=True,
        separators=(",", ":") if indent is None else None,
    )
    assert "".join(json_chunks(data, "items", iter(items), indent=indent)) == whole + "\n"


def _json_dumps_indented(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def test_exports_of_every_entry_are_what_json_dumps_writes() -> None:
    from kb.loader import load_tree

    from .conftest import ROOT

    entries = [e.entry for e in load_tree([ROOT / "entries"]).entries] + ENTRIES
    assert len(entries) > 200
    for entry in entries:
        osv = exports.osv_record(entry)
        assert exports.osv_json(entry) == _json_dumps_indented(osv) + "\n", entry.id
        data = {"schema_version": exports.SCHEMA_VERSION, "entry": exports.entry_data(entry)}
        assert exports.entry_json(entry) == _json_dumps_indented(data) + "\n", entry.id


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_indented_json_is_json_dumps_with_indent(value: object) -> None:
    assert exports.indented_json(value) == _json_dumps_indented(value)


@pytest.mark.parametrize(
    "value", [{1: "a"}, {"a": {2.5: None}}, [{"a": 1}, {None: 1}], {"a": 1, "b": {"c"}}]
)
def test_indented_json_leaves_other_data_to_json_dumps(value: object) -> None:
    try:
        expected: object = _json_dumps_indented(value)
    except TypeError as exc:
        expected = type(exc)
    try:
        got: object = exports.indented_json(value)
    except TypeError as exc:
        got = type(exc)
    assert got == expected
