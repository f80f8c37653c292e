"""Understanding what the user pasted: failure lines, exception types, packages, Python version.

Works on an error line, a whole traceback (chained exceptions included), a pytest or CI
log, pip/setuptools build output, or a few plain words. Pure text processing; the result
is data that ranking uses and that ``--json`` shows under ``query``.
"""

from __future__ import annotations

import re

from kb.startup import lazy_regex

MAX_QUERY_BYTES = 256 * 1024
"""Search reads at most this much of a query: the tail, where a traceback ends."""

# Compiled on first use: a one-line query needs few of them. Each but the first is tried
# only on text with a substring all its matches have.
# An exception line: optional pytest "E   " marker or log prefix, a (dotted) type name, ": ".
_EXC_LINE = lazy_regex(
    r"^(?:E\s+)?(?P<type>(?:[A-Za-z_][A-Za-z0-9_]*\.)*"
    r"(?:[A-Z][A-Za-z0-9_]*(?:Error|Exception|Warning|Exit|Interrupt|Failure|Fault)"
    r"|[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*))"
    r"(?::(?:\s|$)|$)"
)
# Log lines that report a failure: upper-case levels as loggers print them, and the
# lower-case "error:" lines of pip, setuptools and compilers at the start of a line.
_LOG_ERROR = lazy_regex(
    r"^(?:.*?\b(?:ERROR|CRITICAL|FATAL)\b\]?:?\s|error:\s|error in .+ command:\s)"
)
# CI timestamps and markers in front of a line: "2024-05-01T10:00:00.1Z ", "##[error]"
_LOG_PREFIX = lazy_regex(
    r"^(?:\d{4}-\d{2}-\d{2}[T ][\d:.,]+Z?\s+|\[?\d{2}:\d{2}:\d{2}[\d.,]*\]?\s+)?(?:##\[\w+\]\s*)?"
)
_FRAME = lazy_regex(r'^\s*File "(?P<path>[^"]+)", line \d+')
_SITE_PACKAGES = lazy_regex(r"(?:site|dist)-packages[\\/](?P<pkg>[A-Za-z0-9_.-]+?)(?:[\\/]|\.py\b)")
_PYTHON_VERSION = lazy_regex(r"[\\/]python(?P<ver>3\.\d{1,2})[\\/]")
_TRACEBACK_START = "Traceback (most recent call last):"
_CHAINED = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)

# Import names that differ from the distribution's canonical name.
IMPORT_TO_DISTRIBUTION = {
    "yaml": "pyyaml",
    "_yaml": "pyyaml",
    "sklearn": "scikit-learn",
    "openssl": "pyopenssl",
    "google": "protobuf",
    "bs4": "beautifulsoup4",
    "pil": "pillow",
    "dateutil": "python-dateutil",
    "jwt": "pyjwt",
    "importlib_metadata": "importlib-metadata",
    "flask_sqlalchemy": "flask-sqlalchemy",
    "requests_toolbelt": "requests-toolbelt",
    "pkg_resources": "setuptools",
    "_distutils_hack": "setuptools",
    "cv2": "opencv-python",
    "attr": "attrs",
}


class QueryInfo:
    """What was extracted from the query text.

    ``text``: the text searched (the tail of a long input); ``failure_lines``: lines that
    state the failure, the final exception last; ``exception_types``: the types seen, in
    order; ``packages``: distributions seen in frame paths (``site-packages/<pkg>/``);
    ``python``: the version seen in paths such as ``python3.12/``; ``truncated_from``: the
    input's size in bytes when only its tail was read.
    """

    __slots__ = ("exception_types", "failure_lines", "packages", "python", "text", "truncated_from")

    def __init__(self, text: str, truncated_from: int | None = None) -> None:
        self.text = text
        self.truncated_from = truncated_from
        self.failure_lines: list[str] = []
        self.exception_types: list[str] = []
        self.packages: list[str] = []
        self.python: str | None = None

    @property
    def is_error_text(self) -> bool:
        """True when the query holds an error line rather than a few words."""
        return bool(self.failure_lines)

    def as_dict(self) -> dict[str, object]:
        """The JSON form shown under ``query``."""
        return {
            "failure_lines": self.failure_lines,
            "exception_types": self.exception_types,
            "packages": self.packages,
            "python": self.python,
            "truncated_from_bytes": self.truncated_from,
        }


