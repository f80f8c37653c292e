"""The catalog: what kb knows of the entries of a directory, kept in the cache for speed.

- :mod:`kb.catalog.records`: an entry's record (what a hit shows) and its typed summary;
- :mod:`kb.catalog.cache`: the catalog on disk (SQLite), read lazily, changed in place;
- :mod:`kb.catalog.refresh`: :func:`~kb.catalog.refresh.open_index`, which brings it up to
  date with the files (only changed entries are validated again);
- :mod:`kb.catalog.loaded`: every entry loaded and validated in full, for the site.

Search, scan, check and show read the catalog; only search's full-text path adds a Whoosh
index to it (:mod:`kb.search.fulltext`). This package imports nothing heavy by itself.
"""
