"""Finding known failures for a query: the exact-signature path first, full text second.

1. Exact: every signature is anchored on its rarest certain word; the query's words pick
   the few signatures worth verifying, and a verified match (regex, or normalized text)
   is the strongest evidence there is. Needs neither Whoosh nor pydantic.
2. Full text, only when nothing matched exactly: a Whoosh OR-query of the query's most
   distinctive terms over the entries' fields, re-scored by how much of the signature
   (for error text) or of the query (for a few words) the entry covers.

Versions (``--env``, ``--with``, or the Python seen in paths) decide whether each hit
applies; hits that do not apply rank below those that do, whatever their score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kb.catalog.cache import SignatureRow
from kb.catalog.records import condition_sets
from kb.catalog.refresh import Index
from kb.matching import (
    Applicability,
    CompiledSignature,
    Known,
    evaluate,
    fold,
    from_prepared,
)
from kb.normalize import normalize, tokens, words
from kb.search.query import QueryInfo
from kb.signature_words import identifying_words
from kb.startup import TYPE_CHECKING, NamedTuple, lazy_regex

if TYPE_CHECKING:
    from typing import Any

HIGH = "high"
MEDIUM = "medium"
LOW = "low"
_CONFIDENCE_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

MEDIUM_COVERAGE = 0.7
"""Full-text hits on error text covering at least this share of it are labelled medium."""
MEDIUM_WORDS_COVERAGE = 0.5
"""The same for a query of a few words, which rarely uses the entry's exact wording."""

MAX_TERMS = 8
FALLBACK_TERMS = 2
COMMON_SHARE = 0.01


class Hit:
    """One known failure found for the query."""

    __slots__ = ("applies", "confidence", "exact", "matched_line", "record", "score", "versions")

    def __init__(
        self,
        record: dict[str, Any],
        score: float,
        confidence: str,
        exact: bool,
        matched_line: str | None = None,
    ) -> None:
        self.record = record
        self.score = score
        self.confidence = confidence
        self.exact = exact
        self.matched_line = matched_line
        self.applies = Applicability.UNKNOWN
        self.versions: dict[str, str] = {}

    @property
    def id(self) -> str:
        return str(self.record["id"])

    def __repr__(self) -> str:
        return f"Hit({self.id!r}, score={self.score}, confidence={self.confidence!r})"


class SearchResult(NamedTuple):
    """The hits of one query, best first, and what was understood of it."""

    query: QueryInfo
    hits: list[Hit]
    versions: dict[str, str]

    @property
    def found(self) -> bool:
        """True when at least one hit is medium or high confidence."""
        return any(h.confidence != LOW for h in self.hits)


