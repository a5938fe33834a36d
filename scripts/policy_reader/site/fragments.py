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
import os
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.exceptions import PluginError

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


def _shown(filename: str | None, name: str, root: Path | None) -> str:
    """A template's file as the error shows it: relative to the project if inside it."""
    if not filename:
        return name
    if not os.path.isabs(filename):  # a name on the theme's search path
        return filename
    try:
        rel = os.path.relpath(filename, root or Path.cwd())
    except ValueError:  # another drive
        return filename
    return filename if rel.startswith("..") else Path(rel).as_posix()


def template_error(exc: BaseException, name: str, root: Path | None = None) -> PluginError:
    """One line ``FILE:LINE: what; how to fix`` for a template ``name`` that cannot be loaded or
    rendered (a theme override's syntax error, a missing template, an undefined value): the
    line is the template's, from Jinja's error or its rewritten traceback (site/permalinks/panels.py
    does the same for the cite panel)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{_shown(exc.filename, exc.name or name, root)}:{exc.lineno}"
        return PluginError(f"{where}: {_one_line(exc.message)}; fix the template's syntax (or remove the override to use ours)")
    if isinstance(exc, jinja2.TemplateNotFound):
        missing = exc.name if isinstance(exc.name, str) else name
        frame = template_frame(exc)
        where = f"{_shown(frame[0], name, root)}:{frame[1]}: " if frame else f"{_shown(name, name, root)}: "
        return PluginError(f"{where}template '{missing}' is not in the theme; keep its file "
                           f"(ours: {PREFIX}, a theme override: docs/overrides/{PREFIX})")
    frame = template_frame(exc)
    where = f"{_shown(frame[0], name, root)}:{frame[1]}" if frame else _shown(name, name, root)
    what = _one_line(f"{type(exc).__name__}: {exc}")
    return PluginError(f"{where}: cannot render the template ({what}); fix the template "
                       "(the values it is given are in its top comment)")


def _one_line(text) -> str:
    return " ".join(str(text).split())


def template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template frame of ``exc``'s traceback (Jinja rewrites it to the template's
    file and line), or None."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:  # jinja2.debug.fake_traceback
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def install(config) -> None:
    """Put our templates last on the theme's search path (``custom_dir`` and the theme come first)."""
    folder = str(TEMPLATES_DIR)
    if folder not in config.theme.dirs:
        config.theme.dirs.append(folder)


class Fragments:
    """The templates of one build's theme; ``render(name, **values)`` gives HTML."""

    def __init__(self, config=None):
        self.root = None  # error lines name a template relative to the project
        if config is not None:
            install(config)
            self.env = config.theme.get_env()
            if getattr(config, "config_file_path", None):
                self.root = Path(config.config_file_path).resolve().parent
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
            try:
                t = self._templates[name] = self.env.get_template(PREFIX + name)
            except jinja2.TemplateError as exc:  # a syntax error in an override, a missing file
                raise template_error(exc, PREFIX + name, self.root) from None
        return t

    def render(self, name: str, **values) -> str:
        template = self.template(name)
        try:
            return template.render(**values)
        except PluginError:
            raise
        except Exception as exc:  # an undefined value, a template it includes that is broken
            raise template_error(exc, template.filename or PREFIX + name, self.root) from None

    def macro(self, name: str, macro: str):
        """A macro of a template as a function giving ``str`` (a macro gives Markup, and
        ``Markup + str`` would escape the str), to call once per item: cheaper than a render."""
        got = self._macros.get((name, macro))
        if got is None:  # the template's module is made once per build's theme, not per call
            template = self.template(name)
            shown = template.filename or PREFIX + name
            try:
                module = self._jinja(lambda: template.module)
            except PluginError:
                raise
            except Exception as exc:
                raise template_error(exc, shown, self.root) from None
            m = getattr(module, macro, None)
            if m is None:
                raise PluginError(f"{_shown(template.filename, PREFIX + name, self.root)}: the template has no macro "
                                  f"'{macro}'; keep the macros our template has (an override replaces it whole)")

            def call(*args, **kwargs):
                try:
                    try:
                        return str(m(*args, **kwargs))
                    except Exception:
                        self.env.handle_exception()  # as _jinja: the traceback at the template's lines
                except PluginError:
                    raise
                except Exception as exc:
                    raise template_error(exc, shown, self.root) from None

            got = self._macros[name, macro] = call
        return got

    def _jinja(self, make):
        """``make()``, an error's traceback rewritten to the template's file and lines as Jinja's
        ``render`` does (a module or macro call does not), for :func:`template_error`."""
        try:
            return make()
        except Exception:
            self.env.handle_exception()

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
            try:
                source, _, _ = self.env.loader.get_source(self.env, PREFIX + name)
            except jinja2.TemplateNotFound as exc:
                raise template_error(exc, PREFIX + name, self.root) from None
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
