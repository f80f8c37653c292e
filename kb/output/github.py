"""GitHub Actions workflow commands (``::error file=...::message``): the one escaper."""

from __future__ import annotations


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(  # noqa: PLR0917 - the fields of a workflow command, in its order
    level: str,
    title: str,
    message: str,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
) -> str:
    """One ``::error`` / ``::warning`` / ``::notice`` line."""
    props = []
    if file:
        props.append(f"file={_prop(file)}")
        if line:
            props.append(f"line={line}")
            if col:
                props.append(f"col={col}")
    props.append(f"title={_prop(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}"
