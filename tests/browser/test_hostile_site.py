"""Hostile text in every user-controlled field stays text, in a real browser with the CSP enforced.

Hypothesis fills the title, authors, summary, publisher, a section heading, a
paragraph and the endnote's parts of a paper, a glossary entry, a topic of the
vocabulary and a timeline event with pieces of HTML, script, URL and template
syntax (tests/hostile_site.py); the project is converted and built with
--strict, and chromium, enforcing the site's Content-Security-Policy
(bypass_csp=False), opens every kind of page and searches. No injected script
may run (nor even be blocked: the policy reports no violation), no link may
point to a javascript: or data: URL, the page title and the search results
show the hostile characters as text.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from playwright.sync_api import expect

from hostile_site import GLOSSARY_PIECES, PLAIN_HOSTILE, SCRIPTY, SLUG, TOPIC, convert, fresh_project, serve, write_hostile_project
from support import mkdocs_build

pytestmark = pytest.mark.browser

RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""

# Links and sources a page may not hold (Material's own search-share button is the one
# exception: a constant href="javascript:void(0)" in its template, no data of ours).
BAD_URLS = """() => Array.from(document.querySelectorAll('[href], [src], [action], [formaction]'))
  .filter(e => !(e.matches('[data-md-component=search-share]') && e.getAttribute('href') === 'javascript:void(0)'))
  .flatMap(e => ['href', 'src', 'action', 'formaction'].map(a => (e.getAttribute(a) || '').trim().toLowerCase()))
  .filter(v => v.startsWith('javascript:') || v.startsWith('data:') || v.startsWith('vbscript:'))"""

# Elements and attributes that hostile text would have become.
INJECTED = """root => Array.from(root.querySelectorAll('*')).filter(e =>
  ['IFRAME', 'OBJECT', 'EMBED', 'BASE'].includes(e.tagName)
  || (e.tagName === 'SCRIPT' && !/json/.test(e.type) && /__pwned/.test(e.textContent))
  || (e.tagName === 'STYLE' && /display:none/.test(e.textContent))
  || (e.tagName === 'META' && (e.httpEquiv || '').toLowerCase() === 'refresh')
  || Array.from(e.attributes).some(a => a.name.toLowerCase().startsWith('on'))
).map(e => e.outerHTML.slice(0, 160))"""

PAGES = ["", "papers/", f"papers/{SLUG}/", "topics/", f"topics/{TOPIC}/", "timeline/", "bibliography/"]

pieces = st.sampled_from(SCRIPTY + PLAIN_HOSTILE)
field = st.lists(pieces, min_size=1, max_size=3).map(" ".join)
note_field = st.lists(st.sampled_from([p for p in SCRIPTY + PLAIN_HOSTILE if not set(p) & set("{}\\")]),
                      min_size=1, max_size=2).map(" ".join)
# An author's name ends in a surname (the converter refuses one without letters).
author_field = st.lists(pieces, min_size=1, max_size=2).map(lambda parts: " ".join(parts) + " Example")
glossary_field = st.lists(st.sampled_from(GLOSSARY_PIECES), min_size=1, max_size=3).map(" ".join)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@settings(max_examples=3, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(title=field, authors=author_field, summary=field,
       publisher=field, heading=field, paragraph=field, note=note_field, glossary=glossary_field,
       topic=field, event=field)
def test_hostile_fields_stay_text_in_the_browser(tmp_path_factory, browser, title, authors, summary,
                                                 publisher, heading, paragraph, note, glossary, topic, event):
    project_copy = fresh_project(tmp_path_factory.mktemp("hostile"))
    raw = write_hostile_project(project_copy, title, authors, summary, publisher, heading, paragraph, note,
                                glossary, topic, event)
    conv = convert(project_copy)
    assert conv.returncode == 0, conv.stderr
    site = tmp_path_factory.mktemp("hostile-site")
    result = mkdocs_build(project_copy, site)
    assert result.returncode == 0, result.stderr[-3000:]
    for page_file in site.rglob("*.html"):
        assert page_file.read_text(encoding="utf-8").count('http-equiv="Content-Security-Policy"') == 1, page_file

    context = browser.new_context(bypass_csp=False)
    try:
        page = context.new_page()
        page.add_init_script(RECORD)
        with serve(site) as base:
            for path in PAGES:
                response = page.goto(base + path)
                assert response.ok, path
                page.wait_for_load_state("networkidle")
                assert page.evaluate("() => window.__pwned") is None, path
                assert page.evaluate("() => window.__csp") == [], path
                assert page.evaluate(BAD_URLS) == [], path
                assert page.locator("html").evaluate(INJECTED) == [], path
                if path == f"papers/{SLUG}/":
                    assert _norm(raw["title"]) in _norm(page.title())
                    expect(page.locator("h1").first).to_contain_text(_norm(raw["title"])[:40])
                if path == f"topics/{TOPIC}/":
                    assert _norm(raw["topic"]) in _norm(page.title())

            # Search: the hostile title in the results is the characters, no element.
            page.goto(base + f"papers/{SLUG}/")
            box = page.locator("input.md-search__input")
            box.click()
            box.press_sequentially("zqtitle", delay=20)
            results = page.locator(".md-search-result__list")
            expect(results.locator("a.md-search-result__link").first).to_be_visible(timeout=10000)
            texts = [_norm(t) for t in results.locator("a.md-search-result__link").all_text_contents()]
            assert any(_norm(raw["title"]) in t for t in texts), texts[:3]
            assert results.evaluate(INJECTED) == []
            assert results.evaluate("r => r.querySelectorAll('img, svg, a a, iframe').length") == 0
            box.fill("")
            box.press_sequentially("zqhead", delay=20)
            expect(results.locator("a.md-search-result__link").first).to_be_visible(timeout=10000)
            texts = [_norm(t) for t in results.locator("a.md-search-result__link").all_text_contents()]
            assert any(_norm(raw["heading"]) in t for t in texts), texts[:3]
            assert results.evaluate(INJECTED) == []
            assert page.evaluate("() => window.__pwned") is None
            assert page.evaluate("() => window.__csp") == []
    finally:
        context.close()
