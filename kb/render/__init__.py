"""Rendering the knowledge base: pure functions from loaded entries to Markdown, HTML, JSON.

Every module here returns strings and touches no files; :mod:`kb.render.plugin` is the
thin mkdocs glue that turns them into pages of the site.
"""
