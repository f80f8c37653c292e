"""The entry model: what one known failure carries, validated by pydantic v2.

Validation only; no I/O. Field docstrings become the JSON Schema descriptions that
editors show while an author types (see ``kb schema``). The model checks shape and
types; semantic checks that deserve their own rule code (a specifier that does not
parse, a fixed release inside its affected range, a signature that misses its own
examples) are lint rules, so that each is reported with its own code and line.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

if TYPE_CHECKING:
    from kb.matching import ConditionSet as MatchingSet

SCHEMA_VERSION = 1
"""Version of the entry format; bumped when a change is not backwards compatible."""

Text = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", max_length=120)]
PackageName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
MinorVersion = Annotated[str, StringConstraints(pattern=r"^[23]\.[0-9]{1,2}$")]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=False,
    )


class SignatureKind(StrEnum):
    """How the failure shows itself."""

    EXCEPTION = "exception"
    LOG = "log"
    SYMPTOM = "symptom"


class Signature(_Model):
    """One way the failure shows itself, as users see it."""

    kind: SignatureKind
    """`exception`: a `Type: message` line; `log`: a line a tool prints (pip, a server, a
    warning); `symptom`: a failure with no error text (slowness, a hang), described."""
    text: Text
    """The text exactly as users see it, one line. Matched after normalization (paths,
    line numbers, addresses and numbers are volatile and ignored)."""
    regex: str | None = None
    """Optional Python regular expression, searched in the raw text, for the parts that
    vary between reports (quoted names, versions, paths). Must match `text` itself."""
    exception: str | None = None
    """The exception type where there is one, as printed: `ImportError`,
    `pydantic.errors.PydanticImportError`."""


class ExampleKind(StrEnum):
    """What an example is."""

    LINE = "line"
    TRACEBACK = "traceback"
    LOG = "log"


class Example(_Model):
    """Verbatim error text from a real report; at least one signature must match it."""

    kind: ExampleKind
    """`line`: a single error line; `traceback`: a whole Python traceback; `log`: lines of
    tool output around the error."""
    text: Text
    """The text, verbatim as reported (only personal paths may be shortened)."""
    source: str | None = None
    """URL of the report the text was taken from."""


class NearMiss(_Model):
    """Text that looks like the failure but is a different one; no signature may match it."""

    text: Text
    """The look-alike text."""
    why: Text
    """Why it is a different failure."""


class Condition(_Model):
    """One requirement for the failure: a package (or the interpreter) in a version range."""

    package: PackageName
    """Canonical (PEP 503) distribution name, or `python` for the interpreter itself."""
    specifier: Text
    """PEP 440 version specifier of the affected releases, e.g. `>=3.0` or `<2.2.5`."""
    fixed: str | None = None
    """First release of this package in which the failure no longer occurs, if any."""
    releases: list[str] = Field(default_factory=list)
    """Releases to show in the version-compatibility table (affected and not)."""
    note: str | None = None
    """Why this package is part of the failure, when it is not obvious."""


class ConditionSet(_Model):
    """Conditions that must all hold together for the failure to occur."""

    conditions: list[Condition] = Field(min_length=1)
    """Every condition must hold together, e.g. Flask `<2.2.5` with Werkzeug `>=3.0`."""
    marker: str | None = None
    """Optional PEP 508 environment marker for the platform, e.g. `sys_platform == "win32"`."""


class Affected(ConditionSet):
    """Where the failure occurs: its conditions, or any one of its alternatives."""

    alternatives: list[ConditionSet] = Field(default_factory=list)
    """Further condition sets, each enough on its own: the failure occurs when `conditions`
    (with `marker`) hold, or when all the conditions of any alternative hold, e.g. Flask
    `<2.2.4` with Werkzeug `>=3.0`, or Flask-Login `<0.6.3` with Werkzeug `>=3.0`."""

    def sets(self) -> list[tuple[tuple[str | int, ...], ConditionSet]]:
        """Every condition set with where it is in the file (``affected`` first)."""
        first: ConditionSet = self
        return [
            (("affected",), first),
            *((("affected", "alternatives", i), alt) for i, alt in enumerate(self.alternatives)),
        ]

    def packages(self) -> list[str]:
        """The packages of every condition set, in order, each once (``python`` included)."""
        return list(dict.fromkeys(c.package for _, s in self.sets() for c in s.conditions))

    def matching_sets(self) -> list[MatchingSet]:
        """The condition sets in the form :func:`kb.matching.evaluate` takes."""
        from kb.matching import Condition as Cond
        from kb.matching import ConditionSet as MatchingSet

        return [
            MatchingSet(
                tuple(Cond(c.package, c.specifier, c.fixed) for c in s.conditions), s.marker
            )
            for _, s in self.sets()
        ]


class Status(StrEnum):
    """Where the failure stands as a whole."""

    FIXED_UPSTREAM = "fixed-upstream"
    FIXED_IN_DEPENDENTS = "fixed-in-dependents"
    WORKAROUND_ONLY = "workaround-only"
    WONT_FIX = "wont-fix"
    OPEN = "open"


class FixKind(StrEnum):
    """What a fix option asks the user to do."""

    UPGRADE = "upgrade"
    PIN = "pin"
    CODE_CHANGE = "code-change"
    CONFIGURATION = "configuration"
    WORKAROUND = "workaround"


class Fix(_Model):
    """One way out, in the order a careful engineer would try them."""

    kind: FixKind
    """upgrade, pin, code-change, configuration or workaround."""
    summary: Text
    """One line: what to do."""
    steps: list[Text] = Field(min_length=1)
    """The steps, in order. Inline code in backticks."""
    requires: str | None = None
    """The release the option needs, as a PEP 508 requirement, e.g. `flask>=2.2.5`."""
    when_not_to_use: Text
    """When this option is the wrong one."""


class Language(StrEnum):
    """Language of a reproduction."""

    PYTHON = "python"
    SHELL = "shell"
    TEXT = "text"


class Reproduction(_Model):
    """A minimal reproduction that really reproduces the failure."""

    language: Language
    """python, shell or text."""
    code: Text
    """The code. Python code must parse."""
    setup: list[str] = Field(default_factory=list)
    """Commands that prepare the environment, e.g. `pip install flask==2.2.2 werkzeug==3.0.1`."""
    requirements: list[str] = Field(default_factory=list)
    """PEP 508 requirements that `kb verify` installs in every run besides the packages of
    `affected`, which it installs at the releases under test (e.g. `flask-login==0.6.2`)."""
    python: MinorVersion | None = None
    """The CPython minor version the reproduction runs on when the releases under test
    cannot be installed on a current one (no wheels for it, old syntax), e.g. `3.9`.
    `kb verify` runs the combinations of packages on this machine's interpreter of that
    version; without one they are inconclusive."""
    needs: str | None = None
    """What the reproduction needs that `kb verify` cannot install, when it needs more than
    packages and an interpreter, e.g. `a Python linked against OpenSSL 1.0.2`. Verify then
    records the reproduction as not run on this machine, with this reason."""


class ReferenceKind(StrEnum):
    """What a reference is evidence of."""

    ISSUE = "issue"
    FIX = "fix"
    COMMIT = "commit"
    CHANGELOG = "changelog"
    RELEASE = "release"
    DUPLICATE = "duplicate"
    DISCUSSION = "discussion"
    DOCS = "docs"


class Reference(_Model):
    """A typed link to a primary source."""

    kind: ReferenceKind
    """issue (the upstream report), fix (PR), commit, changelog, release, duplicate,
    discussion or docs."""
    url: Text
    """An http(s) URL."""
    title: str | None = None
    """What the link is, e.g. `encode/httpx#838`."""
    note: str | None = None
    """What this source shows."""


class Reproduced(_Model):
    """Whether the failure was reproduced for this entry, and how."""

    done: bool
    """True only if someone ran the reproduction and saw the failure."""
    how: Text
    """How it was reproduced, or why it was not."""


class Excerpt(_Model):
    """A short attributed quote from the discussion."""

    author: Text
    """Who said it (their handle)."""
    url: Text
    """Where they said it."""
    quote: Text
    """The words, verbatim and short."""


class Evidence(_Model):
    """What the entry rests on and how sure it is."""

    references: list[Reference] = Field(min_length=1)
    """Typed links: the upstream issue first, then fix, changelog, duplicates."""
    reproduced: Reproduced
    """Whether it was reproduced."""
    confidence: float = Field(ge=0.0, le=1.0)
    """0 to 1: how sure the entry is of its facts."""
    checked: list[Text] = Field(min_length=1)
    """What was checked against which primary source."""
    unverified: list[Text] = Field(default_factory=list)
    """Facts left out or uncertain because they could not be verified."""
    excerpts: list[Excerpt] = Field(default_factory=list)
    """Short attributed discussion excerpts."""


class Source(_Model):
    """Further reading: documentation, migration guides."""

    title: Text
    """What it is."""
    url: Text
    """An http(s) URL."""


class Entry(_Model):
    """One known failure of a Python package."""

    id: Slug
    """Stable, human-readable slug; also the file name (without `.yaml`), e.g.
    `httpx-838-asyncclient-eager-ssl-context`."""
    package: PackageName
    """The package the failure is filed under: the entry's folder, canonical (PEP 503) name, or
    `python` for CPython itself."""
    title: Text
    """One line naming the failure."""
    summary: Text
    """One paragraph: what fails, when, and what to do."""
    tags: list[Slug] = Field(default_factory=list)
    """Lower-case tags, e.g. `import-error`, `removed-api`."""
    created: dt.date
    """When the entry was written."""
    updated: dt.date | None = None
    """When the entry's content last changed."""
    last_verified: dt.date | None = None
    """When its facts were last checked against the primary sources."""
    signatures: list[Signature] = Field(min_length=1)
    """How the failure shows itself; search and scan match these."""
    examples: list[Example] = Field(min_length=1)
    """Verbatim error text from real reports that the signatures must match."""
    near_misses: list[NearMiss] = Field(default_factory=list)
    """Look-alike text the signatures must not match."""
    affected: Affected
    """The versions that fail."""
    status: Status
    """fixed-upstream, fixed-in-dependents, workaround-only, wont-fix or open."""
    fixes: list[Fix] = Field(min_length=1)
    """Ways out, in the order to try them."""
    what_broke: Text
    """What the user sees break."""
    why: Text
    """Why it broke: the mechanism."""
    trigger: Text
    """What brings it on: the upgrade, call or setting."""
    reproduction: Reproduction | None = None
    """A minimal reproduction."""
    verify: Text
    """How to verify that a fix worked."""
    prevention: list[Text] = Field(default_factory=list)
    """How to keep it from happening again."""
    evidence: Evidence
    """References, reproduction, confidence and what was checked."""
    related: list[Slug] = Field(default_factory=list)
    """Ids of related entries."""
    sources: list[Source] = Field(default_factory=list)
    """Further reading."""


def json_schema() -> dict[str, object]:
    """The JSON Schema of an entry file, as editors and ``kb schema`` use it."""
    schema = Entry.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kb entry"
    return schema
