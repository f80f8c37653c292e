"""Local wheels of tiny packages and an entries tree about them; a private cache per session."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lint.factory import BASE, write
from tests.verify.wheels import acme_wheels


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return acme_wheels(tmp_path_factory.mktemp("wheels"))


@pytest.fixture(scope="session")
def broken_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return acme_wheels(tmp_path_factory.mktemp("broken-wheels"), broken_fix=True)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kb-cache")


@pytest.fixture(autouse=True)
def _private_cache(shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Environments are keyed by their requirements and wheel sources, so tests can share them.
    monkeypatch.setenv("KB_CACHE_DIR", str(shared_cache))
    yield


@pytest.fixture(autouse=True)
def _no_other_interpreters(monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs use only the interpreter running the tests, whatever else this machine has.
    from kb.verify import interpreters

    monkeypatch.setattr(interpreters, "_candidates", lambda env: iter(()))


def acme_entry(**changes: Any) -> dict[str, Any]:
    """The lint tests' clean entry, reproduced by importing acme_app."""
    data = copy.deepcopy(BASE)
    data["reproduction"] = {"language": "python", "code": "import acme_app\n"}
    data["evidence"]["reproduced"] = {"done": True, "how": "kb verify, local wheels."}
    data.update(changes)
    return data


@pytest.fixture
def entries(tmp_path: Path) -> Path:
    root = tmp_path / "entries"
    write(root, acme_entry())
    return root


ENTRY_ID = BASE["id"]
