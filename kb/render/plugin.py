"""The mkdocs plugin ``kb``: generates the knowledge base's pages in memory at build time.

Reads the entries directory (plugin option ``entries``, relative to ``mkdocs.yml``;
``$KB_ENTRIES`` overrides it), reports every problem of an entry file as a warning (so
``mkdocs build --strict`` fails on a broken entry), and adds the generated pages, JSON
exports and feed from :func:`kb.render.site.generate` as virtual files. Nothing is written
into the docs directory.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from kb.render import paths, rules_ref
from kb.render.markup import escape
from kb.render.site import SiteSettings, SourceEntry, fill_home, generate
from kb.render.stash import Stash
from kb.verify.record import fresh

log = logging.getLogger("mkdocs.plugins.kb")


class KbPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    """Options of the ``kb`` plugin in ``mkdocs.yml``."""

    entries = c.Type(str, default="entries")
    known_releases = c.Optional(c.Type(str))
    edit_uri = c.Optional(c.Type(str))
    feed_size = c.Type(int, default=50)
    newest = c.Type(int, default=10)


class KbPlugin(BasePlugin[KbPluginConfig]):  # type: ignore[no-untyped-call]
    """Generates entry pages, index pages, references, exports and the feed."""

    def __init__(self) -> None:
        self.root = Path.cwd()
        self.entries_dir = self.root / "entries"
        self.entries: list[Any] = []
        self.edit_urls: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        self.stash = Stash()

    def on_config(self, config: Any) -> Any:
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        env = os.environ.get("KB_ENTRIES")
        self.entries_dir = Path(env) if env else self.root / self.config.entries
        return config

    def _yaml_path(self, path: Path) -> str:
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.root).as_posix()
        except ValueError:
            return "entries/" + resolved.relative_to(self.entries_dir.resolve()).as_posix()

    def _known_releases(self) -> dict[str, list[str]]:
        from kb import yamlio

        option = self.config.known_releases
        if not option:
            return {}
        path = self.root / option
        try:
            data = yamlio.read(path).data
        except yamlio.YamlReadError as exc:
            p = exc.problem
            log.warning(f"{option}:{p.line}:{p.col}: {p.message}")
            return {}
        if not isinstance(data, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in data.values()
        ):
            log.warning(f"{option}: expected a mapping of package names to lists of releases")
            return {}
        return {str(k): list(v) for k, v in data.items()}

    def _edit_base(self, config: Any) -> str | None:
        """Edit URL prefix of the repository root: the plugin's ``edit_uri``, else mkdocs'
        ``edit_uri`` (which points at the docs directory) without the docs directory."""
        if not config.repo_url:
            return None
        uri = self.config.edit_uri
        if uri is None:
            uri = config.edit_uri or "edit/main/"
            docs = Path(config.docs_dir).resolve()
            try:
                docs_rel = docs.relative_to(self.root).as_posix() + "/"
            except ValueError:
                docs_rel = ""
            if docs_rel and uri.rstrip("/").endswith(docs_rel.rstrip("/")):
                uri = uri.rstrip("/")[: -len(docs_rel.rstrip("/"))]
        if "://" in uri:
            return uri.rstrip("/") + "/"
        return str(config.repo_url).rstrip("/") + "/" + uri.strip("/") + "/"

    def on_files(self, files: Files, config: Any) -> Files:
        from kb.loader import load_tree

        if not self.entries_dir.is_dir():
            log.warning(f"kb: entries directory not found: {self.entries_dir}")
        result = load_tree([self.entries_dir])
        for problem in result.problems:
            log.warning(f"kb: {problem}")
        seen: set[str] = set()
        sources = []
        for loaded in sorted(result.entries, key=lambda e: (e.entry.id, e.display)):
            if loaded.entry.id in seen:
                log.warning(f"kb: {loaded.display}: duplicate entry id {loaded.entry.id!r}")
                continue
            seen.add(loaded.entry.id)
            verified = fresh(loaded.entry, loaded.path)
            sources.append(SourceEntry(loaded.entry, self._yaml_path(loaded.path), verified))
        self.entries = [s.entry for s in sources]
        edit_base = self._edit_base(config)
        settings = SiteSettings(
            edit_base=edit_base,
            site_url=config.site_url,
            site_name=config.site_name,
            known_releases=self._known_releases(),
            feed_size=self.config.feed_size,
        )
        self.edit_urls = (
            {paths.entry_src(s.entry): edit_base + s.yaml_path for s in sources}
            if edit_base
            else {}
        )
        self.titles = {paths.entry_src(s.entry): s.entry.title for s in sources}
        self.stash = Stash()
        generated = generate(sources, settings, rules_ref.installed_rules(), self.stash)
        for uri, text in generated.items():
            existing = files.get_file_from_path(uri)
            if existing is not None:
                log.warning(f"kb: {uri} is generated; the hand-written file is ignored")
                files.remove(existing)
            files.append(File.generated(config, uri, content=text))
        return files

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        """``mkdocs serve`` rebuilds when an entry file changes, not only a page source."""
        if self.entries_dir.is_dir():
            server.watch(str(self.entries_dir))
        return server

    def on_page_content(self, html: str, page: Any, config: Any, files: Files) -> str:
        return self.stash.restore(page.file.src_uri, html)

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Files) -> str:
        uri = page.file.src_uri
        if uri == "index.md":
            return fill_home(markdown, self.entries, self.config.newest)
        title = self.titles.get(uri)
        if title is not None:
            # The theme prints the page title unescaped in <title> (and strips tags after
            # unescaping the heading's text), so the title is set here, escaped.
            page.meta["title"] = escape(title)
        edit = self.edit_urls.get(uri)
        if edit is not None:
            page.edit_url = edit
        return markdown
