"""``kb lint``: rules that keep entries valid, each with a stable code and documentation.

``run_lint(paths, select=..., ignore=...)`` returns a :class:`LintReport`; the reporters
in :mod:`kb.output.lint` turn it into text, JSON or GitHub annotations; the rules are in
:data:`kb.lint.rules.RULES`.
"""

from kb.lint.runner import LintReport, run_lint

__all__ = ["LintReport", "run_lint"]
