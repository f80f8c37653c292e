"""The mkdocs plugin ``kb``: generates the knowledge base's pages in memory at build time.

Reads the entries directory (plugin option ``entries``, relative to ``mkdocs.yml``;
``$KB_ENTRIES`` overrides it), reports every problem of an entry file as a warning (so
``mkdocs build --strict`` fails on a broken entry), and adds the generated pages, JSON
exports and feed from :func:`kb.render.site.generate` as virtual files. Nothing is written
into the docs directory.
"""

from __future__ import annotations

import html
import logging
import os
import zlib
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from kb.render import paths, rules_ref
from kb.render.headings_page import HeadingsPage, HeadingsRenderer
from kb.render.markup import escape, paragraphs
from kb.render.site import Site, SiteSettings, SourceEntry, fill_home
from kb.render.stash import Stash
from kb.verify.record import fresh

if TYPE_CHECKING:
    from kb.models import Entry

log = logging.getLogger("mkdocs.plugins.kb")


LISTS_OUT_OF_SEARCH = frozenset({paths.STATUSES, paths.EXCEPTIONS, paths.TAGS})
"""Generated pages left out of material's search index."""


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
        self.parked: dict[str, bytes] = {}
        self.site: Site | None = None
        self.renderer = HeadingsRenderer(self.stash.key)

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
        from kb.loader import gc_paused, iter_entry_files, load_file

        if not self.entries_dir.is_dir():
            log.warning(f"kb: entries directory not found: {self.entries_dir}")
        # Entries are loaded one file at a time and only the validated entry is kept (not
        # the YAML document with the position of every node, which lint needs and the
        # site does not).
        problems: list[Any] = []
        loaded_entries: list[tuple[Any, Path, str]] = []
        with gc_paused():
            for path in iter_entry_files([self.entries_dir], problems):
                loaded, found = load_file(path)
                problems.extend(found)
                if loaded is not None:
                    loaded_entries.append((loaded.entry, loaded.path, loaded.display))
        for problem in problems:
            log.warning(f"kb: {problem}")
        seen: set[str] = set()
        sources = []
        for entry, path, display in sorted(loaded_entries, key=lambda t: (t[0].id, t[2])):
            if entry.id in seen:
                log.warning(f"kb: {display}: duplicate entry id {entry.id!r}")
                continue
            seen.add(entry.id)
            sources.append(SourceEntry(entry, self._yaml_path(path), fresh(entry, path)))
        del loaded_entries
        self.entries = [s.entry for s in sources]
        edit_base = self._edit_base(config)
        settings = SiteSettings(
            edit_base=edit_base,
            site_url=config.site_url,
            site_name=config.site_name,
            known_releases=self._known_releases(),
            feed_size=self.config.feed_size,
            directory_urls=config.use_directory_urls,
        )
        self.edit_urls = (
            {paths.entry_src(s.entry): edit_base + s.yaml_path for s in sources}
            if edit_base
            else {}
        )
        self.titles = {paths.entry_src(s.entry): s.entry.title for s in sources}
        self.stash = Stash()
        self.renderer = HeadingsRenderer(self.stash.key)
        self.parked = {}
        self.site = Site(sources, settings, rules_ref.installed_rules())
        for uri in self.site.paths():
            existing = files.get_file_from_path(uri)
            if existing is not None:
                log.warning(f"kb: {uri} is generated; the hand-written file is ignored")
                files.remove(existing)
            files.append(
                GeneratedFile(
                    config,
                    uri,
                    partial(self.site.text, uri, self.stash),
                    partial(self.site.chunks, uri),
                )
            )
        return files

    def on_nav(self, nav: Any, config: Any, files: Files) -> Any:
        """Generated pages outside the navigation are rendered by the build's shared
        :class:`HeadingsRenderer` (a page in the navigation keeps the page mkdocs made
        for it, which carries its navigation title)."""
        listed = {id(page) for page in nav.pages}
        for file in files.documentation_pages():
            if isinstance(file, GeneratedFile) and id(file.page) not in listed:
                HeadingsPage(file, config, self.renderer)
        return nav

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        """``mkdocs serve`` rebuilds when an entry file changes, not only a page source."""
        if self.entries_dir.is_dir():
            server.watch(str(self.entries_dir))
        return server

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Files) -> str:
        uri = page.file.src_uri
        if uri == "index.md":
            return fill_home(markdown, self.entries, self.config.newest)
        title = self.titles.get(uri)
        if title is not None:
            # The theme prints the page title unescaped in <title> (and strips tags after
            # unescaping the heading's text), so the title is set here, escaped.
            page.meta["title"] = escape(title)
            # material's search would parse the whole page again; kb adds a short record
            # of it instead (see on_page_context).
            page.meta["search"] = {"exclude": True}
        elif uri in LISTS_OUT_OF_SEARCH:
            # Lists of every entry again: the entries' own records already answer.
            page.meta["search"] = {"exclude": True}
        edit = self.edit_urls.get(uri)
        if edit is not None:
            page.edit_url = edit
        return markdown

    def on_page_content(self, html: str, page: Any, config: Any, files: Files) -> str:
        html = self.stash.restore(page.file.src_uri, html)
        if isinstance(page.file, GeneratedFile):
            # mkdocs renders every page before it writes any; a generated page's HTML waits
            # compressed until its turn, so that a big site's pages are not all in memory.
            self.parked[page.file.src_uri] = zlib.compress(html.encode("utf-8"), 1)
            return ""
        return html

    @event_priority(100)  # before material's search plugin reads the page
    def on_page_context(self, context: Any, page: Any, config: Any, nav: Any) -> Any:
        uri = page.file.src_uri
        parked = self.parked.pop(uri, None)
        if parked is not None:
            page.content = zlib.decompress(parked).decode("utf-8")
        entry = self.site.entry_of(uri) if self.site is not None else None
        if entry is not None:
            search_record(config, page, entry)
        return context

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        if isinstance(page.file, GeneratedFile):
            # The page is written once this returns; nothing reads its HTML again.
            page.content = None
        return output


