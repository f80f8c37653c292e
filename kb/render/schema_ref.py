"""The entry format reference page, generated from the entry JSON Schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kb.render.markup import md_inline


def _type(prop: Mapping[str, Any]) -> str:
    if "$ref" in prop:
        name = str(prop["$ref"]).rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        kinds = [_type(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(kinds)
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    kind = str(prop.get("type", "any"))
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if prop.get("format"):
        return f"{kind} ({prop['format']})"
    return kind


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _constraints(prop: Mapping[str, Any]) -> str:
    found = []
    for key, label in (
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "at least"),
        ("minimum", "≥"),
        ("maximum", "≤"),
    ):
        if key in prop:
            found.append(f"{label} {prop[key]}")
    if "pattern" in prop:
        found.append(f"pattern `{prop['pattern']}`")
    return "; ".join(found)


def _object(title: str, schema: Mapping[str, Any], level: str) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| Key | Type | Required | Meaning |", "| --- | --- | --- | --- |"]
    for key, prop in schema.get("properties", {}).items():
        meaning = _cell(str(prop.get("description", "")))
        extra = _constraints(prop)
        if extra:
            meaning += f" ({_cell(extra)})"
        rows.append(
            f"| `{key}` | {_type(prop)} | {'yes' if key in required else 'no'} | {meaning} |"
        )
    return [
        f"{level} {title} {{ #{title.lower()} }}",
        _cell(str(schema.get("description", ""))),
        "\n".join(rows),
    ]


def format_page(schema: Mapping[str, Any]) -> str:
    """Markdown of the entry format reference."""
    parts = [
        "# Entry format",
        "Every entry is one YAML file, `entries/<package>/<id>.yaml`. This page is generated "
        "from the JSON Schema (`kb schema`), which editors also use to complete and check "
        "entries while you type.",
        *_object("Entry", schema, "##"),
    ]
    defs: Mapping[str, Any] = schema.get("$defs", {})
    for name in sorted(defs):
        sub = defs[name]
        if "enum" in sub:
            values = ", ".join(f"`{v}`" for v in sub["enum"])
            parts.append(f"## {name} {{ #{name.lower()} }}")
            parts.append(f"{md_inline(str(sub.get('description', '')))} One of: {values}.")
        else:
            parts.extend(_object(name, sub, "##"))
    return "\n\n".join(parts) + "\n"
