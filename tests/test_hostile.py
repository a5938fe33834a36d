"""Hostile content renders as text, never as markup (property-based, full build).

Hypothesis writes a paper whose paragraphs are made of pieces of HTML,
Markdown, attr_list and citation syntax; the converter and a --strict build
must show exactly those characters, and the paragraphs must hold no element,
attribute or link that the source did not ask for.
"""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings, strategies as st

from support import BIN, mkdocs_build
from test_fidelity import ParagraphText

PIECES = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<iframe src=javascript:alert(1)></iframe>",
    "<b>bold</b>", "<!-- c -->", "*", "_", "**strong**", "__u__", "# not a heading", "## nor this",
    "[x](javascript:alert(1))", "[x]: http://evil.example", "<https://evil.example>", "![i](x.png)",
    "{: .evil }", "{#evil}", "[@smith]", "[see @key, p. 3]", "a@b.org", "@handle", "&amp;", "&lt;b&gt;", "&#64;",
    "\\", "\\*", "`code`", "```", "| a | b |", "> quote", "1. one", "- item", "+ item", "~~del~~",
    "==mark==", "^^ins^^", "++kbd++", ":smile:", "(c)", "-->", "...", "[^1]", "*[HTML]: x", "$x$", "{{ x }}",
    "{% raw %}", "\u00a0", "“quoted”", "tab\there",
]
WORDS = ["alpha", "beta", "gamma", "Delta"]

paragraph = st.lists(st.sampled_from(PIECES + WORDS), min_size=1, max_size=8).map(
    lambda parts: "Alpha " + " ".join(parts) + " end."
)


class Elements(HTMLParser):
    """Every element and attribute inside the hostile paper's paragraphs."""

    def __init__(self):
        super().__init__()
        self.inside = 0
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "p" and (a.get("id") or "").startswith("p-"):
            self.inside = 1
            return
        if self.inside:
            self.inside += 1
            self.found.append((tag, a))

    def handle_endtag(self, tag):
        if self.inside:
            self.inside -= 1


@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=st.lists(paragraph, min_size=1, max_size=6))
def test_hostile_paragraphs_render_as_the_same_text(project_copy, tmp_path_factory, paragraphs):
    src = project_copy / "sources" / "hostile-2020.txt"
    src.write_text("# Hostile Paper\n\n*Mallory Example*\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (project_copy / "sources" / "hostile-2020.yml").write_text(
        # allow: the paper really prints "&amp;", "[^1]", "\\*"...: the quality gate's leftover-marker check is off
        "publisher: Nobody\nkind: report\nsummary: Hostile input.\ndate: 2020-01-01\nslug: hostile-2020\nallow: [leftover-marker]\n", encoding="utf-8"
    )
    conv = subprocess.run([str(BIN / "policy-reader"), "convert", "--root", str(project_copy)], capture_output=True, text=True)
    assert conv.returncode == 0, conv.stderr
    out = tmp_path_factory.mktemp("hostile")
    result = mkdocs_build(project_copy, out)
    assert result.returncode == 0, result.stderr
    html = (out / "papers" / "hostile-2020" / "index.html").read_text(encoding="utf-8")

    text = ParagraphText()
    text.feed(html)
    got = [t for pid, t in text.blocks if pid.startswith("p-")]
    assert [" ".join(t.split()) for t in got] == [" ".join(p.split()) for p in paragraphs]

    elements = Elements()
    elements.feed(html)
    for tag, attrs in elements.found:
        # Only our own decorations (classed, inside the paragraph) and glossary <abbr> may appear.
        assert tag in {"a", "span", "button", "abbr", "svg", "path", "sup"} and ("class" in attrs or tag in {"abbr", "path"}), (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            assert "javascript:" not in (value or ""), (tag, attrs)
            assert "evil" not in (value or ""), (tag, attrs)
    assert "<script>alert(1)" not in html and "<iframe" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
