"""For every rule code, a failing and a passing fixture, built in a temporary directory.

Each ``bad`` writes a tree under ``root`` and returns the file that must get the finding
and a fragment of the line it must point at (``None`` when the finding has no line).
Each ``good`` writes the closest tree that must not get the finding.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.lint.factory import BASE, MODELINE, distinct, dump, entry, write

Bad = Callable[[Path], tuple[Path, str | None]]
Good = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """The failing and the passing fixture of one rule."""

    bad: Bad
    good: Good


def _base(root: Path) -> None:
    write(root)


def _sig(**changes: Any) -> list[dict[str, Any]]:
    sig = dict(BASE["signatures"][0])
    for key, value in changes.items():
        if value is None:
            sig.pop(key, None)
        else:
            sig[key] = value
    return [sig]


def _cond(index: int, **changes: Any) -> dict[str, Any]:
    conds = [dict(c) for c in BASE["affected"]["conditions"]]
    conds[index].update(changes)
    return {"conditions": conds}


def _text(root: Path, body: str | bytes, name: str = "acme-lint-41-parse-frame-removed") -> Path:
    return write(root, text=body, folder="acme-lint", name=name)


def _kb100(root: Path) -> tuple[Path, str | None]:
    write(root)
    link = root / "acme-lint" / "acme-lint-42-gone.yaml"
    os.symlink(root / "nowhere.yaml", link)
    return link, None


def _kb101(root: Path) -> tuple[Path, str | None]:
    return _text(root, MODELINE + "id: x\nsummary: a: b\nwhy: c\n"), "summary"


def _kb102(root: Path) -> tuple[Path, str | None]:
    return _text(root, MODELINE + "- id: x\n- id: y\n"), "- id: x"


def _kb103(root: Path) -> tuple[Path, str | None]:
    return _text(root, (MODELINE + "id: x\ntitle: caf\xe9\n").encode("latin-1")), "caf"


def _kb104(root: Path) -> tuple[Path, str | None]:
    return _text(root, MODELINE + "summary: " + "x" * (1024 * 1024 + 10) + "\n"), None


def _kb105(root: Path) -> tuple[Path, str | None]:
    return _text(root, "\n  \n"), None


def _kb106(root: Path) -> tuple[Path, str | None]:
    body = dump(entry()).replace("title: ", "title: !!python/object/apply:os.system ", 1)
    return _text(root, body), "title:"


def _kb107(root: Path) -> tuple[Path, str | None]:
    body = dump(entry(tags=None)) + "tags: &t [a, b]\nprevention: *t\n"
    return _text(root, body), "tags: &t"


def _kb108(root: Path) -> tuple[Path, str | None]:
    return _text(root, dump(entry()) + "status: open\n"), "status: open"


def _kb109(root: Path) -> tuple[Path, str | None]:
    write(root)
    link = root / "acme-lint" / "loop"
    os.symlink("..", link)
    return link, None


def _kb110(root: Path) -> tuple[Path, str | None]:
    return write(root, modeline=False), "id:"


def _kb201(root: Path) -> tuple[Path, str | None]:
    data = entry()
    data["fixs"] = []
    return write(root, data), "fixs:"


def _kb202(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(verify=None)), "id:"


def _kb203(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(status="fixed")), "status:"


def _kb301(root: Path) -> tuple[Path, str | None]:
    return write(root, name="acme-lint-41-other-name"), "id:"


def _kb302(root: Path) -> tuple[Path, str | None]:
    return write(root, folder="acme-app"), "package:"


def _kb303(root: Path) -> tuple[Path, str | None]:
    write(root)
    copy = write(root, folder="acme-lint", name="acme-lint-41-zz-copy")
    return copy, "id:"


def _kb303_good(root: Path) -> None:
    write(root)
    write(root, distinct("acme-lint-43-parse-frame-other", "other_frame"))


def _kb304(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(package="Acme_Lint"), folder="acme-lint"), "package:"


def _kb401(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(signatures=_sig(regex="cannot import name '(parse_frame"))), "regex:"


def _kb402(root: Path) -> tuple[Path, str | None]:
    return write(
        root, entry(signatures=_sig(regex="cannot import name 'parse_frames' from"))
    ), "regex:"


def _kb403(root: Path) -> tuple[Path, str | None]:
    return write(
        root, entry(signatures=_sig(regex=None))
    ), "    from acme_lint.codec import parse_frames"


def _kb403_good(root: Path) -> None:
    write(root)


def _kb404(root: Path) -> tuple[Path, str | None]:
    sigs = _sig(regex="cannot import name '\\w+' from 'acme_lint\\.codec'")
    return write(root, entry(signatures=sigs)), "parse_header"


def _kb407(root: Path) -> tuple[Path, str | None]:
    regex = "cannot import name '(\\w+_?)+' from 'acme_lint\\.codec'"
    return write(root, entry(signatures=_sig(regex=regex))), "regex:"


def _kb405(root: Path) -> tuple[Path, str | None]:
    sigs = [*_sig(), {"kind": "exception", "text": "Traceback (most recent call last):"}]
    return write(root, entry(signatures=sigs)), "text: 'Traceback"


def _kb406(root: Path) -> tuple[Path, str | None]:
    write(root)
    # Same signature once paths and numbers are normalized away.
    sig = _sig(
        text="ImportError: cannot import name 'parse_frame' from 'acme_lint.codec' ", regex=None
    )
    other = entry(
        id="acme-lint-43-parse-frame-again", signatures=sig, examples=BASE["examples"][:1]
    )
    return write(root, other), "text: 'ImportError"


def _kb501(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(affected=_cond(0, specifier=">= 3.x"))), "specifier: '>= 3.x'"


def _kb502(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(affected=_cond(1, fixed="v1.4 (next)"))), "fixed:"


def _kb503(root: Path) -> tuple[Path, str | None]:
    fixes = [dict(BASE["fixes"][0], requires="acme-app 1.4 or later")]
    return write(root, entry(fixes=fixes)), "requires:"


def _kb504(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(affected=_cond(1, specifier="<=1.4"))), "fixed:"


def _kb505(root: Path) -> tuple[Path, str | None]:
    refs = BASE["evidence"]["references"][:1]
    ev = dict(BASE["evidence"], references=refs)
    return write(root, entry(status="fixed-upstream", evidence=ev)), "status:"


def _kb505_good(root: Path) -> None:
    write(root, entry(status="fixed-upstream"))


def _kb506(root: Path) -> tuple[Path, str | None]:
    aff = dict(BASE["affected"], marker="windows only")
    return write(root, entry(affected=aff)), "marker:"


def _kb506_good(root: Path) -> None:
    write(root, entry(affected=dict(BASE["affected"], marker='sys_platform == "win32"')))


def _verified(root: Path, outcome: str, date: str | None = None, **changes: Any) -> Path:
    """An entry that says it was reproduced, and its verification file with one run of
    acme-app 1.4 (fixed) and acme-lint 3.0 whose outcome is ``outcome``."""
    from kb.loader import load_file
    from kb.verify.record import RunRecord, Verification, entry_hash, path_for

    ev = dict(BASE["evidence"], reproduced={"done": True, "how": "kb verify."})
    path = write(root, entry(evidence=ev, **changes))
    loaded, _ = load_file(path)
    assert loaded is not None
    matched = BASE["signatures"][0]["text"] if outcome == "affected" else None
    run = RunRecord(
        (("acme-app", "1.4"), ("acme-lint", "3.0")), "3.11.7", "not-affected", outcome, matched
    )
    when = date or dt.date.today().isoformat()
    record = Verification(
        loaded.entry.id, entry_hash(loaded.entry), when, "0.1.0", "CPython 3.11.7",
        "linux-x86_64", "uv 0.5.0", [run],
    )  # fmt: skip
    path_for(path).write_text(record.to_json(), encoding="utf-8")
    return path


def _kb507(root: Path) -> tuple[Path, str | None]:
    return _verified(root, "affected"), "conditions:"


def _kb507_good(root: Path) -> None:
    _verified(root, "not-affected")


def _kb701(root: Path) -> tuple[Path, str | None]:
    path = _verified(root, "not-affected")
    path.with_name(path.stem + ".verified.json").unlink()
    return path, "reproduction:"


def _kb702(root: Path) -> tuple[Path, str | None]:
    return _verified(root, "not-affected", date="2020-01-31"), "reproduction:"


def _kb601(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(related=["acme-lint-40-no-such-entry"])), "acme-lint-40-no-such-entry"


def _kb601_good(root: Path) -> None:
    _kb303_good(root)
    write(root, entry(related=["acme-lint-43-parse-frame-other"]))


def _kb602(root: Path) -> tuple[Path, str | None]:
    ev = dict(
        BASE["evidence"],
        references=[{"kind": "issue", "url": "github.com/acme/acme-lint/issues/41"}],
    )
    return write(root, entry(evidence=ev)), "url: github.com"


def _kb603(root: Path) -> tuple[Path, str | None]:
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    return write(root, entry(last_verified=future)), "last_verified:"


def _kb604(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(last_verified=None)), "created:"


def _kb605(root: Path) -> tuple[Path, str | None]:
    repro = {"language": "python", "code": "from acme_lint.codec import (parse_frame\n"}
    return write(root, entry(reproduction=repro)), "code:"


def _kb605_good(root: Path) -> None:
    # Shell is not parsed as Python; an invalid escape only warns.
    write(
        root, entry(reproduction={"language": "python", "code": "import re\nre.compile('\\d')\n"})
    )
    shell = {"language": "shell", "code": "pip install 'acme-lint>=3' && python -c 'import x' ((("}
    write(root, distinct("acme-lint-44-shell", "shell_frame", reproduction=shell))


def _kb606(root: Path) -> tuple[Path, str | None]:
    return write(
        root, entry(why="acme-app imported it in <module> at start-up.")
    ), "why: acme-app imported"


def _kb606_good(root: Path) -> None:
    write(root, entry(why="acme-app imported it in `<module>`; a < b > c is prose."))


def _kb607(root: Path) -> tuple[Path, str | None]:
    return write(root, entry(trigger="FILL IN: what brings the failure on")), "trigger:"


CASES: dict[str, Case] = {
    "KB100": Case(_kb100, _base),
    "KB101": Case(_kb101, _base),
    "KB102": Case(_kb102, _base),
    "KB103": Case(_kb103, _base),
    "KB104": Case(_kb104, _base),
    "KB105": Case(_kb105, _base),
    "KB106": Case(_kb106, _base),
    "KB107": Case(_kb107, _base),
    "KB108": Case(_kb108, _base),
    "KB109": Case(_kb109, _base),
    "KB110": Case(_kb110, _base),
    "KB201": Case(_kb201, _base),
    "KB202": Case(_kb202, _base),
    "KB203": Case(_kb203, _base),
    "KB301": Case(_kb301, _base),
    "KB302": Case(_kb302, _base),
    "KB303": Case(_kb303, _kb303_good),
    "KB304": Case(_kb304, _base),
    "KB401": Case(_kb401, _base),
    "KB402": Case(_kb402, _base),
    "KB403": Case(_kb403, _kb403_good),
    "KB404": Case(_kb404, _base),
    "KB405": Case(_kb405, _base),
    "KB406": Case(_kb406, _kb303_good),
    "KB407": Case(_kb407, _base),
    "KB501": Case(_kb501, _base),
    "KB502": Case(_kb502, _base),
    "KB503": Case(_kb503, _base),
    "KB504": Case(_kb504, _base),
    "KB505": Case(_kb505, _kb505_good),
    "KB506": Case(_kb506, _kb506_good),
    "KB507": Case(_kb507, _kb507_good),
    "KB601": Case(_kb601, _kb601_good),
    "KB602": Case(_kb602, _base),
    "KB603": Case(_kb603, _base),
    "KB604": Case(_kb604, _base),
    "KB605": Case(_kb605, _kb605_good),
    "KB606": Case(_kb606, _kb606_good),
    "KB607": Case(_kb607, _base),
    "KB701": Case(_kb701, _kb507_good),
    "KB702": Case(_kb702, _kb507_good),
}
