"""The sidebar rendered once per kind of page (site/nav_memo.py) writes the same site."""

from __future__ import annotations

import shutil

from policy_reader.site import nav_memo
from support import GOMEZ_SLUG, KLINGNER_SLUG, build_in_process, site_files


# A hook that takes two pages out of the sidebar: one as deep as a paper under another
# folder, one a level up, so that pages out of the sidebar differ in their links and
# in which section is open (written for this test).
HOOK = """
def _kept(item):
    page = getattr(item, "file", None)
    if page is not None:
        return page.src_uri not in ("notes/deep.md", "aside.md")
    return not item.children or any(_kept(c) for c in item.children)


def on_nav(nav, config, files):
    nav.items = [i for i in nav.items if _kept(i)]
    nav.pages = [p for p in nav.pages if _kept(p)]
    return nav
"""


def _papers_out_of_the_sidebar(project) -> None:
    cfg = project / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    assert "\n  - policy-reader\n" in text
    text = text.replace("\n  - policy-reader\n", "\n  - policy-reader:\n      nav_papers_max: 1\n")
    cfg.write_text(text + "\nhooks:\n  - hide_pages.py\n", encoding="utf-8")
    (project / "hide_pages.py").write_text(HOOK, encoding="utf-8")
    (project / "docs" / "notes").mkdir()
    (project / "docs" / "notes" / "deep.md").write_text("# Deep note\n\nA page out of the sidebar.\n", encoding="utf-8")
    (project / "docs" / "aside.md").write_text("# Aside\n\nAnother page out of the sidebar.\n", encoding="utf-8")


def test_memoised_sidebar_is_the_rendered_one(project_copy, tmp_path, monkeypatch):
    """Papers out of the sidebar share one memoised sidebar; every page equals a build
    that renders the sidebar for each page."""
    _papers_out_of_the_sidebar(project_copy)
    plugin = build_in_process(project_copy, tmp_path / "memo", monkeypatch)
    assert plugin.nav_memo is not None and plugin.nav_memo.hits >= 1  # the second paper's sidebar
    shutil.rmtree(project_copy / ".cache")
    with monkeypatch.context() as m:
        m.setattr(nav_memo, "install", lambda env: None)
        plain = build_in_process(project_copy, tmp_path / "plain", monkeypatch)
    assert plain.nav_memo is None
    memo, rendered = site_files(tmp_path / "memo"), site_files(tmp_path / "plain")
    assert memo.keys() == rendered.keys()
    assert [name for name in memo if memo[name] != rendered[name]] == []
    assert "notes/deep/index.html" in memo and "aside/index.html" in memo


def test_an_overridden_sidebar_is_rendered_for_every_page(project_copy, tmp_path, monkeypatch):
    """An override of a sidebar template may read anything of the page: no memo."""
    _papers_out_of_the_sidebar(project_copy)
    override = project_copy / "docs" / "overrides" / "partials" / "nav-item.html"
    override.write_text(
        '{% macro render(nav_item, path, level, parent) %}<li data-here="{{ page.url }}">'
        "{{ nav_item.title }}</li>{% endmacro %}\n",
        encoding="utf-8",
    )
    plugin = build_in_process(project_copy, tmp_path / "site", monkeypatch)
    assert plugin.nav_memo is None
    for slug in (KLINGNER_SLUG, GOMEZ_SLUG):
        html = (tmp_path / "site" / "papers" / slug / "index.html").read_text(encoding="utf-8")
        assert f'data-here="papers/{slug}/"' in html


def _env(tmp_path, templates: dict[str, str]):
    import jinja2
    from mkdocs.utils.templates import url_filter

    for name, text in templates.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    env.filters["url"] = url_filter
    return env


def test_page_independent_partials_are_read_from_their_syntax(tmp_path):
    """Only a partial that reads the build's values (config, features, lang.t), no filter
    that reads the context and no include but icons is rendered once per build."""
    env = _env(tmp_path, {
        "same.html": '{% set l = lang.t("search") %}<b title="{{ l }}">{{ config.site_name | e }}</b>'
                     '{% if "x" in features %}{% include ".icons/" ~ (config.icon or "a") ~ ".svg" %}{% endif %}',
        "title.html": "<b>{{ page.title }}</b>",
        "link.html": '<a href="{{ config.home | url }}">home</a>',
        "include.html": '{% include "partials/other.html" %}',
        "call.html": "{{ config.pick() }}",
    })
    assert nav_memo.page_independent(env, "same.html")
    for name in ("title.html", "link.html", "include.html", "call.html", "missing.html"):
        assert not nav_memo.page_independent(env, name), name


def test_the_real_header_partials_are_page_independent():
    """Ours (docs/overrides/partials/search.html) and Material's palette: rendered once per build."""
    from mkdocs.config import load_config
    from support import ROOT

    env = load_config(str(ROOT / "mkdocs.yml")).theme.get_env()
    assert all(nav_memo.page_independent(env, name) for name in nav_memo.CONSTANT)
