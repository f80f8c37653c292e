"""The catalog: built on first use, refreshed incrementally, rebuilt when broken, read
while another process writes it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kb.catalog import cache as store
from kb.search import RefreshReport, Searcher, fulltext, open_index, understand

URL_QUOTE = "ImportError: cannot import name 'url_quote' from 'acme_util.urls'"


def refresh(root: Path, cache: Path, **kwargs: object) -> RefreshReport:
    report = RefreshReport()
    open_index(root, cache, report=report, **kwargs).close()  # type: ignore[arg-type]
    return report


def state_file(root: Path, cache: Path) -> Path:
    return store.index_dir(root, cache) / store.STATE_NAME


def stored_rows(root: Path, cache: Path, query: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(state_file(root, cache))
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def stored_meta(root: Path, cache: Path) -> dict[str, object]:
    return dict(stored_rows(root, cache, "SELECT key, value FROM meta"))  # type: ignore[arg-type]


def top(root: Path, cache: Path, text: str) -> list[str]:
    index = open_index(root, cache)
    try:
        return [h.id for h in Searcher(index).search(understand(text)).hits]
    finally:
        index.close()


def test_first_use_builds_then_nothing_is_rewritten(fixture_kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert refresh(fixture_kb, cache).added == 2
    before = state_file(fixture_kb, cache).stat().st_mtime_ns
    report = refresh(fixture_kb, cache)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 2)
    assert state_file(fixture_kb, cache).stat().st_mtime_ns == before


def test_one_changed_entry_is_reindexed_alone(fixture_kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    refresh(fixture_kb, cache)
    path = next(fixture_kb.glob("acme-web/*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("'url_quote'", "'url_quote_plus'", 1), encoding="utf-8")
    report = refresh(fixture_kb, cache)
    assert (report.updated, report.unchanged, report.rebuilt) == (1, 1, False)
    assert (
        top(fixture_kb, cache, "cannot import name 'url_quote_plus' from 'acme_util.urls'")[0]
        == "acme-web-12-removed-url-quote"
    )


def test_a_one_entry_change_is_made_in_place(fixture_kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    refresh(fixture_kb, cache)
    before = state_file(fixture_kb, cache).stat().st_ino
    db = sqlite3.connect(state_file(fixture_kb, cache))
    other = "SELECT anchor, data FROM sigs WHERE id = 'acme-http-7-client-proxies-removed'"
    untouched = db.execute(other).fetchall()
    db.close()
    path = next(fixture_kb.glob("acme-web/*.yaml"))
    path.write_text(
        path.read_text(encoding="utf-8").replace("'url_quote'", "'url_quote_plus'", 1),
        encoding="utf-8",
    )
    assert refresh(fixture_kb, cache).updated == 1
    # the same database file, changed in place; the other entry's rows as they were
    assert state_file(fixture_kb, cache).stat().st_ino == before
    db = sqlite3.connect(state_file(fixture_kb, cache))
    assert db.execute(other).fetchall() == untouched
    db.close()


def big_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fixture KB count as big: freshness by directory stamps only."""
    monkeypatch.setattr(store, "FULL_CHECK_LIMIT", 1)