class GeneratedFile(File):
    """A file generated by kb, rendered each time mkdocs reads or copies it (never kept)."""

    def __init__(
        self,
        config: Any,
        uri: str,
        make: Callable[[], str],
        chunks: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        super().__init__(
            uri,
            src_dir=None,
            dest_dir=config.site_dir,
            use_directory_urls=config.use_directory_urls,
        )
        self.generated_by = "kb"
        self._make = make
        self._chunks = chunks

    @property  # type: ignore[misc]
    def content_string(self) -> str:
        return self._make()

    @property  # type: ignore[misc]
    def content_bytes(self) -> bytes:
        return self._make().encode("utf-8")

    def copy_file(self, dirty: bool = False) -> None:
        output = Path(self.abs_dest_path)
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as out:
            if self._chunks is None:
                out.write(self._make())
            else:
                out.writelines(self._chunks())

    def is_modified(self) -> bool:
        return True


def search_record(config: Any, page: Any, entry: Entry) -> None:
    """A short record of an entry page in material's search index: its title, summary,
    signatures and tags, so that the header's search box still lists the entry as one
    types them (kb's search page, where Enter in that box leads, ranks whole tracebacks).
    Without material's search plugin (or if its index cannot be reached) nothing is added.
    """
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(plugin, "search_index", None)
    records = getattr(index, "entries", None)
    if not isinstance(records, list):
        return
    signatures = "".join(
        f"<p><code>{html.escape(s.text, quote=False)}</code></p>" for s in entry.signatures
    )
    records.append(
        {
            "location": page.url,
            "title": html.escape(entry.title, quote=False),
            "text": f"{paragraphs(entry.summary)}{signatures}",
            "tags": list(entry.tags),
        }
    )
