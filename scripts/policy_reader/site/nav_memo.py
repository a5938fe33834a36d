"""The sidebar's navigation rendered once per kind of page, not once per page.

Material renders ``partials/nav.html`` (the whole site navigation, every item through
``partials/nav-item.html``'s macros) into every page. Our navigation has about a dozen
items (home, bibliography, timeline, the papers' section, the topics); stock Material's
build of the same Markdown lists one, so at 1,000 papers the sidebar alone made our
page templates cost about three times stock's sidebar. Yet the 1,000 paper pages, not
in the navigation themselves (site/navigation.py lists /papers/ instead), all get the
same sidebar.

What the navigation's HTML reads of the page it is rendered for (Material 9.8.2's
``nav.html``, ``nav-item.html``, ``logo.html``, ``source.html``): the page only through
``| url`` (a link target made relative to ``page.url``, or joined to ``base_url``) and
through comparisons with the navigation's pages (``page in ...``, ``index == page``,
``nav_item == page``, where the current page gets its table of contents), and the
``active`` flag MkDocs sets on the page's sections. So for a page that is not one of
the navigation's pages, the HTML is a function of: ``base_url``, the relative form of
every link target the navigation holds (its pages' and links' URLs, the home page, the
logo), and every item's ``active`` flag. :func:`install` wraps the template so that
such a page's sidebar is looked up under exactly that key and rendered once per key
(the build's first page of each kind); every other page is rendered as before.

Only Material's own templates are wrapped: if the project's ``custom_dir`` overrides
any of them (its override may read anything of the page), nothing is memoised.
tests/test_nav_memo.py builds a library whose papers are out of the navigation with
and without the memo and compares every page byte for byte; the 1,000-paper site was
compared the same way (``diff -r``).

The header's colour-palette switch and search box (``partials/palette.html``, ours
``partials/search.html``) read nothing of the page at all: :func:`page_independent`
checks that from the template's syntax tree (it reads only ``config``, ``features`` and
``lang``, calls only ``lang.t``, uses no filter that reads the context, includes only
``.icons/``), and such a partial is rendered once per build; an edit that makes one read
the page turns its memo off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from jinja2 import meta, nodes
from mkdocs.utils import normalize_url

#: The templates the sidebar is made of (Material's); an override of any turns the memo off.
TEMPLATES = ("partials/nav.html", "partials/nav-item.html", "partials/logo.html", "partials/source.html")
#: Header partials that may read nothing of the page (checked by :func:`page_independent`).
CONSTANT = ("partials/palette.html", "partials/search.html")
#: What a page-independent partial may read: the build's configuration and translations.
BUILD_VALUES = frozenset({"config", "features", "lang"})


def _material_dir() -> Path | None:
    try:
        import material
    except ImportError:
        return None
    return Path(material.__file__).resolve().parent


def _items(items) -> Iterator[Any]:
    for item in items:
        yield item
        yield from _items(getattr(item, "children", None) or ())


class NavMemo:
    """The sidebar of one build's theme environment, memoised (module docstring)."""

    def __init__(self, render, key=None):
        self._render = render  # the template's own root render function
        if key is not None:  # another partial's key (a page-independent one: always the same)
            self.key = key
        self._memo: dict[tuple, str] = {}
        self._nav = None
        self._items: list = []
        self._pages: list = []
        self.hits = 0
        self.misses = 0

    def _learn(self, nav) -> None:
        self._nav = nav
        self._items = list(_items(nav.items))
        self._pages = list(nav.pages)

    def key(self, context) -> tuple | None:
        """The sidebar's inputs for this page, or None: render it as it is (a page of the navigation)."""
        page = context.get("page")
        nav = context.get("nav")
        if page is None or nav is None:
            return None
        if nav is not self._nav:
            self._learn(nav)
        if any(page == p for p in self._pages):
            return None
        base = context.get("base_url", "")
        config = context.get("config") or {}
        theme = config.get("theme") or {}
        extra = config.get("extra") or {}
        homepage = getattr(nav, "homepage", None)
        targets = [str(getattr(item, "url", None)) for item in self._items]
        targets += [str(getattr(homepage, "url", None)), str(extra.get("homepage")), str(theme.get("logo"))]
        return (
            base,
            tuple(normalize_url(t, page=page, base=base) for t in targets),
            tuple(bool(getattr(item, "active", False)) for item in self._items),
        )

    def render(self, context) -> Iterator[str]:
        key = self.key(context)
        if key is None:
            yield from self._render(context)
            return
        got = self._memo.get(key)
        if got is None:
            self.misses += 1
            got = self._memo[key] = "".join(self._render(context))
        else:
            self.hits += 1
        yield got


def _materials(env, names, templates: Path) -> bool:
    """Whether each template of ``names`` is Material's own file (no override)."""
    for name in names:
        try:
            filename = env.get_template(name).filename
        except Exception:  # a missing or broken template: leave rendering (and its error) to the theme
            return False
        if not filename or Path(filename).resolve().parent.parent != templates:
            return False
    return True


def _icon(expr) -> bool:
    """``".icons/" ~ ... ~ ".svg"``: an icon's SVG, a file without template values."""
    return (isinstance(expr, nodes.Concat) and isinstance(expr.nodes[0], nodes.Const)
            and isinstance(expr.nodes[0].value, str) and expr.nodes[0].value.startswith(".icons/"))


def page_independent(env, name: str) -> bool:
    """Whether template ``name`` renders the same for every page of a build: it reads only
    :data:`BUILD_VALUES`, calls only ``lang.t``, uses only filters and tests that are not given
    the context (``url`` is: it reads the page), and includes only icons."""
    try:
        source, _, _ = env.loader.get_source(env, name)
        tree = env.parse(source)
    except Exception:
        return False
    if not meta.find_undeclared_variables(tree) <= BUILD_VALUES:
        return False
    for node in tree.find_all((nodes.Import, nodes.FromImport, nodes.Extends, nodes.Include)):
        if not (isinstance(node, nodes.Include) and _icon(node.template)):
            return False
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        known = env.filters if isinstance(node, nodes.Filter) else env.tests
        fn = known.get(node.name)
        passed = getattr(fn, "jinja_pass_arg", None)  # the environment or eval context: fine; the context: the page
        if fn is None or getattr(passed, "name", None) == "context":
            return False
    for node in tree.find_all(nodes.Call):
        f = node.node
        if not (isinstance(f, nodes.Getattr) and f.attr == "t" and isinstance(f.node, nodes.Name) and f.node.name == "lang"):
            return False
    return True


def _wrap(env, name: str, key) -> NavMemo:
    template = env.get_template(name)
    memo = getattr(template, "_policy_reader_memo", None)
    if isinstance(memo, NavMemo):  # installed already for this environment
        return memo
    memo = NavMemo(template.root_render_func, key)
    template.root_render_func = memo.render
    template._policy_reader_memo = memo
    return memo


def install(env) -> NavMemo | None:
    """Wrap the theme's ``partials/nav.html`` in ``env`` (one build's environment), and the
    header partials that read nothing of the page; the sidebar's memo, or None when a
    template of the sidebar is not Material's own (an override) or is missing."""
    material = _material_dir()
    if material is None:
        return None
    templates = material / "templates"
    if not _materials(env, ("partials/language.html",), templates):  # lang.t: Material's translations
        return None
    for name in CONSTANT:
        if page_independent(env, name):
            _wrap(env, name, lambda context: ())
    if not _materials(env, TEMPLATES, templates):
        return None
    return _wrap(env, TEMPLATES[0], None)
