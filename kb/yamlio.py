"""The one YAML reader of kb: safe, libyaml-backed when present, with source positions.

A document is composed into nodes once; the nodes give every key's line and column, so
a validation error at ``signatures[0].regex`` can be reported at the line that holds
``regex:``. Only the standard YAML tags are accepted, aliases are refused (an alias bomb
expands exponentially once validated), and duplicate keys are refused (the YAML
library would silently keep the last one, losing what the author wrote).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is several times faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from kb.errors import Location

MAX_FILE_BYTES = 1024 * 1024
"""Entries are short documents; anything larger is refused before it is parsed."""

_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
)

Loc = Sequence[str | int]


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why a file could not be read as one safe YAML mapping; ``code`` is a lint rule code."""

    code: str
    message: str
    line: int = 0
    col: int = 0


@dataclass(slots=True)
class Document:
    """A parsed YAML document: its data and the node tree the positions come from."""

    data: Any
    root: yaml.Node

    def locate(self, loc: Loc) -> tuple[int, int]:
        """Line and column (1-based) of the key at ``loc``, or of its nearest existing parent."""
        node: yaml.Node = self.root
        mark = node.start_mark
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == part:
                        mark, node = key.start_mark, value
                        break
                else:
                    return _pos(node.start_mark)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return _pos(node.start_mark)
                node = node.value[part]
                mark = node.start_mark
            else:
                return _pos(mark)
        return _pos(mark)


def _pos(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


class YamlReadError(Exception):
    """Raised by :func:`read` with the problem that stopped it."""

    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read ``path`` as one safe YAML mapping, or raise :class:`YamlReadError`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlReadError(YamlProblem("KB100", f"cannot read file: {exc.strerror}")) from None
    if size > max_bytes:
        raise YamlReadError(
            YamlProblem("KB104", f"file is {size:,} bytes; entries are limited to {max_bytes:,}")
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlReadError(YamlProblem("KB100", f"cannot read file: {exc.strerror}")) from None
    return parse(raw)


def parse(raw: bytes) -> Document:
    """Parse bytes into a :class:`Document`, or raise :class:`YamlReadError`."""
    text = _decode(raw)
    if not text.strip():
        raise YamlReadError(YamlProblem("KB105", "file is empty", 1, 1))
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise YamlReadError(YamlProblem("KB105", "file holds no YAML document", 1, 1))
        data = _construct(root, loader)
        if not isinstance(root, yaml.MappingNode):
            line, col = _pos(root.start_mark)
            kind = "a list" if isinstance(root, yaml.SequenceNode) else "a scalar"
            raise YamlReadError(
                YamlProblem("KB102", f"top level is {kind}; an entry is a mapping", line, col)
            )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _pos(mark) if mark is not None else (0, 0)
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlReadError(YamlProblem("KB101", f"invalid YAML: {what}", line, col)) from None
    except yaml.YAMLError as exc:
        raise YamlReadError(YamlProblem("KB101", f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()
    return Document(data=data, root=root)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        line = raw.count(b"\n", 0, offset) + 1
        raise YamlReadError(
            YamlProblem("KB103", "file is binary (NUL byte); entries are UTF-8 text", line, 1)
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlReadError(
            YamlProblem("KB103", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, col)
        ) from None


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _construct(root: yaml.Node, loader: Any) -> Any:
    """The data of the node tree, refusing non-standard tags, aliases, merge keys and
    duplicate keys where they are.

    One pass, breadth first and without recursion (libyaml nests up to 1,000 levels): a
    mapping or list is made empty where it occurs and filled when its turn comes, so a
    reused node is reported where it is first reused. Scalars other than strings are
    converted by the YAML library's own safe constructors.
    """
    seen: set[int] = set()
    pending: deque[tuple[yaml.Node, Any]] = deque()

    def make(node: yaml.Node) -> Any:
        if id(node) in seen:
            raise _problem(node, "KB107", "YAML anchors and aliases are not allowed in entries")
        seen.add(id(node))
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag in (_MAP, _SEQ):
            container: dict[Any, Any] | list[Any] = {} if tag == _MAP else []
            pending.append((node, container))
            return container
        if tag not in _SAFE_TAGS:
            raise _problem(node, "KB106", f"tag {tag!r} is not allowed (only plain YAML)")
        return loader.construct_object(node)

    data = make(root)
    while pending:
        node, container = pending.popleft()
        if isinstance(container, list):
            container.extend(make(item) for item in node.value)
            continue
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key.start_mark,
                )
            if key.value == "<<":
                raise _problem(key, "KB107", "YAML merge keys are not allowed")
            name = make(key)
            if name in container:
                raise _problem(key, "KB108", f"duplicate key {key.value!r}")
            container[name] = make(value)
    return data


def _problem(node: yaml.Node, code: str, message: str) -> YamlReadError:
    line, col = _pos(node.start_mark)
    return YamlReadError(YamlProblem(code, message, line, col))


def location(path: str, doc: Document | None, loc: Loc) -> Location:
    """A :class:`Location` for ``loc`` inside ``doc`` (file start when there is no document)."""
    if doc is None:
        return Location(path)
    line, col = doc.locate(loc)
    return Location(path, line, col)


def dump(data: Any) -> str:
    """Serialize data as block-style YAML, keys in the given order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
