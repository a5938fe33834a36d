"""site/csp.add_csp: exactly one policy, after <meta charset>, whatever the page held before."""

from __future__ import annotations

from policy_reader.site import csp

HEAD = '<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>t</title>\n'
POLICY = csp.policy(["'sha256-abc'"])


def _tag(hashes=("'sha256-abc'",)) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{csp.policy(hashes)}">'


def test_a_page_without_a_policy_gets_one():
    page = HEAD + "  </head>\n  <body><p>words</p></body>\n</html>\n"
    out = csp.add_csp(page, ["'sha256-abc'"])
    assert out == page.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n    ' + _tag())


def test_a_policy_already_there_is_replaced_not_doubled():
    page = HEAD + "  </head>\n  <body><p>words</p></body>\n</html>\n"
    once = csp.add_csp(page, ["'sha256-old'"])
    twice = csp.add_csp(once, ["'sha256-abc'"])
    assert twice == csp.add_csp(page, ["'sha256-abc'"])
    assert twice.count("Content-Security-Policy") == 1


def test_any_case_and_indent_of_an_old_policy_is_removed():
    old = '\n\t  <META HTTP-EQUIV="content-security-policy" content="default-src *">'
    page = HEAD + old + "\n  </head>\n  <body></body>\n</html>\n"
    out = csp.add_csp(page, ["'sha256-abc'"])
    assert "default-src *" not in out
    assert out.lower().count("content-security-policy") == 1
    assert out == csp.add_csp(HEAD + "\n  </head>\n  <body></body>\n</html>\n", ["'sha256-abc'"])


def test_a_page_without_meta_charset_is_left_alone():
    page = "<html><head></head><body></body></html>"
    assert csp.add_csp(page, ["'sha256-abc'"]) == page
