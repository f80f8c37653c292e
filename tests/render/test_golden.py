"""The fixture KB's generated pages and exports match the golden files.

Run with ``KB_UPDATE_GOLDEN=1`` to rewrite the golden files after an intended change. Each
golden file is the site path plus ``.golden``, so that formatters leave Markdown alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kb.render.site import SiteSettings, fill_home, generate

from .conftest import ROOT, fixture_sources

GOLDEN = Path(__file__).parent / "golden"


@dataclass(frozen=True)
class _Rule:
    code: str
    name: str
    summary: str
    doc: str


RULES = (
    _Rule(
        "KB301",
        "signature-misses-example",
        "Every example matches a signature.",
        "# What\n\nA signature that misses its own examples.\n\n```yaml\nx: 1\n```",
    ),
)


def _generated() -> dict[str, str]:
    sources = fixture_sources()
    settings = SiteSettings(
        edit_base="https://github.com/example/kb/edit/main/",
        site_url="https://kb.example.org/",
        site_name="kb",
    )
    out = generate(sources, settings, RULES)
    home = (ROOT / "site/index.md").read_text(encoding="utf-8")
    out["index.md"] = fill_home(home, [s.entry for s in sources])
    return out


def test_generated_files_match_golden() -> None:
    generated = _generated()
    if os.environ.get("KB_UPDATE_GOLDEN") == "1":
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for path, text in generated.items():
            target = GOLDEN / f"{path}.golden"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    on_disk = {
        p.relative_to(GOLDEN).as_posix().removesuffix(".golden"): p.read_text(encoding="utf-8")
        for p in GOLDEN.rglob("*.golden")
    }
    assert sorted(on_disk) == sorted(generated)
    for path, text in generated.items():
        assert text == on_disk[path], f"{path} differs from its golden file"


def test_generation_is_deterministic() -> None:
    assert _generated() == _generated()
