"""A failed install is remembered, reported without trying again, and retried on request;
a failure that tells of the network failing is never remembered."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from kb.cli import main
from kb.verify import envs
from kb.verify.envs import Installer, transient
from tests.lint.factory import write
from tests.verify.conftest import ENTRY_ID, acme_entry

UV_NO_SOLUTION = """\
  × No solution found when resolving dependencies:
  ╰─▶ Because there is no version of acme-lint==2.5 and you require acme-lint==2.5, we can
      conclude that your requirements are unsatisfiable.
"""
UV_DNS = """\
error: Request failed after 3 retries
  Caused by: Failed to fetch: `https://pypi.org/simple/flask/`
  Caused by: error sending request for url (https://pypi.org/simple/flask/)
  Caused by: client error (Connect)
  Caused by: dns error: failed to lookup address information: Temporary failure in name resolution
"""
UV_503 = (
    "error: Failed to fetch: `https://pypi.org/simple/flask/`\n"
    "  Caused by: HTTP status server error (503 Service Unavailable) for url (https://pypi.org/simple/flask/)\n"
)
PIP_OFFLINE = (
    "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) "
    "after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection."
    "HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] "
    "Connection refused')': /simple/flask/\n"
    "ERROR: Could not find a version that satisfies the requirement flask==2.0.0 "
    "(from versions: none)\n"
    "ERROR: No matching distribution found for flask==2.0.0\n"
)
PIP_READ_TIMEOUT = (
    "ERROR: Exception:\npip._vendor.urllib3.exceptions.ReadTimeoutError: "
    "HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Read timed out.\n"
)
PIP_BUILD = (
    "error: subprocess-exited-with-error\n"
    "  × Building wheel for pyyaml (pyproject.toml) did not run successfully.\n"
    "  AttributeError: cython_sources\n"
    "ERROR: Could not build wheels for pyyaml, which is required to install pyproject.toml\n"
)


@pytest.mark.parametrize("output", [UV_DNS, UV_503, PIP_OFFLINE, PIP_READ_TIMEOUT])
def test_network_failures_are_transient(output: str) -> None:
    assert transient(output)


@pytest.mark.parametrize("output", [UV_NO_SOLUTION, PIP_BUILD, ""])
def test_resolution_and_build_failures_are_not(output: str) -> None:
    assert not transient(output)


class FakeMake:
    """Stands in for the installer's subprocesses: answers from a queue, counts calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: list[tuple[str | None, str, bool]] = []
        self.calls = 0
        monkeypatch.setattr(Installer, "_make", self.make)

    def make(self, target: Path, reqs: list[str], pins: list[str]) -> Any:
        self.calls += 1
        target.mkdir(parents=True, exist_ok=True)
        return self.answers.pop(0)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeMake:
    return FakeMake(monkeypatch)


def _installer(tmp_path: Path, **kw: Any) -> Installer:
    return Installer(cache=tmp_path / "cache", use_uv=False, **kw)


def test_a_failed_install_is_reported_from_the_cache_without_trying_again(
    tmp_path: Path, fake: FakeMake
) -> None:
    fake.answers = [("install failed: no acme-lint==2.5", UV_NO_SOLUTION, True)]
    first = _installer(tmp_path).environment(["acme-lint==2.5"])
    assert (first.error, first.cached) == ("install failed: no acme-lint==2.5", None)
    again = _installer(tmp_path).environment(["acme-lint==2.5"])
    today = dt.date.today().isoformat()
    assert again.error == f"install failed (cached {today}): no acme-lint==2.5"
    assert again.cached == today
    assert again.output == UV_NO_SOLUTION  # signatures still see what the install printed
    assert fake.calls == 1
    # another requirement set is its own install
    fake.answers = [(None, "", True)]
    assert _installer(tmp_path).environment(["acme-lint==3.0"]).error is None
    assert fake.calls == 2


def test_retry_failed_tries_again_once_per_run_and_a_success_forgets_the_failure(
    tmp_path: Path, fake: FakeMake
) -> None:
    fake.answers = [("install failed: broken", PIP_BUILD, True)]
    _installer(tmp_path).environment(["pyyaml==5.4.1"])
    retrying = _installer(tmp_path, retry_failed=True)
    fake.answers = [("install failed: still broken", PIP_BUILD, True)]
    assert retrying.environment(["pyyaml==5.4.1"]).error == "install failed: still broken"
    # a second run of the same retrying installer takes the new answer from the cache
    assert retrying.environment(["pyyaml==5.4.1"]).cached is not None
    assert fake.calls == 2
    fake.answers = [(None, "", True)]
    assert _installer(tmp_path, retry_failed=True).environment(["pyyaml==5.4.1"]).error is None
    assert not list((tmp_path / "cache" / "envs").glob(f"*{envs.FAILED}"))
    assert _installer(tmp_path).environment(["pyyaml==5.4.1"]).error is None
    assert fake.calls == 3


@pytest.mark.parametrize(
    "answer",
    [
        ("install failed: dns error", UV_DNS, True),
        ("install failed: no matching distribution", PIP_OFFLINE, True),
        ("install took longer than 600 s", "", False),
    ],
)
def test_network_failures_and_timeouts_are_tried_again(
    tmp_path: Path, fake: FakeMake, answer: tuple[str, str, bool]
) -> None:
    fake.answers = [answer, answer]
    for _ in range(2):
        found = _installer(tmp_path).environment(["flask==2.0.0"])
        assert found.error == answer[0] and found.cached is None
    assert fake.calls == 2


def test_a_failure_kept_by_another_installer_version_is_tried_again(
    tmp_path: Path, fake: FakeMake
) -> None:
    fake.answers = [("install failed: broken", PIP_BUILD, True)] * 2
    _installer(tmp_path).environment(["pyyaml==5.4.1"])
    (record,) = (tmp_path / "cache" / "envs").glob(f"*{envs.FAILED}")
    data = json.loads(record.read_text())
    assert data["requirements"] == ["pyyaml==5.4.1"] and data["error"] == "install failed: broken"
    data["installer"] = "pip 1.0"
    record.write_text(json.dumps(data))
    assert _installer(tmp_path).environment(["pyyaml==5.4.1"]).cached is None
    assert fake.calls == 2


def test_warm_run_reports_the_cached_failure_and_retry_failed_retries(
    tmp_path: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "entries"
    data = acme_entry()
    data["affected"]["conditions"] = data["affected"]["conditions"][:1]
    data["affected"]["conditions"][0]["releases"] = ["2.5", "3.0"]  # 2.5 does not exist
    write(root, data)
    made: list[list[str]] = []
    real = Installer._make

    def spy(self: Installer, target: Path, reqs: list[str], pins: list[str]) -> Any:
        made.append(reqs)
        return real(self, target, reqs, pins)

    monkeypatch.setattr(Installer, "_make", spy)
    args = ["verify", "--entries", str(root), "--no-index", "--find-links", str(wheels), "-q"]
    path = root / "acme-lint" / f"{ENTRY_ID}.verified.json"

    def reason_for_2_5() -> str:
        runs = json.loads(path.read_text())["runs"]
        return next(r["reason"] for r in runs if r["packages"]["acme-lint"] == "2.5")

    assert main(args) == 0
    assert reason_for_2_5().startswith("install failed: ")
    assert len(made) == 2
    assert main(args) == 0
    today = dt.date.today().isoformat()
    assert reason_for_2_5().startswith(f"install failed (cached {today}): ")
    assert len(made) == 2  # neither install was made again
    assert main([*args, "--retry-failed"]) == 0
    assert reason_for_2_5().startswith("install failed: ")
    assert made[2:] == [["acme-lint==2.5"]]


PIP_CONFLICT = """\
ERROR: Cannot install numba==0.60.0 and numpy==2.1.0 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested numpy==2.1.0
    numba 0.60.0 depends on numpy<2.1 and >=1.22

To fix this you could try to:
1. loosen the range of package versions you've specified
2. remove package versions to allow pip to attempt to solve the dependency conflict

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
"""


def test_a_pip_conflict_is_reported_by_what_conflicts_not_where_help_is() -> None:
    from kb.verify.envs import _last_line

    reason = _last_line(PIP_CONFLICT)
    assert reason.startswith("ERROR: Cannot install numba==0.60.0 and numpy==2.1.0")
    assert "numba 0.60.0 depends on numpy<2.1 and >=1.22" in reason
    assert "for help visit" not in reason and "To fix" not in reason


def test_uv_cause_and_a_lone_error_line_are_kept() -> None:
    from kb.verify.envs import _last_line

    uv = (
        "error: No solution found when resolving dependencies\n"
        "  cause: Because acme==1.0 has no usable wheels, we can conclude that your "
        "requirements are unsatisfiable.\n\nhint: Wheels are required\n"
    )
    assert _last_line(uv) == (
        "Because acme==1.0 has no usable wheels, we can conclude that your "
        "requirements are unsatisfiable."
    )
    assert _last_line("Collecting x\nERROR: No matching distribution found for x\n") == (
        "ERROR: No matching distribution found for x"
    )
    assert _last_line("") == "(no output)"
