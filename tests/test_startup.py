"""kb.startup: the run-time NamedTuple behaves as typing's; regexes compile on first use."""

from __future__ import annotations

import re
import typing

import pytest

from kb.startup import NamedTuple, lazy_regex


class Point(NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str | None = None

    def norm(self) -> int:
        return abs(self.x) + abs(self.y)

    @property
    def origin(self) -> bool:
        return self.x == self.y == 0

    @classmethod
    def parse(cls, text: str) -> Point:
        x, y = text.split(",")
        return cls(int(x), int(y))


class TypingPoint(typing.NamedTuple):
    x: int
    y: int = 0
    label: str | None = None


def test_a_named_tuple_is_built_as_typing_builds_it() -> None:
    point = Point(3, -4)
    assert point == (3, -4, None) == TypingPoint(3, -4)
    assert isinstance(point, tuple)
    assert Point._fields == TypingPoint._fields == ("x", "y", "label")
    assert Point._field_defaults == TypingPoint._field_defaults == {"y": 0, "label": None}
    assert point._replace(label="p") == Point(3, -4, "p")
    assert Point(x=1, label="a") == (1, 0, "a")
    assert repr(point) == "Point(x=3, y=-4, label=None)"
    assert Point.__qualname__ == "Point" and Point.__module__ == __name__
    assert Point.__doc__ == "A point."
    assert list(Point.__annotations__) == ["x", "y", "label"]


def test_its_methods_properties_and_classmethods_are_kept() -> None:
    assert Point(3, -4).norm() == 7
    assert Point(0).origin and not Point(1).origin
    assert Point.parse("1,2") == Point(1, 2)


def test_a_field_without_a_default_may_not_follow_one_with_a_default() -> None:
    with pytest.raises(TypeError, match="follows one with a default"):

        class Bad(NamedTuple):
            a: int = 0
            b: int  # type: ignore[misc]


def test_a_lazy_regex_compiles_once_on_first_call() -> None:
    pattern = lazy_regex(r"a+b", re.IGNORECASE)
    assert pattern() is pattern()
    assert pattern().fullmatch("AAb")
