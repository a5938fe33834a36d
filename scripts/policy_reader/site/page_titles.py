"""Page titles as text in every template (MkDocs' Jinja does not autoescape).

Material writes ``page.meta.title`` and ``page.title`` as they are into the
``<title>``, the header, the sidebar, the footer links, and ``striptags`` in
places (which turns ``&lt;`` back into ``<``). A paper's title is the paper's
words, ``<script>`` included, so every page's title is made a
:class:`markupsafe.Markup` of its escaped text once all pages are read and
before any template renders (``on_env``): printed, it is escaped text; ``| e``
leaves it as is; ``| plain`` (a filter added here) gives the words back for a
context that escapes by itself, such as ``tojson``. Our override of the
``htmltitle`` block (docs/overrides/main.html) escapes after ``striptags``.
"""

from __future__ import annotations

from markupsafe import Markup, escape


def plain(value):
    """The text of a title (a Markup of escaped text) for a context that escapes itself."""
    if isinstance(value, Markup):
        return value.unescape()
    return value


def escape_titles(files) -> None:
    """Every page's title from here on is escaped text (a Markup)."""
    for f in files.documentation_pages():
        page = f.page
        if page is None:
            continue
        title = page.meta.get("title")
        if isinstance(title, str) and not isinstance(title, Markup):
            page.meta["title"] = escape(title)  # front matter: the paper's words
        elif title is not None and not isinstance(title, Markup):
            page.meta["title"] = escape(str(title))
        rendered = getattr(page, "_title_from_render", None)
        if isinstance(rendered, str) and not isinstance(rendered, Markup):
            # MkDocs took it from the rendered <h1>: its HTML with the tags stripped, so its
            # text is escaped already; a stray '<' or '>' is escaped all the same.
            page._title_from_render = Markup(rendered.replace("<", "&lt;").replace(">", "&gt;"))
        explicit = page.__dict__.get("title")  # set by the nav (mkdocs.yml or a plugin)
        if isinstance(explicit, str) and not isinstance(explicit, Markup):
            page.title = escape(explicit)


def install(env) -> None:
    env.filters["plain"] = plain