def test_a_big_catalog_sees_added_and_removed_files_by_their_directories(
    fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big_catalog(monkeypatch)
    cache = tmp_path / "cache"
    refresh(fixture_kb, cache)
    assert open_index(fixture_kb, cache).quick
    path = next(fixture_kb.glob("acme-web/*.yaml"))
    moved = fixture_kb / "acme-moved" / path.name
    moved.parent.mkdir()
    path.rename(moved)
    report = refresh(fixture_kb, cache)
    assert (report.added, report.removed) == (1, 1)
    assert top(fixture_kb, cache, URL_QUOTE) == ["acme-web-12-removed-url-quote"]


def big_catalog_rewritten_in_place(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A big catalog of ``root`` (its cache), then one entry file rewritten in place: its
    directory's stamp does not change. The url_quote entry now names url_quote_plus."""
    big_catalog(monkeypatch)
    cache = tmp_path / "cache"
    refresh(root, cache)
    path = next(root.glob("acme-web/*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("'url_quote'", "'url_quote_plus'", 1), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    return cache


def test_a_big_catalog_checks_the_files_of_its_hits(
    fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.search import search_text

    cache = big_catalog_rewritten_in_place(fixture_kb, tmp_path, monkeypatch)
    assert refresh(fixture_kb, cache).updated == 0  # directory stamps: nothing changed
    result, _ = search_text(URL_QUOTE, fixture_kb, cache=cache)
    # the hit's own file was newer than its record: indexed again before answering
    assert not any(h.exact for h in result.hits)
    result, _ = search_text(
        "ImportError: cannot import name 'url_quote_plus' from 'acme_util.urls'",
        fixture_kb,
        cache=cache,
    )
    assert result.hits[0].id == "acme-web-12-removed-url-quote"


def test_kb_index_compares_every_file_of_a_big_catalog(
    fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = big_catalog_rewritten_in_place(fixture_kb, tmp_path, monkeypatch)
    assert refresh(fixture_kb, cache, full_check=True).updated == 1


def test_touched_but_unchanged_entry_is_not_reindexed(fixture_kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    refresh(fixture_kb, cache)
    path = next(fixture_kb.glob("acme-web/*.yaml"))
    os.utime(path, ns=(1, 1))
    report = refresh(fixture_kb, cache)
    assert (report.updated, report.unchanged) == (0, 2)


def test_removed_entry_drops_out(fixture_kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert top(fixture_kb, cache, URL_QUOTE) == ["acme-web-12-removed-url-quote"]
    next(fixture_kb.glob("acme-web/*.yaml")).unlink()
    report = refresh(fixture_kb, cache)
    assert report.removed == 1
    assert "acme-web-12-removed-url-quote" not in top(fixture_kb, cache, URL_QUOTE)


def test_new_normalizer_version_rebuilds(
    fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    refresh(fixture_kb, cache)
    monkeypatch.setattr(store, "NORMALIZER_VERSION", store.NORMALIZER_VERSION + 1)
    report = refresh(fixture_kb, cache)
    assert report.added == 2
    assert stored_meta(fixture_kb, cache)["normalizer"] == str(store.NORMALIZER_VERSION)


@pytest.mark.parametrize("damage", ["state", "whoosh"])
def test_damaged_index_is_detected_and_rebuilt(
    fixture_kb: Path, tmp_path: Path, damage: str
) -> None:
    cache = tmp_path / "cache"
    words = "acme client proxies argument removed"
    top(fixture_kb, cache, words)  # builds the catalog and the full-text index
    directory = store.index_dir(fixture_kb, cache)
    if damage == "state":
        (directory / store.STATE_NAME).write_bytes(b'{"format": 1, "trunc')
    else:
        (whoosh,) = directory.glob(store.WHOOSH_PREFIX + "*")
        for path in whoosh.iterdir():
            if path.is_file():
                path.write_bytes(b"\x00garbage" * 10)
    # a full-text query needs Whoosh, so the damage cannot hide behind the exact path
    assert top(fixture_kb, cache, words)[0] == "acme-http-7-client-proxies-removed"


def test_read_only_cache_falls_back_to_memory(fixture_kb: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        report = RefreshReport()
        index = open_index(fixture_kb, cache, report=report)
        assert index.in_memory
        assert "cannot write the index cache" in report.warnings[0]
        hits = Searcher(index).search(understand(URL_QUOTE)).hits
        assert hits[0].id == "acme-web-12-removed-url-quote"
    finally:
        cache.chmod(0o700)


def _refuse_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog's directory cannot be written (a read-only file system)."""
    import errno

    open_writer = store.open_writer

    def refuse(directory: Path | None, *args: object, **kwargs: object) -> object:
        if directory is not None:
            raise OSError(errno.EROFS, "Read-only file system")
        return open_writer(directory, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "open_writer", refuse)


def test_write_failure_falls_back_to_memory(
    fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    _refuse_writing(monkeypatch)
    report = RefreshReport()
    index = open_index(fixture_kb, tmp_path / "cache", report=report)
    assert index.in_memory
    assert "Read-only file system" in report.warnings[0]
    assert Searcher(index).search(understand(URL_QUOTE)).hits[0].exact


def test_invalid_entry_is_skipped_and_reported(fixture_kb: Path, tmp_path: Path) -> None:
    (fixture_kb / "acme-web" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    index = open_index(fixture_kb, tmp_path / "cache")
    problems = index.state.problems()
    assert len(problems) == 1
    assert "broken.yaml:2" in problems[0]
    assert Searcher(index).search(understand(URL_QUOTE)).hits[0].exact


def test_search_while_another_process_reindexes(fixture_kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    refresh(fixture_kb, cache)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kb.search import fulltext, open_index\n"
            "for _ in range(15): open_index(Path(sys.argv[1]), Path(sys.argv[2]), rebuild=True)",
            str(fixture_kb),
            str(cache),
        ]
    )
    try:
        seen = 0
        while writer.poll() is None or seen == 0:
            assert top(fixture_kb, cache, "acme client proxies argument removed")[0] == (
                "acme-http-7-client-proxies-removed"
            )
            seen += 1
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0


def _kill_when(writer: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    """Kill ``writer`` with SIGKILL as soon as ``ready()`` holds (or after a minute)."""
    import signal
    import time

    deadline = time.monotonic() + 60
    while not ready() and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    writer.send_signal(signal.SIGKILL)
    writer.wait()


def test_catalog_left_by_a_killed_writer_is_rebuilt(tmp_path: Path) -> None:
    from bench.gen_corpus import generate, queries

    root = tmp_path / "entries"
    generate(400, root)
    cache = tmp_path / "cache"
    directory = store.index_dir(root, cache)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kb.search import fulltext, open_index\n"
            "open_index(Path(sys.argv[1]), Path(sys.argv[2]))",
            str(root),
            str(cache),
        ]
    )
    wal = directory / (store.STATE_NAME + "-wal")

    def writing() -> bool:
        try:
            return wal.stat().st_size > 64 * 1024
        except OSError:
            return False

    # kill it in the middle of its transaction
    _kill_when(writer, writing)
    assert writer.returncode == -9
    text, expected = queries(400)[123]
    index = open_index(root, cache)
    try:
        assert len(index.state.records) == 400
        assert Searcher(index).search(understand(text)).hits[0].id == expected
        assert fulltext.reader(index).doc_count == 400
    finally:
        index.close()


def test_full_text_index_left_by_a_killed_writer_is_rebuilt(tmp_path: Path) -> None:
    from bench.gen_corpus import generate

    root = tmp_path / "entries"
    generate(400, root)
    cache = tmp_path / "cache"
    refresh(root, cache)
    directory = store.index_dir(root, cache)
    assert not list(directory.glob(store.WHOOSH_PREFIX + "*"))  # the catalog needs none
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kb.search import fulltext, open_index\n"
            "fulltext.reader(open_index(Path(sys.argv[1]), Path(sys.argv[2])))",
            str(root),
            str(cache),
        ]
    )
    _kill_when(writer, lambda: bool(list(directory.glob(store.WHOOSH_PREFIX + "*/*.seg"))))
    index = open_index(root, cache)
    try:
        assert fulltext.reader(index).doc_count == 400
    finally:
        index.close()


def test_full_text_follows_a_changed_entry(fixture_kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    words = "acme client proxies argument removed"
    assert top(fixture_kb, cache, words)[0] == "acme-http-7-client-proxies-removed"
    path = next(fixture_kb.glob("acme-http/*.yaml"))
    path.unlink()
    assert "acme-http-7-client-proxies-removed" not in top(fixture_kb, cache, words)
    index = open_index(fixture_kb, cache)
    try:
        assert fulltext.reader(index).doc_count == 1
    finally:
        index.close()


def test_a_looping_symlinked_entry_file_is_skipped(fixture_kb: Path, tmp_path: Path) -> None:
    loop = fixture_kb / "acme-web" / "loop.yaml"
    os.symlink(loop, loop)
    index = open_index(fixture_kb, tmp_path / "cache")
    assert len(index.state.records) == 2
    assert Searcher(index).search(understand(URL_QUOTE)).hits[0].exact


def test_a_build_shared_among_worker_processes_gives_the_same_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.gen_corpus import generate
    from kb.catalog import refresh as refresh_module

    root = tmp_path / "entries"
    generate(60, root)
    (root / "dup").mkdir()
    first = sorted(root.rglob("*.yaml"))[0]
    (root / "dup" / "copy.yaml").write_bytes(first.read_bytes())  # a duplicate id
    (root / "dup" / "broken.yaml").write_text("id: [\n", encoding="utf-8")

    def contents(cache: Path) -> tuple[object, ...]:
        index = open_index(root, cache)
        state = index.state
        records = {i: state.records[i] for i in state.records}
        return records, state.anchors(), sorted(state.problems()), state.doc_hashes()

    import threading

    serial = contents(tmp_path / "serial")
    assert threading.active_count() == 1  # else the build would not share out its entries
    monkeypatch.setattr(refresh_module, "PARALLEL_MIN", 1)
    monkeypatch.setattr(refresh_module.os, "cpu_count", lambda: 2)
    assert contents(tmp_path / "parallel") == serial
    assert any("duplicate id" in p for p in serial[2])  # type: ignore[union-attr]


def _index_in_a_daemon(args: tuple[str, str]) -> int:
    from kb.catalog import refresh as refresh_module

    refresh_module.PARALLEL_MIN = 1
    index = open_index(Path(args[0]), Path(args[1]))
    return len(index.state.records)


def test_a_build_inside_a_daemonic_worker_runs_in_that_process(
    fixture_kb: Path, tmp_path: Path
) -> None:
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        (count,) = pool.map(_index_in_a_daemon, [(str(fixture_kb), str(tmp_path / "cache"))])
    assert count == 2


def test_a_big_catalog_that_cannot_be_written_is_built_whole_in_memory(
    fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    big_catalog(monkeypatch)
    cache = tmp_path / "cache"
    refresh(fixture_kb, cache)
    path = next(fixture_kb.glob("acme-web/*.yaml"))
    shutil.copy(path, path.with_name("copy.yaml"))  # its directory's stamp changes
    _refuse_writing(monkeypatch)
    index = open_index(fixture_kb, cache)
    assert index.in_memory
    # every entry, not only those of the directory that changed (the copy is a duplicate)
    assert len(index.state.records) == 2
    assert Searcher(index).search(understand(URL_QUOTE)).hits[0].exact


def test_an_entry_changed_within_one_timestamp_tick_of_its_reading_is_read_again(
    fixture_kb: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    path = next(fixture_kb.glob("acme-web/*.yaml"))
    text = path.read_text(encoding="utf-8")
    stamp = time.time_ns() + 10**9  # as recent as a stamp gets: the refresh starts before it
    os.utime(path, ns=(stamp, stamp))
    refresh(fixture_kb, cache)
    # a second save in the same tick: same size, same stamp, new content
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    assert "acme-web" in title
    path.write_text(text.replace(title, title.replace("acme-web", "ACME-WEB"), 1), "utf-8")
    os.utime(path, ns=(stamp, stamp))
    assert refresh(fixture_kb, cache).updated == 1
    records = stored_rows(fixture_kb, cache, "SELECT data FROM records")
    assert any("ACME-WEB" in str(data) for (data,) in records)


def test_stamps_older_than_the_refresh_are_trusted(fixture_kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    refresh(fixture_kb, cache)
    catalog = store.read_catalog(store.index_dir(fixture_kb, cache), str(fixture_kb.resolve()))
    assert catalog is not None
    try:
        assert catalog.quick_fresh(fixture_kb)
    finally:
        catalog.close()


def test_the_catalog_rules_out_candidates_as_could_match_does(tmp_path: Path) -> None:
    """What SQLite rules out (normalized text, a regex's longest literal) is exactly what
    kb.matching.could_match would, for every example of every shipped entry."""
    import yaml

    from kb.matching import could_match
    from kb.normalize import normalize, words
    from tests.conftest import ENTRIES

    index = open_index(ENTRIES, tmp_path / "cache")
    every = stored_rows(
        ENTRIES, tmp_path / "cache", "SELECT id, idx, anchor, data, trusted FROM sigs"
    )
    try:
        texts = [
            example["text"]
            for path in sorted(ENTRIES.rglob("*.yaml"))
            for example in yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]
        ]
        assert len(texts) > 400
        for text in texts:
            normalized = normalize(text)
            wanted = set(words(text)) | set(words(normalized)) | {store.UNANCHORED}
            folded = text.casefold()
            expected = {
                (entry_id, idx)
                for entry_id, idx, anchor, data, trusted in every
                if anchor in wanted
                and (
                    not trusted
                    or (data is not None and could_match(store.decode(data), folded, normalized))
                )
            }
            found = index.state.candidates(wanted, folded, normalized)
            assert {(r.entry_id, r.index) for r in found} == expected, text
    finally:
        index.close()


def test_without_the_sqlite_extension_under_its_name_the_package_serves(
    fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    assert store.sqlite_driver().connect is sqlite3.connect
    monkeypatch.setitem(sys.modules, "_sqlite3", None)  # importing it raises ImportError
    assert store.sqlite_driver() is sqlite3
    assert top(fixture_kb, cache, URL_QUOTE)[0] == "acme-web-12-removed-url-quote"