def decode_query(raw: bytes) -> tuple[str, int | None]:
    """Decode query bytes (invalid UTF-8 replaced, NULs dropped), keeping a bounded tail."""
    truncated = None
    if len(raw) > MAX_QUERY_BYTES:
        truncated = len(raw)
        raw = raw[-MAX_QUERY_BYTES:]
        newline = raw.find(b"\n")
        if 0 <= newline < len(raw) - 1:
            raw = raw[newline + 1 :]
    text = raw.decode("utf-8", errors="replace").replace("\x00", "")
    return text, truncated


def understand(text: str, truncated_from: int | None = None) -> QueryInfo:
    """Extract failure lines, exception types, packages and the Python version from ``text``."""
    info = QueryInfo(text=text, truncated_from=truncated_from)
    lines = text.splitlines()
    failures: list[str] = []
    packages: dict[str, None] = {}
    for i, line in enumerate(lines):
        frame = _FRAME().match(line) if 'File "' in line else None
        if frame:
            path = frame.group("path")
            pkg = _SITE_PACKAGES().search(path) if "-packages" in path else None
            if pkg:
                packages.setdefault(distribution_of(pkg.group("pkg")))
            ver = _PYTHON_VERSION().search(path) if "python3." in path else None
            if ver and info.python is None:
                info.python = ver.group("ver")
            continue
        indented = line.startswith((" ", "\t"))
        stripped = line.strip()
        if _may_have_log_prefix(stripped):
            stripped = _LOG_PREFIX().sub("", stripped)
        if not stripped or stripped == _TRACEBACK_START or stripped in _CHAINED:
            continue
        exc = _EXC_LINE().match(stripped)
        if exc and (not indented or stripped.startswith("E ")):
            failures.append(_strip_pytest_marker(stripped))
            exc_type = exc.group("type")
            if exc_type not in info.exception_types:
                info.exception_types.append(exc_type)
            if exc_type.endswith("SyntaxError"):
                code = _syntax_error_code(lines, i)
                if code:
                    failures.insert(len(failures) - 1, code)
            continue
        if _may_report_error(stripped) and _LOG_ERROR().match(stripped):
            failures.append(stripped)
    if "-packages" in text:
        for match in _SITE_PACKAGES().finditer(text):
            packages.setdefault(distribution_of(match.group("pkg")))
    if info.python is None and "python3." in text:
        ver = _PYTHON_VERSION().search(text)
        if ver:
            info.python = ver.group("ver")
    # the final exception is the most telling: keep the order, drop repeats
    info.failure_lines = list(dict.fromkeys(failures))[-20:]
    info.packages = list(packages)
    return info


def distribution_of(module: str) -> str:
    """The canonical distribution name of a top-level module or ``site-packages`` entry."""
    name = module.split(".", maxsplit=1)[0]
    # dist-info/egg-info folders carry the distribution name and version
    name = re.sub(r"-\d.*$", "", name)
    lowered = name.lower()
    if lowered in IMPORT_TO_DISTRIBUTION:
        return IMPORT_TO_DISTRIBUTION[lowered]
    return re.sub(r"[-_.]+", "-", lowered)


def _may_have_log_prefix(line: str) -> bool:
    """False when ``line`` does not start as every prefix :data:`_LOG_PREFIX` removes does."""
    return line[:1] in "[#" or line[:1].isdecimal()


def _may_report_error(line: str) -> bool:
    """False when ``line`` lacks what every line :data:`_LOG_ERROR` matches has."""
    return "ERROR" in line or "CRITICAL" in line or "FATAL" in line or line.startswith("error")


def _strip_pytest_marker(line: str) -> str:
    return line[1:].lstrip() if line.startswith("E ") else line


def _syntax_error_code(lines: list[str], index: int) -> str | None:
    """The offending source line printed above a SyntaxError's caret, if any."""
    for back in range(index - 1, max(index - 4, -1), -1):
        candidate = lines[back].strip()
        if not candidate or set(candidate) <= {"^", "~"}:
            continue
        if 'File "' in lines[back] and _FRAME().match(lines[back]):
            return None
        return candidate
    return None
