"""Search: find the known failure behind an error line, a traceback, a log or a few words.

``search_text`` is the one-call API; :class:`Searcher` over :func:`open_index` serves many
queries against one index (benchmarks, long-running tools).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from kb.catalog.cache import Progress
from kb.catalog.refresh import Index, RefreshReport, open_index
from kb.catalog.trust import untrusted_warnings
from kb.matching import Known
from kb.search.engine import HIGH, LOW, MEDIUM, Hit, Searcher, SearchResult
from kb.search.query import QueryInfo, decode_query, understand

__all__ = [
    "HIGH",
    "LOW",
    "MEDIUM",
    "Hit",
    "Index",
    "QueryInfo",
    "RefreshReport",
    "SearchResult",
    "Searcher",
    "decode_query",
    "open_index",
    "search_text",
    "understand",
]


def search_text(
    text: str,
    entries_dir: Path,
    *,
    limit: int = 5,
    packages: Sequence[str] = (),
    versions: Mapping[str, str] | Known | None = None,
    cache: Path | None = None,
    truncated_from: int | None = None,
    progress: Progress | None = None,
) -> tuple[SearchResult, RefreshReport]:
    """Search ``text`` in the entries of ``entries_dir`` (index refreshed as needed;
    ``progress(done, total)`` is called for each entry indexed on the way)."""
    report = RefreshReport()
    info = understand(text, truncated_from)
    index = open_index(entries_dir, cache, report=report, progress=progress)
    try:
        searcher = Searcher(index)
        result = searcher.search(info, limit=limit, packages=packages, versions=versions)
        if index.changed(h.record["path"] for h in result.hits):
            # a big catalog is judged fresh by its directories: a hit's file was rewritten
            # in place since it was indexed, so bring every file up to date and search again
            index.close()
            index = open_index(entries_dir, cache, full_check=True, progress=progress)
            searcher = Searcher(index)
            result = searcher.search(info, limit=limit, packages=packages, versions=versions)
        report.problems = index.state.problems()
    finally:
        index.close()
    report.warnings.extend(untrusted_warnings(searcher.untrusted))
    return result, report
