"""Our generated HTML as Jinja templates a theme override can replace.

The HTML the plugin writes into generated pages (topic passages, the lists of
papers, the bibliography, the timeline, the byline) and into paper pages (the ¶
links and Cite buttons, the topic chips) comes from templates under
``site/templates/fragments/policy-reader/``. That folder is added to the end of
the theme's template folders (:func:`install`, from the plugin's ``on_config``),
as Material ships its tags plugin's ``fragments/tags/`` in its theme: a file of
the same name under the project's ``custom_dir`` (``docs/overrides/``) comes
first on the search path and replaces ours.

The templates are rendered by the theme's own Jinja environment
(``config.theme.get_env()``: its loader, filters and translations), with
autoescape on and three filters of ours, so that the HTML stays byte for byte
what Python-Markdown and ``html.escape`` wrote before:

- ``| text``: text or an attribute value (``&``, ``<``, ``>`` and quotes escaped: ``html.escape``);
- ``| md_text``: text content as Python-Markdown escapes it (quotes kept), for topic passages;
- ``| md``: text in a template that writes Markdown (a topic page, /topics/), escaped for Markdown;
- ``| safe`` only for HTML our code built and escaped already (passed in as ``Markup``).

They use nothing Zensical's template engine lacks (no ``list.append`` or
``dict.update``; tests/test_compat.py). :func:`digest` is a hash of the templates
as the loader finds them (overrides included), for cache keys of generated pages.
"""

from __future__ import annotations

import html
from pathlib import Path

import jinja2
from markupsafe import Markup

from policy_reader import cache
from policy_reader.page.markdown import escape_text

TEMPLATES_DIR = Path(__file__).parent / "templates"
PREFIX = "fragments/policy-reader/"


def text(value) -> Markup:
    """Text for anywhere in HTML, an attribute included: ``&``, ``<``, ``>`` and both quotes
    escaped, as ``html.escape`` does."""
    if isinstance(value, Markup):  # escaped text already: only the quotes are left to escape
        return Markup(str(value).replace('"', "&quot;").replace("'", "&#x27;"))
    return Markup(html.escape(str(value), quote=True))


def md_text(value) -> Markup:
    """Text content escaped as Python-Markdown escapes it (``&``, ``<``, ``>``; quotes kept),
    for HTML that must equal what Markdown would have made (topic passages)."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=False))


def md(value) -> Markup:
    """Text for a Markdown template: escaped so Markdown renders exactly these characters."""
    if isinstance(value, Markup):
        return value
    return Markup(escape_text(str(value)))


def install(config) -> None:
    """Put our templates last on the theme's search path (``custom_dir`` and the theme come first)."""
    folder = str(TEMPLATES_DIR)
    if folder not in config.theme.dirs:
        config.theme.dirs.append(folder)


class Fragments:
    """The templates of one build's theme; ``render(name, **values)`` gives HTML."""

    def __init__(self, config=None):
        if config is not None:
            install(config)
            self.env = config.theme.get_env()
        else:  # no theme (pure helpers, tests): our templates alone
            self.env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(TEMPLATES_DIR)]), auto_reload=False)
        self.env.autoescape = True
        self.env.filters["text"] = text
        self.env.filters["md_text"] = md_text
        self.env.filters["md"] = md
        self._templates: dict = {}
        self._macros: dict = {}
        self._digests: dict = {}

    def template(self, name: str):
        t = self._templates.get(name)
        if t is None:
            t = self._templates[name] = self.env.get_template(PREFIX + name)
        return t

    def render(self, name: str, **values) -> str:
        return self.template(name).render(**values)

    def macro(self, name: str, macro: str):
        """A macro of a template as a function giving ``str`` (a macro gives Markup, and
        ``Markup + str`` would escape the str), to call once per item: cheaper than a render."""
        got = self._macros.get((name, macro))
        if got is None:  # the template's module is made once per build's theme, not per call
            m = getattr(self.template(name).module, macro)
            got = self._macros[name, macro] = lambda *args, **kwargs: str(m(*args, **kwargs))
        return got

    def digest(self, names) -> str:
        """A hash of the templates ``names`` as this theme resolves them (an override included),
        read once per build's theme (a key part of every paper page)."""
        names = tuple(sorted(names))
        got = self._digests.get(names)
        if got is None:
            got = self._digests[names] = self._digest(names)
        return got

    def _digest(self, names) -> str:
        parts = []
        for name in sorted(names):
            source, _, _ = self.env.loader.get_source(self.env, PREFIX + name)
            parts += [name, source]
        return cache.digest(*parts)


_last: tuple[object, Fragments] | None = None
_plain: Fragments | None = None


def for_config(config=None) -> Fragments:
    """The fragments of ``config``'s theme (made once per build's config); None: ours alone."""
    global _last, _plain
    if config is None:
        if _plain is None:
            _plain = Fragments()
        return _plain
    if _last is None or _last[0] is not config:
        _last = (config, Fragments(config))
    return _last[1]
