"""A scan from the catalog (stored fragments, signatures built on demand) finds what a scan
of the loaded entries finds."""

from __future__ import annotations

import io
from pathlib import Path

from kb.catalog.refresh import open_index
from kb.loader import load_tree
from kb.scan import prefilter_of_catalog, scan, signatures_of

ROOT = Path(__file__).resolve().parents[2]


def _log() -> bytes:
    """Every example and near miss of the bundled entries, one a line, among noise."""
    import yaml

    lines = ["collecting ...", "all 12 tests passed"]
    for path in sorted((ROOT / "entries").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lines += [e["text"] for e in data.get("examples", [])]
        lines += [e["text"] for e in data.get("near_misses", [])]
    return "\n".join(lines).encode()


def test_the_catalog_scan_finds_what_a_scan_of_loaded_entries_finds(tmp_path: Path) -> None:
    log = _log()
    loaded = load_tree([ROOT / "entries"])
    signatures, _ = signatures_of(loaded.entries)
    direct = scan([("ci.log", io.BytesIO(log))], signatures)

    index = open_index(ROOT / "entries", tmp_path / "cache")
    prefilter, _ = prefilter_of_catalog(index.state)
    stored = scan([("ci.log", io.BytesIO(log))], prefilter.signatures, prefilter)

    def found(report: object) -> list[tuple[str, int, int]]:
        return [(f.entry_id, f.first_line, f.count) for f in report.findings]  # type: ignore[attr-defined]

    assert found(direct)  # the examples are found
    assert found(stored) == found(direct)
    # a signature is built only when a line calls for it
    assert len(prefilter.signatures._built) < len(prefilter.signatures)  # type: ignore[attr-defined]
