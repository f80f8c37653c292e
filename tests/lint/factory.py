"""A clean entry as a dict, and helpers that write variants of it into a temporary tree."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from kb.lint import LintReport, run_lint

MODELINE = "# yaml-language-server: $schema=../../schema/entry.schema.json\n"

BASE: dict[str, Any] = {
    "id": "acme-lint-41-parse-frame-removed",
    "package": "acme-lint",
    "title": "acme-lint 3.0 removed parse_frame",
    "summary": "acme-lint 3.0 removed parse_frame; callers fail at import. Upgrade acme-app.",
    "tags": ["import-error", "removed-api"],
    "created": "2025-03-01",
    "last_verified": "2025-04-01",
    "signatures": [
        {
            "kind": "exception",
            "text": "ImportError: cannot import name 'parse_frame' from 'acme_lint.codec'",
            "regex": "cannot import name '(?:parse_frame|parse_frames)' from 'acme_lint\\.codec'",
            "exception": "ImportError",
        }
    ],
    "examples": [
        {
            "kind": "line",
            "text": "ImportError: cannot import name 'parse_frame' from 'acme_lint.codec' "
            "(/srv/app/.venv/lib/python3.11/site-packages/acme_lint/codec.py)",
            "source": "https://example.com/acme/acme-lint/issues/41",
        },
        {
            "kind": "traceback",
            "text": "Traceback (most recent call last):\n"
            '  File "/srv/app/main.py", line 3, in <module>\n'
            "    from acme_lint.codec import parse_frames\n"
            "ImportError: cannot import name 'parse_frames' from 'acme_lint.codec'\n",
        },
    ],
    "near_misses": [
        {
            "text": "ImportError: cannot import name 'parse_header' from 'acme_lint.codec'",
            "why": "parse_header was removed later; another entry.",
        }
    ],
    "affected": {
        "conditions": [
            {"package": "acme-lint", "specifier": ">=3.0", "releases": ["2.9", "3.0"]},
            {
                "package": "acme-app",
                "specifier": "<1.4",
                "fixed": "1.4",
                "releases": ["1.3", "1.4"],
            },
        ]
    },
    "status": "fixed-in-dependents",
    "fixes": [
        {
            "kind": "upgrade",
            "summary": "Upgrade acme-app to 1.4.",
            "steps": ["`pip install 'acme-app>=1.4'`"],
            "requires": "acme-app>=1.4",
            "when_not_to_use": "When acme-app is pinned below 1.4.",
        }
    ],
    "what_broke": "Importing acme-app fails.",
    "why": "acme-app imported a helper that acme-lint removed.",
    "trigger": "Upgrading acme-lint to 3.0.",
    "reproduction": {"language": "python", "code": "from acme_lint.codec import parse_frame\n"},
    "verify": "`python -c 'import acme_app'` succeeds.",
    "evidence": {
        "references": [
            {"kind": "issue", "url": "https://example.com/acme/acme-lint/issues/41"},
            {"kind": "fix", "url": "https://example.com/acme/acme-app/pull/7"},
        ],
        "reproduced": {"done": False, "how": "Test entry."},
        "confidence": 0.9,
        "checked": ["Made up for the lint tests."],
    },
}


def entry(**changes: Any) -> dict[str, Any]:
    """A deep copy of :data:`BASE` with top-level keys replaced (``None`` deletes one)."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def dump(data: Any, modeline: bool = True) -> str:
    """YAML text of ``data`` as an entry file."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    return (MODELINE if modeline else "") + text


def write(
    root: Path,
    data: dict[str, Any] | None = None,
    *,
    folder: str | None = None,
    name: str | None = None,
    text: str | bytes | None = None,
    modeline: bool = True,
) -> Path:
    """Write an entry under ``root/<folder>/<name>.yaml`` (defaults from the data)."""
    data = entry() if data is None else data
    folder = folder or str(data.get("package", "acme-lint"))
    name = name or str(data.get("id", "entry"))
    path = root / folder / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = dump(data, modeline) if text is None else text
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    return path


def lint(*paths: Path, **kwargs: Any) -> LintReport:
    """Run the linter on ``paths``."""
    return run_lint(list(paths), **kwargs)


def codes(report: LintReport) -> list[str]:
    """The codes of the findings, in report order."""
    return [p.code for p in report.findings]


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of ``path`` that contains ``needle``."""
    for number, line in enumerate(
        path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
    ):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def distinct(entry_id: str, helper: str, **changes: Any) -> dict[str, Any]:
    """A clean entry of its own: ``id`` and a signature about ``helper`` instead of parse_frame."""
    line = f"ImportError: cannot import name '{helper}' from 'acme_lint.codec'"
    data = entry(
        id=entry_id,
        signatures=[{"kind": "exception", "text": line, "exception": "ImportError"}],
        examples=[{"kind": "line", "text": line}],
        near_misses=None,
    )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
