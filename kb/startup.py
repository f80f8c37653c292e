"""What the modules a search imports use to start quickly.

A search of one error line costs little more than a bare interpreter when it imports and
compiles only what it uses. Importing :mod:`typing` costs about a seventh of a bare
interpreter's start-up, ``typing.NamedTuple`` compiles every field's annotation, and
compiling all the regular expressions a module may need costs a search more than running
the few it does; hence:

- :class:`NamedTuple`: type checkers see :class:`typing.NamedTuple` (they take any name
  ``TYPE_CHECKING`` as true); at run time the class statement makes the same
  :func:`collections.namedtuple` class, fields, defaults and methods included, leaving the
  annotations as they are. Modules that use it keep their annotations postponed
  (``from __future__ import annotations``), so that nothing in them is evaluated.
- :func:`lazy_regex`: a regular expression compiled on first use.
"""

import re
from collections.abc import Callable
from functools import cache

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from collections import namedtuple

    _KEPT = frozenset({"__module__", "__qualname__", "__annotations__"})

    class _NamedTupleMeta(type):
        def __new__(mcls, name, bases, namespace):
            if not bases:  # NamedTuple itself
                return super().__new__(mcls, name, bases, namespace)
            fields = tuple(namespace.get("__annotations__", {}))
            defaults = [namespace[f] for f in fields if f in namespace]
            if any(f not in namespace for f in fields[len(fields) - len(defaults) :]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            cls = namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            cls.__qualname__ = namespace["__qualname__"]
            cls.__annotations__ = dict(namespace.get("__annotations__", {}))
            for key, value in namespace.items():
                if key not in _KEPT and key not in fields:
                    setattr(cls, key, value)
            return cls

    class NamedTuple(metaclass=_NamedTupleMeta):
        """Base of a named tuple declared with annotated fields (see the module)."""


def lazy_regex(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function that returns ``re.compile(pattern, flags)``, compiling it on first call."""
    return cache(lambda: re.compile(pattern, flags))


__all__ = ["TYPE_CHECKING", "NamedTuple", "lazy_regex"]
