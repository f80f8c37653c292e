"""KB1xx and KB2xx: a file that cannot be read as one entry, or does not fit the schema.

The loader (:mod:`kb.yamlio`, :mod:`kb.loader`) finds these while it reads a file; they are
declared here so that each code has its documentation. KB110, the schema modeline, is
checked on the raw file.
"""

from __future__ import annotations

from collections.abc import Iterator

from kb.errors import Location
from kb.lint.context import FileContext
from kb.lint.registry import Finding, Rule, Scope, declare, loader_rule

MODELINE = b"# yaml-language-server: $schema="

LOADER_RULES: tuple[Rule, ...] = (
    loader_rule(
        "KB100",
        "unreadable-file",
        "The file or directory cannot be read (missing, permissions, broken symlink).",
        """
        ## What
        A path given to kb, or found in the tree, that cannot be opened: it does not exist,
        it is a broken symlink, or permissions forbid reading it.

        ## Why
        An entry that cannot be read is an entry nobody can find. The run goes on with the
        other files.

        ## Example
        ```text
        entries/flask/flask-1-old.yaml: KB100 broken symlink
        ```
        """,
    ),
    loader_rule(
        "KB101",
        "invalid-yaml",
        "The file is not valid YAML.",
        """
        ## What
        The YAML parser stopped: an unclosed quote, a tab used for indentation, a key with
        no value where a mapping was expected.

        ## Why
        Nothing else can be checked until the file parses; the finding gives the line and
        column where the parser gave up.

        ## Example
        ```yaml
        title: "flask < 2.2.5 fails   # the quote is never closed
        ```
        """,
    ),
    loader_rule(
        "KB102",
        "not-a-mapping",
        "The top level of the file is a list or a scalar, not a mapping.",
        """
        ## What
        An entry file holds one mapping (`id: ...`, `package: ...`). This file's top level
        is a list or a single value.

        ## Why
        A list of entries in one file would break the one-file-per-failure layout that
        ids, folders and the site rely on.

        ## Example
        ```yaml
        - id: flask-1-old
          package: flask
        ```
        """,
    ),
    loader_rule(
        "KB103",
        "not-utf8-text",
        "The file is binary (a NUL byte) or not valid UTF-8.",
        """
        ## What
        The file contains a NUL byte, or bytes that are not UTF-8 (often Latin-1 text
        saved by an old editor).

        ## Why
        Entries are UTF-8 text; anything else is a wrong file in the tree or text that
        would be shown garbled.

        ## Example
        A file saved as Latin-1 with `café` in its summary: `not valid UTF-8 (byte 0xe9)`.
        """,
    ),
    loader_rule(
        "KB104",
        "file-too-large",
        "The file is larger than the 1 MiB an entry may have.",
        """
        ## What
        The file is bigger than 1 MiB. It is refused before it is parsed.

        ## Why
        An entry is a short document; a large file is a mistake (a pasted log, a build
        artifact) and parsing it would slow every run.

        ## Example
        A 50 MB log copied into `entries/flask/`: `file is 52,428,800 bytes; entries are
        limited to 1,048,576`.
        """,
    ),
    loader_rule(
        "KB105",
        "empty-file",
        "The file is empty or holds no YAML document.",
        """
        ## What
        The file has no content, only whitespace, or only comments.

        ## Why
        An empty file is a forgotten skeleton; it describes no failure.

        ## Example
        An `entries/flask/flask-1-old.yaml` of zero bytes.
        """,
    ),
    loader_rule(
        "KB106",
        "disallowed-tag",
        "The file uses a YAML tag other than the plain standard ones.",
        """
        ## What
        A node carries a tag such as `!!python/object` or a custom `!include`.

        ## Why
        Tags can make a YAML loader build arbitrary objects. Entries are plain data;
        only the standard scalar, list and mapping tags are allowed.

        ## Example
        ```yaml
        title: !!python/object/apply:os.system ["echo hi"]
        ```
        """,
    ),
    loader_rule(
        "KB107",
        "yaml-alias",
        "The file uses YAML anchors, aliases or merge keys.",
        """
        ## What
        An `&anchor`, a `*alias` or a `<<:` merge key.

        ## Why
        Aliases let a few lines expand into gigabytes once read ("billion laughs"), and
        they hide repeated text from reviewers. Write each value out.

        ## Example
        ```yaml
        a: &a ["lol", "lol", "lol"]
        b: [*a, *a, *a]
        ```
        """,
    ),
    loader_rule(
        "KB108",
        "duplicate-key",
        "A mapping has the same key twice.",
        """
        ## What
        The same key appears twice in one mapping.

        ## Why
        YAML libraries silently keep the last value, so what the author wrote first is
        lost without a word.

        ## Example
        ```yaml
        status: open
        status: fixed-upstream
        ```
        """,
    ),
    loader_rule(
        "KB109",
        "symlink-loop",
        "A directory symlink points back into the tree; it is not followed.",
        """
        ## What
        While walking the entries directory, a directory was reached a second time through
        a symbolic link.

        ## Why
        Following the loop would never end, or would lint the same files twice.

        ## Example
        `entries/flask/loop -> ..`
        """,
    ),
    loader_rule(
        "KB201",
        "unknown-key",
        "A key that the entry schema does not define.",
        """
        ## What
        A key that is not part of the entry format, usually a typo (`fixs:`) or a field
        from another tool.

        ## Why
        Unknown keys are silently ignored by readers, so the information in them never
        reaches the site or the search. The schema is strict to catch typos.

        ## Example
        ```yaml
        fixs:
          - kind: upgrade
        ```
        """,
    ),
    loader_rule(
        "KB202",
        "missing-key",
        "A required key is missing.",
        """
        ## What
        A key the schema requires (`signatures`, `fixes`, `evidence`, ...) is absent.

        ## Why
        Every entry must carry the facts a reader needs: how the failure shows, what is
        affected, how to fix it, and the evidence.

        ## Example
        An entry without `evidence:`.
        """,
    ),
    loader_rule(
        "KB203",
        "wrong-type",
        "A value has the wrong type or is not one of the allowed values.",
        """
        ## What
        A value that does not fit its field: text where a list is expected, a status that
        is not one of the five, a confidence above 1, a malformed date, an id with
        capitals.

        ## Why
        The model is what search, check and the site read; a value of the wrong shape
        would break them or be misread.

        ## Example
        ```yaml
        status: fixed   # one of fixed-upstream, fixed-in-dependents, ...
        ```
        """,
    ),
)


@declare(
    "KB110", "missing-schema-modeline", "The first line is not the schema modeline.", Scope.FILE
)
def missing_schema_modeline(ctx: FileContext) -> Iterator[Finding]:
    """
    ## What
    The first line of an entry must be the `yaml-language-server` modeline that points at
    the entry JSON Schema.

    ## Why
    Editors with the YAML language server read the modeline and then complete keys, show
    field documentation and flag mistakes while the author types.

    ## Example
    ```yaml
    # yaml-language-server: $schema=../../schema/entry.schema.json
    id: flask-5264-werkzeug-3-url-quote
    ```
    """
    raw = ctx.raw[3:] if ctx.raw.startswith(b"\xef\xbb\xbf") else ctx.raw
    if not raw.startswith(MODELINE):
        yield (
            Location(ctx.display, 1, 1),
            "first line must be '# yaml-language-server: $schema=<path to entry.schema.json>'",
        )
        return
    first = raw.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    target = first[len(MODELINE) :].strip()
    if not target.endswith("entry.schema.json"):
        yield (
            Location(ctx.display, 1, len(MODELINE) + 1),
            f"modeline points at {target!r}, not at entry.schema.json",
        )
