"""Find candidate lines for many signatures at once with one Aho-Corasick automaton.

Each signature is represented by one word that every text it matches must contain: one
of its certain words (``kb.matching.certain_words``, the words search anchors on), chosen
to be the rarest among all signatures so that a candidate line is verified against few
signatures. Single words, not phrases, so that a line with two
spaces where the signature has one is still a candidate. When no such word exists the
signature's ``kb.matching.required_literal`` is used; without either, the signature is
tried on every line (slow, so their number is reported).

One pass of a DFA automaton over a lower-cased block finds the candidate
lines; a second, overlapping automaton lists every word on a candidate line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import ahocorasick_rs

from kb.matching import CompiledSignature, choose_fragment, required_literal, scan_words


class Prefilter:
    """The fragment chosen for each signature, and which signatures each fragment stands for."""

    def __init__(
        self,
        signatures: Sequence[CompiledSignature],
        fragments: Sequence[str | None] | None = None,
    ) -> None:
        """``fragments``, when given, is the fragment the catalog chose for each signature
        (:func:`kb.matching.choose_fragment`); ``signatures`` may then be a sequence that
        builds each signature when it is first asked for."""
        self.signatures = signatures
        self.unfiltered: list[int] = []
        if fragments is None:
            options = [scan_words(sig) for sig in signatures]
            frequency = Counter(word for words in options for word in words)
            fragments = [
                choose_fragment(words, required_literal(sig), frequency)
                for sig, words in zip(signatures, options, strict=True)
            ]
        self.fragment_of: list[str | None] = list(fragments)
        by_fragment: dict[bytes, list[int]] = {}
        for index, fragment in enumerate(self.fragment_of):
            if fragment is None or not fragment.isascii():
                # bytes.lower() folds ASCII only, so only ASCII fragments are safe here
                self.unfiltered.append(index)
                continue
            by_fragment.setdefault(fragment.encode(), []).append(index)
        self.fragments = sorted(by_fragment)
        self._owners = [by_fragment[f] for f in self.fragments]
        self._first = self._all = None
        if self.fragments:
            # the DFA costs more to build but scans about twice as fast as the NFAs
            self._first = ahocorasick_rs.BytesAhoCorasick(
                self.fragments,
                matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
                implementation=ahocorasick_rs.Implementation.DFA,
            )
            self._all = ahocorasick_rs.BytesAhoCorasick(
                self.fragments, matchkind=ahocorasick_rs.MATCHKIND_STANDARD
            )

    def hits(self, lowered: bytes) -> list[tuple[int, int, int]]:
        """Non-overlapping ``(fragment, start, end)`` hits: enough to find candidate lines."""
        if self._first is None:
            return []
        return self._first.find_matches_as_indexes(lowered)

    def owners(self, fragment: int) -> list[int]:
        """Indexes of the signatures that fragment ``fragment`` stands for."""
        return self._owners[fragment]

    def occurrences(self, lowered: bytes) -> list[tuple[int, int, int]]:
        """Every ``(fragment, start, end)``, overlapping ones included."""
        if self._all is None:
            return []
        return self._all.find_matches_as_indexes(lowered, overlapping=True)

    def candidates(self, lowered_line: bytes) -> Iterable[int]:
        """Indexes of the signatures whose fragments occur in one lower-cased line."""
        if self._all is None:
            return ()
        found: set[int] = set()
        for fragment, _, _ in self._all.find_matches_as_indexes(lowered_line, overlapping=True):
            found.update(self._owners[fragment])
        return sorted(found)
