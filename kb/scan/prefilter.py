"""Find candidate lines for many signatures at once with one Aho-Corasick automaton.

Every signature contributes a literal fragment (``kb.matching.required_literal``) that
each text it matches contains. One pass of the automaton over a lower-cased block finds
the lines that contain any fragment; only those lines are matched for real, and only
against the signatures whose fragments they contain. Signatures without a fragment are
tried on every line (slow, so their number is reported).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import ahocorasick_rs

from kb.matching import CompiledSignature, required_literal


class Prefilter:
    """Fragments of a set of signatures, and which signatures each fragment stands for."""

    def __init__(self, signatures: Sequence[CompiledSignature]) -> None:
        self.signatures = list(signatures)
        self.unfiltered: list[int] = []
        self.fragment_of: list[str | None] = []
        by_fragment: dict[bytes, list[int]] = {}
        for index, sig in enumerate(self.signatures):
            fragment = required_literal(sig)
            self.fragment_of.append(fragment)
            if fragment is None or not fragment.isascii():
                # bytes.lower() folds ASCII only, so only ASCII fragments are safe here
                self.unfiltered.append(index)
                continue
            by_fragment.setdefault(fragment.encode(), []).append(index)
        self.fragments = sorted(by_fragment)
        self._owners = [by_fragment[f] for f in self.fragments]
        self._automaton = (
            ahocorasick_rs.BytesAhoCorasick(
                self.fragments, matchkind=ahocorasick_rs.MATCHKIND_STANDARD
            )
            if self.fragments
            else None
        )

    def hits(self, lowered: bytes) -> list[tuple[int, int, int]]:
        """Non-overlapping ``(fragment, start, end)`` hits: enough to find candidate lines."""
        if self._automaton is None:
            return []
        return self._automaton.find_matches_as_indexes(lowered)

    def candidates(self, lowered_line: bytes) -> Iterable[int]:
        """Indexes of the signatures whose fragments occur in one lower-cased line."""
        if self._automaton is None:
            return ()
        found: set[int] = set()
        for fragment, _, _ in self._automaton.find_matches_as_indexes(
            lowered_line, overlapping=True
        ):
            found.update(self._owners[fragment])
        return sorted(found)
