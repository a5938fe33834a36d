"""The Content-Security-Policy holds on every kind of page: the browser reports no violation,
and the page still works (search opens, scripts ran)."""

import pytest
from playwright.sync_api import expect

from support import GOMEZ_SLUG, KLINGNER_SLUG

pytestmark = pytest.mark.browser

@pytest.fixture
def page(browser):
    """A page in a context that enforces the site's CSP (no bypass)."""
    context = browser.new_context(bypass_csp=False)
    yield context.new_page()
    context.close()


RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.parametrize("path", ["", f"papers/{KLINGNER_SLUG}/", f"papers/{GOMEZ_SLUG}/", "topics/", "404.html"])
def test_no_csp_violation(page, base_url, path):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.add_init_script(RECORD)
    response = page.goto(base_url + path)
    assert response.status in (200, 404) if path == "404.html" else response.ok
    meta = page.locator('meta[http-equiv="Content-Security-Policy"]')
    expect(meta).to_have_count(1)
    page.wait_for_load_state("networkidle")
    if path != "404.html":
        page.keyboard.press("/")  # opens Material's search: the bundle ran under the policy
        expect(page.locator(".md-search__input")).to_be_focused()
    assert page.evaluate("window.__csp") == []
    assert not [m for m in messages if "Content Security Policy" in m]


def test_policy_blocks_an_injected_inline_script(page, base_url):
    """The policy is not decorative: a script without a listed hash does not run."""
    page.add_init_script(RECORD)
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }""")
    assert page.evaluate("window.__injected") is None
    assert any("script-src" in v for v in page.evaluate("window.__csp"))
