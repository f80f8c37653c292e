"""KB3xx: an entry's identity: its id, its package, and where its file lives."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from kb.lint.context import Corpus, EntryContext
from kb.lint.registry import Finding, Scope, declare
from kb.matching import canonical as _canonical


@lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    """PEP 503 canonical name, cached: a corpus repeats the same few package names."""
    return _canonical(name)


@declare("KB301", "id-file-mismatch", "The id is not the file name.", Scope.ENTRY)
def id_file_mismatch(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    The `id` of an entry differs from its file name without `.yaml`.

    ## Why
    The id is the entry's address: `kb show ID`, the site's URL and `related:` lists all
    use it, and people find the file by it. Two names for one thing drift apart.

    ## Example
    ```yaml
    # entries/flask/flask-5264-werkzeug-3-url-quote.yaml
    id: flask-5264-url-quote   # must be flask-5264-werkzeug-3-url-quote
    ```
    """
    path = ctx.loaded.path
    stem = path.name.rsplit(".", 1)[0]
    entry_id = ctx.loaded.entry.id
    if stem != entry_id:
        yield ctx.location("id"), f"id {entry_id!r} differs from the file name {path.name!r}"


@declare(
    "KB302",
    "folder-package-mismatch",
    "The file is not in the folder named after its package.",
    Scope.ENTRY,
)
def folder_package_mismatch(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    An entry lives in `entries/<package>/`, where `<package>` is the canonical (PEP 503)
    name of its `package`. This file is in another folder.

    ## Why
    The folder is how maintainers browse a package's failures and how the site groups
    them; an entry in the wrong folder is missing from its package's list.

    ## Example
    ```yaml
    # entries/werkzeug/flask-5264-werkzeug-3-url-quote.yaml
    package: flask   # the file belongs in entries/flask/
    ```
    """
    path = ctx.loaded.path
    folder = path.parent.name or path.absolute().parent.name
    package = canonical(ctx.loaded.entry.package)
    if folder != package:
        yield (
            ctx.location("package"),
            f"package {ctx.loaded.entry.package!r} belongs in folder {package!r}, not {folder!r}",
        )


@declare("KB303", "duplicate-id", "Two files have the same id.", Scope.CORPUS)
def duplicate_id(corpus: Corpus) -> Iterator[Finding]:
    """
    ## What
    Two entry files declare the same `id`.

    ## Why
    Ids must be unique: lookups by id would silently return only one of the entries, and
    the site would write one page over the other.

    ## Example
    `entries/flask/a.yaml` and `entries/flask/b.yaml` both say
    `id: flask-5264-werkzeug-3-url-quote`.
    """
    first: dict[str, str] = {}
    for rec in corpus.records:
        seen = first.setdefault(rec.id, rec.display)
        if seen != rec.display:
            yield rec.id_location, f"id {rec.id!r} is also the id of {seen}"


@declare(
    "KB304",
    "package-not-canonical",
    "The package name is not in its canonical (PEP 503) form.",
    Scope.ENTRY,
)
def package_not_canonical(ctx: EntryContext) -> Iterator[Finding]:
    """
    ## What
    `package` must be the canonical PEP 503 name: lower case, runs of `-`, `_` and `.`
    written as one `-`.

    ## Why
    `kb check` compares entries with installed distributions and lockfiles by canonical
    name; `Flask_Login` and `flask-login` must be one package, not two.

    ## Example
    ```yaml
    package: Flask_Login   # write flask-login
    ```
    """
    name = ctx.loaded.entry.package
    wanted = canonical(name)
    if name != wanted:
        yield ctx.location("package"), f"package {name!r} is not canonical; write {wanted!r}"
