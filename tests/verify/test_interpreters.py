"""Interpreters of other minor versions: found on PATH, in pyenv and with --python, and used
for the runs of their minor version."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from kb.cli import main
from kb.errors import UsageError
from kb.models import Entry
from kb.verify import interpreters
from kb.verify.core import Settings, plan
from kb.verify.envs import Installer
from kb.verify.interpreters import discover
from kb.verify.plan import expected_of
from tests.lint.factory import write
from tests.verify.conftest import ENTRY_ID, acme_entry

SEARCH = interpreters._candidates
"""The real search of the machine (the package's conftest turns it off for other tests)."""


@pytest.fixture(autouse=True)
def _search_the_given_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interpreters, "_candidates", SEARCH)


def fake_python(path: Path, answer: str) -> Path:
    """An interpreter that says it is ``answer`` (``CPython 3.99.1``), installed in
    ``/opt/fake/3.99.1``, when kb asks, and is the interpreter running the tests for
    everything else."""
    implementation, version = answer.split()
    said = f"{implementation}\n{version}\n/opt/fake/{version}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        f"if sys.argv[1:] == ['-c', {interpreters._ASK!r}]:\n"
        f"    print({said!r})\n"
        "    sys.exit(0)\n"
        f"os.execv({sys.executable!r}, [{sys.executable!r}, *sys.argv[1:]])\n",
        encoding="utf-8",
    )
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, str]:
    """PATH with python3.99 and a PyPy, pyenv with 3.98 and a broken build."""
    bin_dir = tmp_path / "bin"
    fake_python(bin_dir / "python3.99", "CPython 3.99.1")
    fake_python(bin_dir / "python3.10", "PyPy 3.10.14")
    pyenv = tmp_path / "pyenv"
    fake_python(pyenv / "versions" / "3.98.2" / "bin" / "python3", "CPython 3.98.2")
    fake_python(pyenv / "versions" / "3.99.0" / "bin" / "python3", "CPython 3.99.0")
    broken = pyenv / "versions" / "3.97.0" / "bin" / "python3"
    broken.parent.mkdir(parents=True)
    broken.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    return {"PATH": str(bin_dir), "PYENV_ROOT": str(pyenv)}


def test_interpreters_are_found_on_path_and_in_pyenv_first_found_first(
    machine: dict[str, str],
) -> None:
    found = discover(environ=machine)
    assert found["3.99"].version == "3.99.1" and found["3.99"].source == "PATH"
    assert found["3.98"].version == "3.98.2" and found["3.98"].source == "pyenv"
    # the PyPy and the interpreter that does not answer are passed over
    assert "3.10" not in found or found["3.10"].source == "running kb"
    assert "3.97" not in found
    this = found[f"{sys.version_info[0]}.{sys.version_info[1]}"]
    assert this.source == "running kb" and this.prefix == sys.base_prefix
    assert found["3.99"].prefix == "/opt/fake/3.99.1"
    assert set(discover(environ=machine, search=False)) == {this.minor}


def test_a_given_interpreter_comes_first_and_a_bad_one_is_a_usage_error(
    machine: dict[str, str], tmp_path: Path
) -> None:
    given = fake_python(tmp_path / "mine" / "python", "CPython 3.99.7")
    found = discover([str(given)], environ=machine)
    assert (found["3.99"].version, found["3.99"].source) == ("3.99.7", "--python")
    with pytest.raises(UsageError, match=r"--python .*python3\.10: is PyPy, not CPython"):
        discover([str(Path(machine["PATH"]) / "python3.10")], environ=machine)
    with pytest.raises(UsageError, match="does not run"):
        discover([str(tmp_path / "nowhere")], environ=machine)


def _on_python(specifier: str, releases: list[str]) -> Entry:
    data = acme_entry()
    data["affected"]["conditions"].append(
        {"package": "python", "specifier": specifier, "releases": releases}
    )
    return Entry.model_validate(data)


def test_python_releases_are_planned_on_the_interpreter_of_their_minor_version() -> None:
    entry = _on_python(">=3.99", ["3.98.0", "3.99.0"])
    found = {"3.99": interpreters.Interpreter("/x/python3.99", "3.99.4", "PATH")}
    settings = Settings(installer=Installer(use_uv=False), python="3.11.7", interpreters=found)
    by_python = {c.python: c.expected.value for c in plan(entry, settings)}
    # 3.99.0 runs on this machine's 3.99.4 and is judged as 3.99.4; 3.98 stays as planned
    assert by_python["3.99.4"] == "affected"
    assert by_python["3.98.0"] == "not-affected"
    assert "3.99.0" not in by_python
    assert settings.installer_for("3.99.4").interpreter == "/x/python3.99"  # type: ignore[union-attr]
    assert settings.installer_for("3.98.0") is None
    assert settings.installer_for("3.11.7") is settings.installer


def test_markers_are_judged_for_the_interpreter_of_the_run() -> None:
    data = acme_entry()
    data["affected"]["marker"] = 'python_version >= "3.99"'
    entry = Entry.model_validate(data)
    packages = (("acme-app", "1.3"), ("acme-lint", "3.0"))
    assert expected_of(entry, packages, "3.99.1").value == "affected"
    assert expected_of(entry, packages, "3.11.7").value == "not-affected"


