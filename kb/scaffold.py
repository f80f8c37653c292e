"""The skeleton of a new entry that ``kb new`` writes.

The skeleton validates against the schema, so editors help while it is filled in; every
value still to write says ``FILL IN``, and lint rule KB607 reports each one that remains,
so an unfinished entry cannot be committed unnoticed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from kb.errors import UsageError

FILL_IN = "FILL IN"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

TO_FILL = (
    "title, summary: name the failure, then one paragraph on what fails and what to do",
    "signatures: the error line as users see it (add a regex for the parts that vary)",
    "examples: verbatim error text from the report (a line and a traceback)",
    "affected.conditions: the packages and PEP 440 ranges that fail together",
    "status, fixes: where the failure stands and the ways out, best first",
    "what_broke, why, trigger, verify: the mechanism and how to check a fix",
    "evidence: the references, whether it was reproduced, what was checked",
    "last_verified: the date the facts were checked against the sources",
)
"""What the author has to write, in the order of the file."""


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host; else a usage error."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host, parts = None, urlsplit("")
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise UsageError(f"--issue: {url!r} is not an http(s) URL with a host")
    return url


def derive_id(package: str, issue_url: str) -> str:
    """``<package>-<issue number>`` from the last number in the URL's path."""
    numbers = re.findall(r"\d+", urlsplit(issue_url).path)
    if not numbers:
        raise UsageError(f"--issue: no issue number in {issue_url!r}; give the id with --id")
    return f"{package}-{int(numbers[-1])}"


def canonical_package(name: str) -> str:
    """The canonical (PEP 503) name, or a usage error for a name that is not a package name."""
    if not _PACKAGE.match(name):
        raise UsageError(f"{name!r} is not a package name")
    from kb.matching import canonical

    return canonical(name)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def skeleton(package: str, entry_id: str, issue_url: str, today: dt.date, modeline: str) -> str:
    """The YAML text of a new entry: valid against the schema, every gap marked FILL IN."""
    fill = f"{FILL_IN}: "
    return f"""{modeline}
id: {entry_id}
package: {package}
title: {_q(fill + "one line naming the failure")}
summary: {_q(fill + "one paragraph: what fails, when, and what to do")}
tags: []
created: {today.isoformat()}
signatures:
  - kind: exception
    text: {_q(fill + "the error line exactly as users see it, e.g. ImportError: ...")}
examples:
  - kind: line
    text: {_q(fill + "verbatim error text from the report")}
    source: {issue_url}
affected:
  conditions:
    - package: {package}
      specifier: {_q(fill + "PEP 440 range of affected releases, e.g. <2.2.5")}
status: open
fixes:
  - kind: upgrade
    summary: {_q(fill + "one line: what to do")}
    steps:
      - {_q(fill + "the steps, with commands in backticks")}
    when_not_to_use: {_q(fill + "when this option is the wrong one")}
what_broke: {_q(fill + "what the user sees break")}
why: {_q(fill + "the mechanism: why it broke")}
trigger: {_q(fill + "the upgrade, call or setting that brings it on")}
verify: {_q(fill + "how to check that a fix worked")}
evidence:
  references:
    - kind: issue
      url: {issue_url}
  reproduced:
    done: false
    how: {_q(fill + "how it was reproduced, or why it was not")}
  confidence: 0.5
  checked:
    - {_q(fill + "what was checked against which primary source")}
"""


def create(
    entries: Path,
    package: str,
    issue_url: str,
    entry_id: str | None = None,
    today: dt.date | None = None,
) -> Path:
    """Write the skeleton to ``entries/<canonical package>/<id>.yaml``; never overwrites."""
    from kb.fsutil import write_atomic
    from kb.schema import SCHEMA_PATH, modeline

    check_url(issue_url)
    name = canonical_package(package)
    chosen = entry_id if entry_id is not None else derive_id(name, issue_url)
    if not _SLUG.match(chosen) or len(chosen) > 120:
        raise UsageError(
            f"--id: {chosen!r} is not a valid id (lower-case letters, digits and '-', "
            "not starting or ending with '-')"
        )
    path = entries / name / f"{chosen}.yaml"
    schema = entries.parent / SCHEMA_PATH
    text = skeleton(name, chosen, issue_url, today or dt.date.today(), modeline(path, schema))
    write_atomic(path, text, overwrite=False)
    return path
