"""Which words of a signature identify one failure: the test for signatures that say too little.

Lint (KB405) rejects a signature without such words; search never labels a match on one
*high* confidence. Pure and quick to import: the exact path of search uses it.
"""

from __future__ import annotations

import re

_STOP_WORDS = """
    a an and are as at be but by can cannot could did do does for from got had has have in
    into is it its not no of on or that the this to was were with while when which
    traceback most recent call last file line during handling above another occurred direct
    cause following error errors exception exceptions warning failed fail failure fatal
    invalid value type object module name named import attribute argument arguments keyword
    unexpected found such directory none true false self args kwargs str int bytes list dict
    expected missing required positional unknown unsupported called raise raised info debug
    critical command exit status code returned zero process subprocess exited note
"""
_STOP = frozenset(_STOP_WORDS.split())
_EXCEPTION_ENDINGS = ("error", "exception", "warning", "exit", "interrupt")


_PART = re.compile(r"[a-z][a-z0-9]{2,}")


def identifying_words(text: str) -> list[str]:
    """Words of ``text`` that tell one failure from another (no stop words, no exception names).

    Identifiers count by their parts: ``url_quote`` gives ``url`` and ``quote``.
    """
    words = dict.fromkeys(_PART.findall(text.lower()))
    return [w for w in words if w not in _STOP and not w.endswith(_EXCEPTION_ENDINGS)]
