"""A deterministic synthetic corpus of entries, and queries that should find them.

``python bench/gen_corpus.py N DIR`` writes N entries to ``DIR/<package>/<id>.yaml``.
Entry ``i`` depends only on ``i``, so the same N gives the same files and a smaller corpus
is a prefix of a larger one. Every entry is valid and lint-clean: its signatures match
its examples and miss its near misses, its version facts agree, its links are
``example.com`` URLs. Package names are made up (``fluxkit``, ``parse-mill``) so they
never collide with real entries.

The corpus is realistic where benchmarks care: many entries share an error template and
differ only in a quoted name or module (``cannot import name 'X' from 'Y'``, ``module 'Y'
has no attribute 'X'``), which is what makes ranking hard. :func:`queries` gives, for each
entry, error text a user would paste (other paths, other line numbers, sometimes log noise
around it) with the id that should be found.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

WORDS = (
    "frame", "codec", "parser", "token", "stream", "batch", "cache", "pool",
    "graph", "node", "route", "query", "schema", "field", "model", "table",
    "index", "buffer", "chunk", "socket", "session", "client", "loader", "writer",
    "reader", "plugin", "hook", "task", "queue", "worker", "event", "signal",
    "config", "render", "layout", "vector", "matrix", "kernel", "shard", "lease",
    "ledger", "cursor", "bundle", "channel", "digest", "filter", "format", "handle",
    "header", "image", "journal", "ticket", "marker", "mapper", "meter", "option",
    "packet", "panel", "record", "region", "sample", "scope", "sketch", "span",
)  # fmt: skip
QUALIFIERS = (
    "lazy", "async", "bulk", "raw", "safe", "fast", "local", "remote",
    "shared", "nested", "inline", "static", "dynamic", "default", "custom", "strict",
    "sparse", "dense", "stale", "cached", "signed", "pooled", "tiled", "frozen",
    "mutable", "ordered", "partial", "pending", "sealed", "sorted", "tagged", "typed",
)  # fmt: skip
NEAR_MISS_SUFFIX = "legacy"
"""Appended to a name to make a look-alike that no entry uses (not in the word lists)."""

PREFIXES = (
    "flux", "quill", "ember", "lattice", "orbit", "prism", "cobalt", "ripple",
    "sable", "tundra", "willow", "nimbus", "parse", "grain", "vesper", "marlin",
)  # fmt: skip
SUFFIXES = (
    "kit", "mill", "forge", "works", "flow", "stack", "craft", "hub",
    "tide", "wire", "loom", "gate", "yard", "smith", "deck", "vault",
)  # fmt: skip
SUBMODULES = ("io", "core", "compat", "utils", "backends", "plugins", "types", "_internal")
CLASSES = ("Client", "Session", "Reader", "Writer", "Pipeline", "Store", "Engine", "Router")
METHODS = ("__init__", "open", "fetch", "run", "connect", "submit", "load", "close")
USERS = ("alice", "bob", "dev", "runner", "ci", "jenkins", "maria", "wei", "sam", "ops")

assert len(WORDS) == 64 and len(set(WORDS)) == 64
assert NEAR_MISS_SUFFIX not in WORDS and NEAR_MISS_SUFFIX not in QUALIFIERS

CORPUS_SEED = 20_240_601


def package_names() -> list[str]:
    """The 256 made-up package names; a quarter of them are hyphenated."""
    names = []
    for p, pre in enumerate(PREFIXES):
        for s, suf in enumerate(SUFFIXES):
            names.append(f"{pre}-{suf}" if (p + s) % 4 == 0 else f"{pre}{suf}")
    return names


_PACKAGES = package_names()


def unique_name(i: int) -> str:
    """A snake_case identifier unique to entry ``i`` (two or more words, no digits)."""
    d0 = i % 64
    rest = i // 64
    d1 = rest % 63
    rest //= 63
    words = [WORDS[d0], WORDS[(d0 + 1 + d1) % 64]]
    while rest:
        rest -= 1
        words.insert(0, QUALIFIERS[rest % 32])
        rest //= 32
    return "_".join(words)


def camel(name: str) -> str:
    """``lazy_frame_codec`` -> ``LazyFrameCodec``."""
    return "".join(part.capitalize() for part in name.split("_"))


@dataclass(slots=True)
class Spec:
    """Everything that defines one generated entry."""

    index: int
    id: str
    package: str
    module: str
    family: str
    name: str
    alias: str | None
    issue: int
    rng_seed: int
    extra: dict[str, str] = field(default_factory=dict)


_FAMILIES = (
    ("import-name", 26),
    ("no-attribute", 20),
    ("no-module", 8),
    ("unexpected-kwarg", 12),
    ("key-error", 5),
    ("value-error", 8),
    ("os-error", 6),
    ("build", 6),
    ("log", 5),
    ("symptom", 4),
)
_FAMILY_TABLE = [name for name, weight in _FAMILIES for _ in range(weight)]

_SLUG_VERB = {
    "import-name": "cannot-import",
    "no-attribute": "missing-attribute",
    "no-module": "missing-module",
    "unexpected-kwarg": "unexpected-kwarg",
    "key-error": "keyerror",
    "value-error": "unsupported-backend",
    "os-error": "missing-shared-library",
    "build": "missing-header",
    "log": "heartbeat-timeout",
    "symptom": "hangs",
}


_SHARED_NAME = frozenset(("import-name", "no-attribute"))


def spec(i: int) -> Spec:
    """The specification of entry ``i``; cheap, and a function of ``i`` alone."""
    rng = random.Random(CORPUS_SEED * 1_000_003 + i)
    # A few packages have many entries, most have a few, as in a real knowledge base.
    package = _PACKAGES[min(len(_PACKAGES) - 1, int(len(_PACKAGES) * rng.random() ** 2.5))]
    family = _FAMILY_TABLE[rng.randrange(len(_FAMILY_TABLE))]
    module = package.replace("-", "_")
    if family in _SHARED_NAME:
        # Four neighbours share a name and differ in the module, each in its own pair of
        # submodules: near misses that differ only in Y, never the same signature.
        name = unique_name(i // 4)
        module = f"{module}.{SUBMODULES[(i % 4) * 2 + rng.randrange(2)]}"
    else:
        name = unique_name(i)
        if family in ("value-error", "symptom", "log"):
            module = f"{module}.{rng.choice(SUBMODULES)}"
    alias = None
    if family in ("import-name", "no-attribute", "unexpected-kwarg") and rng.random() < 0.35:
        alias = f"{name}_{rng.choice(('v', 'old', 'impl', 'fn', 'obj'))}"
    issue = 100 + i
    slug = f"{_SLUG_VERB[family]}-{name.replace('_', '-')}"
    entry_id = f"{package}-{issue}-{slug}"
    return Spec(i, entry_id, package, module, family, name, alias, issue, rng.getrandbits(32))


def entry_id(i: int) -> str:
    """The id of entry ``i``."""
    return spec(i).id


# -- error text --------------------------------------------------------------------------


def _site(rng: random.Random, user: str | None = None) -> str:
    user = user or rng.choice(USERS)
    minor = rng.choice((9, 10, 11, 12, 13))
    root = rng.choice(
        (
            f"/home/{user}/src/app/.venv",
            f"/Users/{user}/work/service/venv",
            f"/opt/{user}/env",
            "/usr/local",
        )
    )
    return f"{root}/lib/python3.{minor}/site-packages"


def _app_frame(rng: random.Random, code: str) -> str:
    user = rng.choice(USERS)
    path = rng.choice(
        (f"/home/{user}/src/app/main.py", f"/srv/{user}/worker.py", f"C:\\Users\\{user}\\app.py")
    )
    return f'  File "{path}", line {rng.randint(1, 400)}, in <module>\n    {code}'


def _lib_frame(rng: random.Random, s: Spec, code: str) -> str:
    pkgdir = s.module.split(".")[0]
    site = _site(rng)
    func = rng.choice(("__init__", "load", "_setup", "create", "<module>"))
    return (
        f'  File "{site}/{pkgdir}/{rng.choice(SUBMODULES)}.py", line {rng.randint(5, 900)}, '
        f"in {func}\n    {code}"
    )


@dataclass(slots=True)
class Text:
    """The error text of one family: the signature, its regex, a line and a traceback."""

    signature: str
    exception: str | None
    kind: str
    regex: str | None
    line: Callable[[random.Random, str], str]
    traceback: Callable[[random.Random, str], str]
    near_miss: str
    near_miss_why: str
    title: str
    trigger: str
    repro: str


def _text(s: Spec) -> Text:  # noqa: PLR0915 - one flat branch per family
    n, mod, alias = s.name, s.module, s.alias
    top = mod.split(".")[0]
    cls = camel(n.split("_")[-1]) + CLASSES[s.index % len(CLASSES)]
    meth = METHODS[s.index % len(METHODS)]
    other = f"{n}_{NEAR_MISS_SUFFIX}"
    names = f"(?:{n}|{alias})" if alias else None

    if s.family == "import-name":
        sig = f"ImportError: cannot import name '{n}' from '{mod}'"
        where = mod.replace(".", "/")

        def line(rng: random.Random, x: str) -> str:
            return f"ImportError: cannot import name '{x}' from '{mod}' ({_site(rng)}/{where}.py)"

        def tb(rng: random.Random, x: str) -> str:
            return (
                "Traceback (most recent call last):\n"
                + _app_frame(rng, f"import {top}")
                + "\n"
                + _lib_frame(rng, s, f"from {mod} import {x}")
                + "\n"
                + line(rng, x)
            )

        return Text(
            sig,
            "ImportError",
            "exception",
            f"cannot import name '{names}' from '{re.escape(mod)}'" if names else None,
            line,
            tb,
            f"ImportError: cannot import name '{other}' from '{mod}'",
            f"{other} is a different helper; its removal is tracked separately.",
            f"{s.package} fails to import: {n} was removed from {mod}",
            f"Upgrading {s.package} past the release that dropped {n}.",
            f"from {mod} import {n}\n",
        )
    if s.family == "no-attribute":
        sig = f"AttributeError: module '{mod}' has no attribute '{n}'"

        def line(rng: random.Random, x: str) -> str:
            return f"AttributeError: module '{mod}' has no attribute '{x}'"

        def tb(rng: random.Random, x: str) -> str:
            return (
                "Traceback (most recent call last):\n"
                + _app_frame(rng, f"{mod}.{x}()")
                + "\n"
                + line(rng, x)
            )

        return Text(
            sig,
            "AttributeError",
            "exception",
            f"module '{re.escape(mod)}' has no attribute '{names}'" if names else None,
            line,
            tb,
            f"AttributeError: module '{mod}' has no attribute '{other}'",
            f"{other} never existed; that is a typo, not this removal.",
            f"{mod}.{n} no longer exists",
            f"Calling {mod}.{n} after upgrading {s.package}.",
            f"import {mod}\n{mod}.{n}()\n",
        )
    if s.family == "no-module":
        sub = f"{top}._{n}"
        sig = f"ModuleNotFoundError: No module named '{sub}'"

        def line(rng: random.Random, x: str) -> str:
            return f"ModuleNotFoundError: No module named '{sub}'"

        def tb(rng: random.Random, x: str) -> str:
            return (
                "Traceback (most recent call last):\n"
                + _app_frame(rng, f"import {top}")
                + "\n"
                + _lib_frame(rng, s, f"from {top} import _{n}")
                + "\n"
                + line(rng, x)
            )

        return Text(
            sig,
            "ModuleNotFoundError",
            "exception",
            None,
            line,
            tb,
            f"ModuleNotFoundError: No module named '{top}._{other}'",
            "A different private module, from a different broken wheel.",
            f"{s.package} wheel is missing its compiled module _{n}",
            f"Installing a {s.package} wheel built without the _{n} extension.",
            f"import {top}._{n}\n",
        )
    if s.family == "unexpected-kwarg":
        sig = f"TypeError: {cls}.{meth}() got an unexpected keyword argument '{n}'"

        def line(rng: random.Random, x: str) -> str:
            return f"TypeError: {cls}.{meth}() got an unexpected keyword argument '{x}'"

        def tb(rng: random.Random, x: str) -> str:
            return (
                "Traceback (most recent call last):\n"
                + _app_frame(rng, f"{top}.{cls}().{meth}({x}=True)")
                + "\n"
                + line(rng, x)
            )

        return Text(
            sig,
            "TypeError",
            "exception",
            (
                f"{re.escape(cls)}\\.{re.escape(meth)}\\(\\) got an unexpected keyword "
                f"argument '{names}'"
                if names
                else None
            ),
            line,
            tb,
            f"TypeError: {cls}.{meth}() got an unexpected keyword argument '{other}'",
            f"{other} was never an argument of {cls}.{meth}; a caller bug.",
            f"{cls}.{meth}() no longer accepts {n}",
            f"Passing {n}= to {cls}.{meth} after upgrading {s.package}.",
            f"import {top}\n{top}.{cls}().{meth}({n}=True)\n",
        )
    if s.family == "key-error":
        key = f"{top}_{n}"
        sig = f"KeyError: '{key}'"

        def line(rng: random.Random, x: str) -> str:
            return f"KeyError: '{key}'"

        def tb(rng: random.Random, x: str) -> str:
            return (
                "Traceback (most recent call last):\n"
                + _app_frame(rng, f"{top}.configure()")
                + "\n"
                + _lib_frame(rng, s, f"backend = settings['{key}']")
                + "\n"
                + line(rng, x)
            )

        return Text(
            sig,
            "KeyError",
            "exception",
            None,
            line,
            tb,
            f"KeyError: '{key}_{NEAR_MISS_SUFFIX}'",
            "A different settings key, read by another code path.",
            f"{s.package} configure() fails with KeyError '{key}'",
            f"Calling {top}.configure() without the {key} setting.",
            f"import {top}\n{top}.configure()\n",
        )
    if s.family == "value-error":
        sig = f"ValueError: unsupported {n.replace('_', ' ')} backend '{n}' in {mod}"

        def line(rng: random.Random, x: str) -> str:
            return sig

        def tb(rng: random.Random, x: str) -> str:
            return (
                "Traceback (most recent call last):\n"
                + _app_frame(rng, f"{mod}.open(backend='{n}')")
                + "\n"
                + _lib_frame(rng, s, "raise ValueError(msg)")
                + "\n"
                + sig
            )

        return Text(
            sig,
            "ValueError",
            "exception",
            None,
            line,
            tb,
            f"ValueError: unsupported {n.replace('_', ' ')} backend '{other}' in {mod}",
            f"{other} is a third-party backend, not bundled.",
            f"{mod} rejects the {n} backend",
            f"Selecting backend='{n}' in {mod}.open().",
            f"import {mod}\n{mod}.open(backend={n!r})\n",
        )
    if s.family == "os-error":
        lib = f"lib{n}.so"
        sig = f"OSError: {lib}: cannot open shared object file: No such file or directory"

        def line(rng: random.Random, x: str) -> str:
            return sig

        def tb(rng: random.Random, x: str) -> str:
            return (
                "Traceback (most recent call last):\n"
                + _app_frame(rng, f"import {top}")
                + "\n"
                + _lib_frame(rng, s, f"_lib = ctypes.CDLL('{lib}')")
                + "\n"
                + sig
            )

        return Text(
            sig,
            "OSError",
            "exception",
            None,
            line,
            tb,
            f"OSError: lib{other}.so: cannot open shared object file: No such file or directory",
            "A different native library, from an optional extra.",
            f"{s.package} cannot load {lib}",
            f"Importing {top} on a system without {lib}.",
            f"import {top}\n",
        )
    if s.family == "build":
        sig = f"fatal error: {n}.h: No such file or directory"

        def line(rng: random.Random, x: str) -> str:
            return f"{top}/_ext/{n}.c:{rng.randint(2, 60)}:10: {sig}"

        def tb(rng: random.Random, x: str) -> str:
            return (
                f"  Building wheel for {s.package} (pyproject.toml) ... error\n"
                "  error: subprocess-exited-with-error\n"
                f"  gcc -pthread -fPIC -I/usr/include/python3.{rng.randint(9, 13)} "
                f"-c {top}/_ext/{n}.c -o build/{n}.o\n"
                f"  {line(rng, x)}\n"
                f"  ERROR: Failed building wheel for {s.package}"
            )

        return Text(
            sig,
            None,
            "log",
            None,
            line,
            tb,
            f"fatal error: {other}.h: No such file or directory",
            "A header of an optional accelerator, not needed by the build.",
            f"Building {s.package} from source fails: {n}.h not found",
            f"pip install {s.package} on a platform without a prebuilt wheel.",
            f"pip install --no-binary :all: {s.package}\n",
        )
    if s.family == "log":
        sig = f"WARNING {mod}: worker '{n}' heartbeat timed out after 30 seconds; restarting"

        def line(rng: random.Random, x: str) -> str:
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            stamp = f"{day} 0{rng.randint(0, 9)}:14:55,120"
            return (
                f"{stamp} WARNING {mod}: worker '{n}' heartbeat timed out after "
                f"{rng.choice((30, 60, 90))} seconds; restarting"
            )

        def tb(rng: random.Random, x: str) -> str:
            started = f"INFO {mod}: worker '{n}' started"
            return f"{started}\n{line(rng, x)}\n{started}"

        return Text(
            sig,
            None,
            "log",
            f"WARNING {re.escape(mod)}: worker '{n}' heartbeat timed out after \\d+ seconds",
            line,
            tb,
            f"WARNING {mod}: worker '{other}' heartbeat timed out after 30 seconds; restarting",
            f"{other} is a different worker pool with its own timeout.",
            f"{mod} restarts the {n} worker in a loop",
            f"Running the {n} worker under load with the default heartbeat.",
            f"import {mod}\n{mod}.start_worker({n!r})\n",
        )
    # symptom
    sig = f"{mod}.{cls}.{n}() hangs forever when the server closes the connection"

    def symptom_line(rng: random.Random, x: str) -> str:
        return f"After upgrading, {sig} (timeout={rng.randint(1, 30)} is ignored)."

    def symptom_tb(rng: random.Random, x: str) -> str:
        waiting = f"DEBUG {mod}: {cls}.{n}() waiting for data"
        return f"{waiting}\n{symptom_line(rng, x)}\n^C KeyboardInterrupt"

    return Text(
        sig,
        None,
        "symptom",
        None,
        symptom_line,
        symptom_tb,
        f"{mod}.{cls}.{other}() hangs forever when the server closes the connection",
        f"{other} has its own read loop and its own report.",
        f"{mod}.{cls}.{n}() hangs when the server disconnects",
        f"A server that closes the connection while {n}() is reading.",
        f"import {mod}\n{mod}.{cls}().{n}()\n",
    )


# -- YAML rendering ----------------------------------------------------------------------


def _q(value: str) -> str:
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(value, ensure_ascii=False)


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "".join(f"{pad}{ln}\n" if ln else "\n" for ln in text.split("\n"))


def _date(rng: random.Random, month_lo: int = 1) -> str:
    return f"2025-{rng.randint(month_lo, 12):02d}-{rng.randint(1, 28):02d}"


def render(s: Spec) -> str:
    """The YAML text of the entry ``s``."""
    rng = random.Random(s.rng_seed)
    t = _text(s)
    dep = _PACKAGES[(_PACKAGES.index(s.package) + 1 + rng.randrange(255)) % 256]
    major, minor = rng.randint(0, 4), rng.randint(1, 9)
    fixed = f"{major}.{minor}"
    has_fix = rng.random() < 0.6
    status = (
        "fixed-upstream"
        if has_fix
        else rng.choice(("workaround-only", "open", "wont-fix", "fixed-in-dependents"))
    )
    org = s.package.replace("-", "")
    issue_url = f"https://example.com/{org}/{s.package}/issues/{s.issue}"
    created = _date(rng, 1)
    verified = f"2025-12-{rng.randint(1, 28):02d}"

    main_cond = (
        f"    - package: {s.package}\n"
        f'      specifier: "<{fixed}"\n'
        + (f'      fixed: "{fixed}"\n' if has_fix else "")
        + f'      releases: ["{major}.{minor - 1}", "{fixed}", "{major}.{minor + 1}"]\n'
    )
    dep_major = rng.randint(1, 5)
    conds = [main_cond]
    if rng.random() < 0.7:
        conds.append(
            f"    - package: {dep}\n"
            f'      specifier: ">={dep_major}.0"\n'
            f'      releases: ["{dep_major - 1}.9", "{dep_major}.0", "{dep_major}.1"]\n'
            f"      note: {_q(f'{dep} {dep_major}.0 changed what {s.package} relies on.')}\n"
        )
    if rng.random() < 0.25:
        conds.append(
            '    - package: python\n      specifier: ">=3.12"\n      releases: ["3.11", "3.12"]\n'
        )

    sig = f"  - kind: {t.kind}\n    text: {_q(t.signature)}\n"
    if t.regex:
        sig += f"    regex: {_q(t.regex)}\n"
    if t.exception:
        sig += f"    exception: {t.exception}\n"

    shown = s.alias if s.alias else s.name
    examples = (
        f"  - kind: line\n    text: {_q(t.line(rng, s.name))}\n    source: {issue_url}\n"
        f"  - kind: {'traceback' if t.kind == 'exception' else 'log'}\n"
        f"    text: {_block(t.traceback(rng, shown), 6)}"
    )

    fixes = []
    if has_fix:
        fixes.append(
            "  - kind: upgrade\n"
            f"    summary: Upgrade {s.package} to {fixed} or later.\n"
            f"    steps:\n      - \"`pip install '{s.package}>={fixed}'`\"\n"
            f"    requires: {s.package}>={fixed}\n"
            f"    when_not_to_use: When another dependency pins {s.package} below {fixed}.\n"
        )
    fixes.append(
        "  - kind: pin\n"
        f"    summary: Keep {dep} below {dep_major}.0.\n"
        f'    steps:\n      - "Add `{dep}<{dep_major}.0` to your requirements."\n'
        f"    requires: {dep}<{dep_major}.0\n"
        f"    when_not_to_use: When you need a feature of {dep} {dep_major}.\n"
    )

    refs = [f"    - kind: issue\n      url: {issue_url}\n      title: {s.package}#{s.issue}\n"]
    if has_fix:
        pr = s.issue + 1 + rng.randrange(40)
        refs.append(
            f"    - kind: fix\n      url: https://example.com/{org}/{s.package}/pull/{pr}\n"
            f"      title: {s.package}#{pr}\n"
        )
    if rng.random() < 0.3:
        refs.append(
            f"    - kind: changelog\n      url: https://example.com/{org}/{s.package}/changes\n"
        )

    related = ""
    if s.index >= 64 and rng.random() < 0.2:
        related = f"related: [{entry_id(s.index - 64 * rng.randint(1, s.index // 64))}]\n"

    tags = {
        "import-name": "import-error, removed-api",
        "no-attribute": "attribute-error, removed-api",
        "no-module": "import-error, packaging",
        "unexpected-kwarg": "typeerror, removed-api",
        "key-error": "keyerror, configuration",
        "value-error": "valueerror, configuration",
        "os-error": "native-library",
        "build": "build, packaging",
        "log": "logging, workers",
        "symptom": "hang, network",
    }[s.family]

    return (
        "# yaml-language-server: $schema=../../schema/entry.schema.json\n"
        f"id: {s.id}\n"
        f"package: {s.package}\n"
        f"title: {_q(t.title)}\n"
        f"summary: {_q(f'{t.title}. {t.trigger} Upgrade, pin {dep}, or change the call.')}\n"
        f"tags: [{tags}]\n"
        f"created: {created}\n"
        f"last_verified: {verified}\n"
        f"signatures:\n{sig}"
        f"examples:\n{examples}"
        f"near_misses:\n  - text: {_q(t.near_miss)}\n    why: {_q(t.near_miss_why)}\n"
        f"affected:\n  conditions:\n{''.join(conds)}"
        f"status: {status}\n"
        f"fixes:\n{''.join(fixes)}"
        f"what_broke: {_q(t.title + '.')}\n"
        f"why: {_q(f'{s.package} changed {s.name} in {fixed}; callers were not updated.')}\n"
        f"trigger: {_q(t.trigger)}\n"
        "reproduction:\n"
        f"  language: {'shell' if t.kind == 'log' else 'python'}\n"
        f"  setup:\n    - pip install '{s.package}<{fixed}'\n"
        f"  code: {_block(t.repro.rstrip(), 4)}"
        f"verify: {_q(f'The reproduction runs without the {t.kind} text.')}\n"
        "evidence:\n"
        f"  references:\n{''.join(refs)}"
        "  reproduced:\n    done: false\n    how: Synthetic benchmark entry.\n"
        f"  confidence: {rng.choice((0.6, 0.7, 0.8, 0.9))}\n"
        "  checked:\n    - Generated by bench/gen_corpus.py.\n"
        f"{related}"
    )


def generate(n: int, root: Path) -> list[Path]:
    """Write entries ``0..n-1`` under ``root``; returns their paths in index order."""
    paths = []
    made: set[str] = set()
    for i in range(n):
        s = spec(i)
        folder = root / s.package
        if s.package not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(s.package)
        path = folder / f"{s.id}.yaml"
        path.write_text(render(s), encoding="utf-8")
        paths.append(path)
    return paths


# -- queries -----------------------------------------------------------------------------

_NOISE = (
    "2025-06-01 12:00:01,532 INFO gunicorn.error: Booting worker with pid: 4121",
    "2025-06-01 12:00:01,880 INFO app.startup: loading configuration from /etc/app/config.toml",
    "DEBUG urllib3.connectionpool: Starting new HTTPS connection (1): api.example.com:443",
    "[2025-06-01T12:00:02Z] celery@host ready.",
    "WARNING: Running pip as the 'root' user can result in broken permissions",
    '127.0.0.1 - - [01/Jun/2025:12:00:03 +0000] "GET /health HTTP/1.1" 200 2',
    "+ python -m app --serve",
)


def query(s: Spec, rng: random.Random) -> str:
    """Error text a user would paste for entry ``s``: new paths and line numbers."""
    t = _text(s)
    shown = s.alias if s.alias and rng.random() < 0.5 else s.name
    mode = rng.randrange(3)
    if mode == 0:
        return t.line(rng, shown)
    body = t.traceback(rng, shown)
    if mode == 1:
        return body
    before = rng.sample(_NOISE, rng.randint(1, 3))
    after = rng.sample(_NOISE, rng.randint(0, 2))
    return "\n".join([*before, body, *after])


def queries(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """For entries ``0..n-1`` of :func:`generate`, ``(query text, expected id)`` pairs."""
    out = []
    for i in range(n):
        s = spec(i)
        rng = random.Random(seed * 1_000_003 + i)
        out.append((query(s, rng), s.id))
    return out


def main(argv: list[str]) -> int:
    """``gen_corpus.py N DIR``."""
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: python bench/gen_corpus.py N DIR", file=sys.stderr)
        return 2
    paths = generate(int(argv[0]), Path(argv[1]))
    print(f"wrote {len(paths)} entries to {argv[1]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