class Searcher:
    """Searches one open index; keeps compiled signatures between queries."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._compiled: dict[tuple[str, int], CompiledSignature | None] = {}
        self._sig_terms: dict[tuple[str, int], tuple[set[str], set[str]]] = {}
        self.untrusted: dict[str, list[str]] = {}
        """Entries whose signatures were left out because they fail lint, with why."""

    def _signature(self, row: SignatureRow) -> CompiledSignature | None:
        key = (row.entry_id, row.index)
        if key not in self._compiled:
            compiled = None
            # an entry whose signatures fail lint is found by full text only
            if not row.trusted:
                record = self.index.state.records.get(row.entry_id)
                self.untrusted[row.entry_id] = list(record["lint"]) if record else []
            elif row.data is not None:
                compiled = from_prepared(
                    row.entry_id, row.index, row.kind, row.text, row.exception, row.data
                )
            self._compiled[key] = compiled
        return self._compiled[key]

    def search(
        self,
        info: QueryInfo,
        *,
        limit: int = 5,
        packages: Sequence[str] = (),
        versions: Mapping[str, str] | Known | None = None,
    ) -> SearchResult:
        """Search for ``info``; ``packages`` narrows to entries involving one of them.

        ``versions`` are the versions to judge hits against: a mapping names some
        (a package it leaves out is unknown), a :class:`~kb.matching.Known` from an
        environment says all. The interpreter of a traceback fills in ``python``.
        """
        given = versions if isinstance(versions, Known) else Known(dict(versions or {}))
        known = dict(given.versions)
        if info.python and "python" not in known:
            known["python"] = info.python
        given = Known(known, given.markers, given.complete, given.problems)
        wanted = {p.lower().replace("_", "-") for p in packages}
        hits = self._keep(self._exact(info), wanted)
        if not hits:
            try:
                hits = self._keep(self._full_text(info, limit * 4), wanted)
            except Exception:  # a writer replaced segments mid-query: once more, fresh
                from kb.search import fulltext

                fulltext.reopen(self.index)
                hits = self._keep(self._full_text(info, limit * 4), wanted)
        seen = set(info.packages)
        for hit in hits:
            if seen & _packages_of(hit.record):
                hit.score = min(1.0, hit.score + 0.02)
            if known:
                evaluation = evaluate(condition_sets(hit.record), given)
                hit.applies = evaluation.applies
                hit.versions = {
                    r.package: r.version
                    for r in evaluation.deciding.conditions
                    if r.version is not None
                }
        hits.sort(
            key=lambda h: (
                h.applies is Applicability.NOT_AFFECTED,
                _CONFIDENCE_ORDER[h.confidence],
                -h.score,
                h.id,
            )
        )
        return SearchResult(query=info, hits=hits[:limit], versions=known)

    @staticmethod
    def _keep(hits: list[Hit], wanted: set[str]) -> list[Hit]:
        """The hits that involve one of the wanted packages (all of them when none is)."""
        return [h for h in hits if wanted & _packages_of(h.record)] if wanted else hits

    # -- exact signatures ------------------------------------------------------------

    def _exact(self, info: QueryInfo) -> list[Hit]:
        state = self.index.state
        text = info.text
        normalized = normalize(text)
        query_words = set(words(text)) | set(words(normalized))
        folded = fold(text)
        # judged by substrings (its normalized text, its regex's literals): most candidates
        # are ruled out by the catalog, before their regex is compiled
        candidates = state.candidates(query_words, folded, normalized)
        best: dict[str, Hit] = {}
        lines = info.failure_lines
        for row in candidates:
            sig = self._signature(row)
            entry_id = row.entry_id
            if sig is None or not sig.matches(text, normalized):
                continue
            line, position = _matching_line(sig, lines)
            # a match on the final exception line is the strongest; later lines beat earlier
            score = 0.9 + (0.05 * (position + 1) / len(lines) if lines else 0.0)
            if sig.exception and any(
                t == sig.exception or t.endswith("." + sig.exception.rsplit(".", 1)[-1])
                for t in info.exception_types
            ):
                score += 0.02
            score = round(min(score, 1.0), 4)
            record = state.records[entry_id]
            # a signature without a word of its own cannot identify a failure
            confidence = HIGH if identifying_words(sig.text) else MEDIUM
            current = best.get(entry_id)
            if current is None or (_CONFIDENCE_ORDER[confidence], -score) < (
                _CONFIDENCE_ORDER[current.confidence],
                -current.score,
            ):
                best[entry_id] = Hit(record, score, confidence, True, line)
        return list(best.values())

    # -- full text ---------------------------------------------------------------------

    def _full_text(self, info: QueryInfo, limit: int) -> list[Hit]:
        from kb.search import backend, fulltext

        reader = fulltext.reader(self.index)
        n_docs = max(reader.doc_count, 1)
        source = "\n".join(info.failure_lines) if info.failure_lines else info.text
        normalized = normalize(source)
        query_terms = list(dict.fromkeys(tokens(normalized)))
        query_words = set(words(normalized))
        dfs = {t: reader.df(t) for t in query_terms}
        present = [t for t in query_terms if dfs[t] > 0]
        if not present:
            return []
        common = max(20, int(n_docs * COMMON_SHARE))
        # the rarest terms decide; common ones ("cannot", "import") would make Whoosh score
        # thousands of entries for nothing, so they are used only when nothing rarer is there
        ranked = sorted(present, key=lambda t: (dfs[t], t))
        chosen = [t for t in ranked if dfs[t] <= common][:MAX_TERMS] or ranked[:FALLBACK_TERMS]
        query = backend.build_query(chosen, info.packages)
        raw_hits = reader.search(query, limit)

        import math

        def idf(term: str) -> float:
            return math.log(1 + n_docs / (1 + dfs.get(term, 0)))

        # words the KB has never seen count too: a query about something else covers little
        q_weight = sum(idf(t) for t in query_terms)
        hits: list[Hit] = []
        top_bm25 = max((bm25 for _, bm25, _ in raw_hits), default=1.0) or 1.0
        for entry_id, bm25, bag in raw_hits:
            record = self.index.state.records.get(entry_id)
            if record is None:
                continue
            query_cov = sum(idf(t) for t in query_terms if t in bag) / q_weight if q_weight else 0.0
            if info.is_error_text:
                sig_cov = self._signature_coverage(
                    record, set(query_terms), query_words, reader, n_docs
                )
                coverage = 0.7 * sig_cov + 0.3 * query_cov
                threshold = MEDIUM_COVERAGE
            else:
                coverage = query_cov
                threshold = MEDIUM_WORDS_COVERAGE
            confidence = MEDIUM if coverage >= threshold else LOW
            # coverage decides the label; BM25F (signatures and titles weigh most) breaks
            # near-ties between entries that mention the same words
            score = round(0.85 * (0.8 * coverage + 0.2 * bm25 / top_bm25), 4)
            hits.append(Hit(record, score, confidence, False))
        return hits

    def _signature_coverage(
        self,
        record: dict[str, Any],
        query_terms: set[str],
        query_words: set[str],
        reader: Any,
        n_docs: int,
    ) -> float:
        """Best share (idf-weighted) of a signature's terms that the query contains.

        A signature whose quoted names (``'url_quote'``, ``'proxies'``) are not all in the
        query, as whole words, covers nothing: a different name in the same message is a
        different failure (``'float128'`` is not ``'float'``).
        """
        import math

        best = 0.0
        for idx, sig in enumerate(record["signatures"]):
            terms, key = self._terms(record["id"], idx, sig["text"])
            if not terms or not key <= query_words:
                continue
            weights = {t: math.log(1 + n_docs / (1 + reader.df(t))) for t in terms}
            total = sum(weights.values())
            got = sum(w for t, w in weights.items() if t in query_terms)
            best = max(best, got / total if total else 0.0)
        return best

    def _terms(self, entry_id: str, idx: int, text: str) -> tuple[set[str], set[str]]:
        key = (entry_id, idx)
        if key not in self._sig_terms:
            normalized = normalize(text)
            quoted = " ".join(m.group(1) or m.group(2) for m in _QUOTED().finditer(normalized))
            self._sig_terms[key] = (set(tokens(normalized)), set(words(quoted)))
        return self._sig_terms[key]


_QUOTED = lazy_regex(r"'([^'\n]+)'|\"([^\"\n]+)\"")


def _packages_of(record: dict[str, Any]) -> set[str]:
    return {record["package"], *(c.package for s in condition_sets(record) for c in s.conditions)}


def _matching_line(sig: CompiledSignature, lines: list[str]) -> tuple[str | None, int]:
    """The last failure line the signature matches, and its position."""
    for position in range(len(lines) - 1, -1, -1):
        if sig.matches(lines[position]):
            return lines[position], position
    return None, -1
