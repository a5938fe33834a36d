"""The Content-Security-Policy tag (scripts/policy_reader/site/csp.py), outside a browser
(tests/browser/test_csp.py checks that browsers enforce it)."""

from __future__ import annotations

import re

from policy_reader.site import csp

PAGE = '<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>T</title>\n  </head>\n  <body><p>x</p></body>\n</html>\n'
HASHES = ("'sha256-abc'",)


def old_add_csp(page_html: str, script_hashes) -> str:
    """add_csp as it was before the tag search came first: the strip regex always."""
    page_html = csp.META_CSP.sub("", page_html)
    tag = f'<meta http-equiv="Content-Security-Policy" content="{csp.policy(script_hashes)}">'
    m = csp.META_CHARSET.search(page_html)
    if not m:
        return page_html
    return page_html[: m.end()] + "\n    " + tag + page_html[m.end():]


def test_one_policy_after_the_charset():
    out = csp.add_csp(PAGE, HASHES)
    assert out.count("Content-Security-Policy") == 1
    assert re.search(r'<meta charset="utf-8">\n    <meta http-equiv="Content-Security-Policy" content="[^"]*\'sha256-abc\'', out)


def test_a_page_finished_twice_keeps_one_policy():
    once = csp.add_csp(PAGE, HASHES)
    assert csp.add_csp(once, HASHES) == once
    assert csp.add_csp(once, ("'sha256-xyz'",)).count("Content-Security-Policy") == 1


def test_same_page_as_the_strip_regex_alone():
    pages = [
        PAGE,
        csp.add_csp(PAGE, HASHES),
        PAGE.replace("<title>", '\t <META HTTP-EQUIV="content-security-policy" content="x">\n<title>'),
        PAGE.replace("<body>", '<body>\n \n<meta http-equiv="Content-Security-Policy">'),
        PAGE.replace('<meta charset="utf-8">', ""),
        "no tags at all",
    ]
    for page in pages:
        assert csp.add_csp(page, HASHES) == old_add_csp(page, HASHES), page
