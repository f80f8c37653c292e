"""kb verify --prune: cached environments no plan uses are removed, the others kept."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest

from kb.cli import main
from tests.lint.factory import write
from tests.verify.conftest import acme_entry


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # its own cache: pruning must not take environments other tests share
    path = tmp_path / "cache"
    monkeypatch.setenv("KB_CACHE_DIR", str(path))
    return path / "verify" / "envs"


def _prune(root: Path, wheels: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    args = ["verify", "--entries", str(root), "--no-index", "--find-links", str(wheels), "-q"]
    capsys.readouterr()
    assert main([*args, "--prune", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _environments(envs: Path) -> set[str]:
    return {p.name for p in envs.iterdir() if p.is_dir()}


def test_environments_no_plan_uses_are_removed_and_the_others_kept(
    tmp_path: Path, wheels: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "entries"
    data = acme_entry()
    write(root, data)
    args = ["verify", "--entries", str(root), "--no-index", "--find-links", str(wheels), "-q"]
    assert main(args) == 0
    used = _environments(cache)
    assert len(used) == 3
    # what an older plan left: an environment and a remembered failure
    (cache / "0123456789abcdef0123").mkdir()
    (cache / "0123456789abcdef0123" / "file").write_bytes(b"x" * 1000)
    (cache / "0123456789abcdef0123.lock").touch()
    (cache / "fedcba98765432101234.failed.json").write_text("{}")

    said = _prune(root, wheels, capsys, "--dry-run")
    assert said["removed"] == ["0123456789abcdef0123", "fedcba98765432101234"]
    assert said["freed_bytes"] >= 1002 and said["kept"] == 3 and said["dry_run"]
    assert (cache / "0123456789abcdef0123").is_dir()

    said = _prune(root, wheels, capsys)
    assert said["removed"] == ["0123456789abcdef0123", "fedcba98765432101234"]
    assert _environments(cache) == used
    assert sorted(p.name for p in cache.iterdir() if not p.is_dir()) == sorted(
        f"{key}.lock" for key in used
    )
    # the next run still finds every environment it needs: nothing is installed again
    assert _prune(root, wheels, capsys)["removed"] == []

    # an entry that no longer lists a release leaves that release's environment unused
    data["affected"]["conditions"][0]["releases"].remove("2.9")
    write(root, data)
    said = _prune(root, wheels, capsys)
    assert len(said["removed"]) == 1 and said["kept"] == 2


def test_an_environment_being_made_is_left_alone(
    tmp_path: Path, wheels: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "entries"
    write(root, acme_entry())
    cache.mkdir(parents=True)
    (cache / "0123456789abcdef0123").mkdir()
    with open(cache / "0123456789abcdef0123.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        said = _prune(root, wheels, capsys)
    assert said["busy"] == ["0123456789abcdef0123"] and said["removed"] == []
    assert (cache / "0123456789abcdef0123").is_dir()


def test_prune_takes_no_ids_and_says_what_it_did_in_text(
    entries: Path, wheels: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--entries", str(entries), "--prune", "acme-x"]) == 2
    assert "--prune: every entry's plan decides what is kept" in capsys.readouterr().err
    assert main(["verify", "--entries", str(entries), "--prune", "-q"]) == 0
    out = capsys.readouterr().out
    assert "removed 0 environments or remembered failures (0.0 MB); kept 0" in out