def test_verify_runs_on_an_interpreter_given_with_python(
    tmp_path: Path, wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "entries"
    data = acme_entry()
    data["affected"]["conditions"].append(
        {"package": "python", "specifier": ">=3.8", "releases": ["3.99.1", "3.98.1"]}
    )
    write(root, data)
    given = fake_python(tmp_path / "bin" / "python3.99", "CPython 3.99.1")
    args = ["verify", "--entries", str(root), "--no-index", "--find-links", str(wheels)]
    assert main([*args, "--this-python-only", "--python", str(given)]) == 0
    assert "interpreters: " in capsys.readouterr().err
    path = root / "acme-lint" / f"{ENTRY_ID}.verified.json"
    runs = {r["python"]: r for r in json.loads(path.read_text())["runs"]}
    # run, not "needs Python 3.99": the reproduction ran in an environment of that interpreter
    assert (runs["3.99.1"]["outcome"], runs["3.99.1"]["reason"]) == ("affected", None)
    assert runs["3.98.1"]["reason"] == "needs Python 3.98, not on this machine"
    assert main(["verify", "--entries", str(root), "--check"]) == 0


@pytest.mark.skipif(os.name != "posix", reason="POSIX interpreter scripts")
def test_the_running_interpreter_is_not_asked_again(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    name = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    (bin_dir / name).symlink_to(os.path.realpath(sys.executable))
    found = discover(environ={"PATH": str(bin_dir), "PYENV_ROOT": str(tmp_path / "none")})
    assert [i.source for i in found.values()] == ["running kb"]


def test_shell_reproductions_find_the_interpreters_as_python_x_y(
    tmp_path: Path, wheels: Path
) -> None:
    root = tmp_path / "entries"
    data = acme_entry()
    data["reproduction"] = {
        "language": "shell",
        # fails (bash -e) unless the interpreter given with --python is on PATH
        "code": "python3.99 -c 'import sys'\nvenv/bin/python -c 'import acme_app'\n",
    }
    write(root, data)
    given = fake_python(tmp_path / "bin" / "python", "CPython 3.99.1")
    args = ["verify", "--entries", str(root), "--no-index", "--find-links", str(wheels), "-q"]
    assert main([*args, "--python", str(given)]) == 0
    path = root / "acme-lint" / f"{ENTRY_ID}.verified.json"
    outcomes = [r["outcome"] for r in json.loads(path.read_text())["runs"]]
    assert outcomes == ["not-affected", "affected", "not-affected"]
    assert main([*args]) == 0
    runs = json.loads(path.read_text())["runs"]
    assert {r["outcome"] for r in runs} == {"inconclusive"}
    assert "python3.99: command not found" in runs[0]["reason"]


def test_paths_of_every_interpreter_are_left_out_of_the_output() -> None:
    from kb.verify.runner import _anonymize

    said = _anonymize(
        "ImportError: cannot import name 'gcd' from 'fractions' "
        "(/opt/fake/3.99.1/lib/python3.99/fractions.py) in /tmp/w/x.py at /e/lib; "
        f"{tempfile.gettempdir()}/tmpx3zrp41a/pyproject.toml",
        Path("/e"),
        Path("/tmp/w"),
        ["/opt/fake/3.99.1"],
    )
    assert said == (
        "ImportError: cannot import name 'gcd' from 'fractions' "
        "(<python>/lib/python3.99/fractions.py) in ./x.py at venv/lib; <tmp>/pyproject.toml"
    )


def _asking_for_python_3_99(tmp_path: Path, wheels: Path) -> tuple[Path, list[str]]:
    """An entries tree whose one reproduction asks for Python 3.99, and the arguments that
    verify it from the local wheels."""
    root = tmp_path / "entries"
    data = acme_entry()
    data["reproduction"]["python"] = "3.99"
    write(root, data)
    return root, ["verify", "--entries", str(root), "--no-index", "--find-links", str(wheels), "-q"]


def test_a_reproduction_that_asks_for_a_python_runs_its_packages_there(
    tmp_path: Path, wheels: Path
) -> None:
    root, args = _asking_for_python_3_99(tmp_path, wheels)
    path = root / "acme-lint" / f"{ENTRY_ID}.verified.json"
    # without an interpreter of that version every run says what it needs
    assert main(args) == 0
    runs = json.loads(path.read_text())["runs"]
    assert {(r["python"], r["reason"]) for r in runs} == {
        ("3.99", "needs Python 3.99, not on this machine")
    }
    given = fake_python(tmp_path / "bin" / "python", "CPython 3.99.1")
    assert main([*args, "--python", str(given)]) == 0
    runs = json.loads(path.read_text())["runs"]
    assert [(r["python"], r["outcome"]) for r in runs] == [
        ("3.99.1", "not-affected"),
        ("3.99.1", "affected"),
        ("3.99.1", "not-affected"),
    ]
    assert main(["verify", "--entries", str(root), "--check"]) == 0


def test_the_python_of_a_reproduction_is_part_of_what_verification_depends_on() -> None:
    from kb.verify.record import entry_hash

    plain = Entry.model_validate(acme_entry())
    data = acme_entry()
    data["reproduction"]["python"] = "3.9"
    assert entry_hash(Entry.model_validate(data)) != entry_hash(plain)
    data["reproduction"]["python"] = "3.9.18"  # a minor version, not a release
    with pytest.raises(ValueError, match="pattern"):
        Entry.model_validate(data)


def test_bisect_runs_on_the_python_the_reproduction_asks_for(
    tmp_path: Path, wheels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, args = _asking_for_python_3_99(tmp_path, wheels)
    bisect = ["--json", "--bisect", "acme-app", ENTRY_ID]
    assert main([*args, *bisect]) == 1  # nothing affected: no agreement to report
    tested = json.loads(capsys.readouterr().out)["tested"]
    assert {t["detail"] for t in tested.values()} == {"needs Python 3.99, not on this machine"}
    given = fake_python(tmp_path / "bin" / "python", "CPython 3.99.1")
    assert main([*args, "--python", str(given), *bisect]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["first_fixed"], data["proposed"]) == ("1.4", "<1.4")
