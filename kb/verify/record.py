"""The verification file: ``entries/<pkg>/<id>.verified.json``, evidence committed with the entry.

Deterministic (sorted keys, runs in version order, no timings, no absolute paths), so
running ``kb verify`` again on the same machine rewrites the same bytes unless an outcome
changed. It carries a hash of what the results depend on (the reproduction's language,
code and requirements, the conditions' packages, ranges, fixed and listed releases, the
marker and the signatures), so that ``kb verify --check`` and lint can tell when an entry
changed after it was verified. Reading never raises: a malformed file is a problem value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.models import ConditionSet, Entry

FORMAT = 1
"""Version of the verification file format."""

SUFFIX = ".verified.json"
"""File name suffix of a verification file, beside the entry's ``.yaml``."""

OUTCOMES = ("affected", "not-affected", "inconclusive")
EXPECTATIONS = ("affected", "not-affected")


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One combination as tested: its releases, what the entry expects, what was seen."""

    packages: tuple[tuple[str, str], ...]
    python: str
    expected: str
    outcome: str
    matched: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The run as it is stored."""
        return {
            "packages": dict(self.packages),
            "python": self.python,
            "expected": self.expected,
            "outcome": self.outcome,
            "matched": self.matched,
            "reason": self.reason,
        }

    @property
    def contradicts(self) -> bool:
        """Affected where the entry expects not affected, or not affected inside the range."""
        return self.outcome not in ("inconclusive", self.expected)


@dataclass(slots=True)
class Verification:
    """Everything a verification file says."""

    entry: str
    hash: str
    date: str
    kb: str
    interpreter: str
    platform: str
    installer: str
    runs: list[RunRecord] = field(default_factory=list)
    not_run: str | None = None
    """Why the reproduction was not run at all (a ``text`` one, or one that needs a machine
    this is not), else None."""

    def to_json(self) -> str:
        """The file's text: sorted keys, two-space indent, one trailing newline."""
        data = {
            "format": FORMAT,
            "entry": self.entry,
            "hash": self.hash,
            "date": self.date,
            "kb": self.kb,
            "interpreter": self.interpreter,
            "platform": self.platform,
            "installer": self.installer,
            "not_run": self.not_run,
            "runs": [r.to_json() for r in self.runs],
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def path_for(entry_path: Path) -> Path:
    """``entries/flask/x.yaml`` -> ``entries/flask/x.verified.json``."""
    return entry_path.with_name(entry_path.stem + SUFFIX)


def entry_hash(entry: Entry) -> str:
    """A hash of what verification results depend on (not prose, notes or setup)."""
    repro = entry.reproduction
    data = {
        "reproduction": None
        if repro is None
        else {
            "language": repro.language.value,
            "code": repro.code,
            "requirements": list(repro.requirements),
            "needs": repro.needs,
            # absent when unset: hashes of the entries without one stay as they were
            **({"python": repro.python} if repro.python else {}),
        },
        "conditions": _conditions(entry.affected),
        "marker": entry.affected.marker,
        "signatures": [
            {"kind": s.kind.value, "text": s.text, "regex": s.regex} for s in entry.signatures
        ],
    }
    if entry.affected.alternatives:  # absent otherwise: hashes of entries without any stay
        data["alternatives"] = [
            {"conditions": _conditions(alt), "marker": alt.marker}
            for alt in entry.affected.alternatives
        ]
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _conditions(conditions: ConditionSet) -> list[dict[str, Any]]:
    return [
        {
            "package": c.package,
            "specifier": c.specifier,
            "fixed": c.fixed,
            "releases": list(c.releases),
        }
        for c in conditions.conditions
    ]


class Malformed(Exception):
    """A verification file that cannot be read as one; the message says what is wrong."""


def parse(text: str) -> Verification:
    """A :class:`Verification` from a file's text; raises :class:`Malformed`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Malformed(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict):
        raise Malformed("not a JSON object")
    if data.get("format") != FORMAT:
        raise Malformed(f"format: expected {FORMAT}, got {data.get('format')!r}")
    strings = ("entry", "hash", "date", "kb", "interpreter", "platform", "installer")
    for key in strings:
        if not isinstance(data.get(key), str):
            raise Malformed(f"{key}: missing or not a string")
    not_run = data.get("not_run")
    if not_run is not None and not isinstance(not_run, str):
        raise Malformed("not_run: not a string")
    raw_runs = data.get("runs")
    if not isinstance(raw_runs, list):
        raise Malformed("runs: missing or not a list")
    runs = [_run(i, r) for i, r in enumerate(raw_runs)]
    entry, hash_, date, kb, interpreter, platform, installer = (data[k] for k in strings)
    return Verification(
        entry, hash_, date, kb, interpreter, platform, installer, runs=runs, not_run=not_run
    )


def _run(i: int, raw: object) -> RunRecord:
    where = f"runs[{i}]"
    if not isinstance(raw, Mapping):
        raise Malformed(f"{where}: not an object")
    packages = raw.get("packages")
    if not isinstance(packages, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in packages.items()
    ):
        raise Malformed(f"{where}.packages: not an object of name -> version")
    if not isinstance(raw.get("python"), str):
        raise Malformed(f"{where}.python: missing or not a string")
    if raw.get("expected") not in EXPECTATIONS:
        raise Malformed(f"{where}.expected: one of {', '.join(EXPECTATIONS)}")
    if raw.get("outcome") not in OUTCOMES:
        raise Malformed(f"{where}.outcome: one of {', '.join(OUTCOMES)}")
    for key in ("matched", "reason"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise Malformed(f"{where}.{key}: not a string")
    if raw["outcome"] == "affected" and not raw.get("matched"):
        raise Malformed(f"{where}: affected without the output line that matched")
    return RunRecord(
        tuple(sorted(packages.items())),
        raw["python"],
        raw["expected"],
        raw["outcome"],
        raw.get("matched"),
        raw.get("reason"),
    )


def read(path: Path) -> Verification | None:
    """The verification file at ``path``; None when there is none; raises :class:`Malformed`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise Malformed(f"cannot read: {exc}") from None
    return parse(text)


def fresh(entry: Entry, entry_path: Path) -> Verification | None:
    """The entry's verification when there is one for the entry as it is now, else None
    (none, malformed or stale: the site then shows only the declared ranges)."""
    try:
        found = read(path_for(entry_path))
    except Malformed:
        return None
    if found is None or found.hash != entry_hash(entry) or found.entry != entry.id:
        return None
    return found
