"""``kb verify``: reproductions run against real releases, judged by the entry's signatures.

- :mod:`kb.verify.plan` picks the combinations of releases to test (pure);
- :mod:`kb.verify.envs` makes and caches an isolated environment per combination;
- :mod:`kb.verify.runner` runs a reproduction and classifies its output;
- :mod:`kb.verify.procs` runs their child processes and kills them all on an interrupt;
- :mod:`kb.verify.core` puts them together for a list of entries;
- :mod:`kb.verify.record` reads and writes ``<id>.verified.json``;
- :mod:`kb.verify.check` compares those files with their entries, without running;
- :mod:`kb.verify.bisect` and :mod:`kb.verify.releases` find first affected/fixed releases;
- :mod:`kb.verify.report` formats results.
"""
