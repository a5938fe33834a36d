"""policy_reader.site.inline_skip: Python-Markdown's inline step passing over patterns
that cannot match gives the same HTML as the stock step, on every construct."""

from pathlib import Path

import markdown
import pytest
from markdown.treeprocessors import InlineProcessor

from policy_reader.site import inline_skip
from policy_reader.site.inline_skip import SkippingInlineProcessor

ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = ["toc", "attr_list", "md_in_html", "footnotes", "abbr", "policy_reader.site.glossary"]

EDGE_TEXTS = [
    "plain words only, no marks at all",
    "`code` and ``two `ticks` `` and \\`escaped\\` and \\\\`after backslashes`",
    "escapes \\* \\_ \\[ \\< \\& and a lone backslash \\ here",
    "a note[^1] and [^missing] and [^2].\n\n[^1]: first note with *em* and [a link](http://a.example/).\n[^2]: second",
    "[inline](http://x.example/ \"title\") [ref][r] [short] ![img](i.png) ![iref][r] ![short] !not [r]\n\n[r]: http://r.example/\n[short]: http://s.example/",
    "<http://auto.example/path> <me@example.org> <span class=\"x\">html *em*</span> <!-- comment --> <?pi?> <![CDATA[x]]>",
    "entities &amp; &#38; &#x26; &copy; and a bare & and a < less than",
    "line break  \nnext line and trailing spaces  ",
    "*em* **strong** ***both*** _em_ __strong__ snake_case_word a * b * c **un closed",
    "nested **bold with `code` and [link *em*](u) inside** and *em with <b>tag</b>*",
    "The ICBM and the KCNA at the SPA; ICBMs too. *[ICBM]: missile\n*[KCNA]: agency\n*[SPA]: assembly\n*[ICBMs]: missiles",
    "# Heading with *em* {: #h1 }\n\nPara with [x](y)\n{: #p-1 .para data-topics=\"a b\" }\n\n<div markdown>\n\ninside *md* & [z](w)\n\n</div>",
    "- item `one`\n- item **two** &amp;\n  - nested <i>three</i>\n\n> quote with [^q] and _em_\n\n[^q]: quoted note",
    "tail text after html <br> then *em* then \\[not a link] then [real](r) end",
]


def _render(text: str, skip: bool) -> str:
    md = markdown.Markdown(extensions=EXTENSIONS + (["policy_reader.site.inline_skip"] if skip else []))
    assert isinstance(md.treeprocessors["inline"], SkippingInlineProcessor) is skip
    return md.convert(text)


def _papers() -> list[Path]:
    return sorted((ROOT / "docs" / "papers").glob("*.md"))


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_same_html_on_every_construct(text):
    assert _render(text, True) == _render(text, False)


def test_same_html_on_the_papers():
    papers = _papers()
    assert papers
    for path in papers:
        text = path.read_text(encoding="utf-8")
        glossary = (ROOT / "docs" / "includes" / "glossary.md").read_text(encoding="utf-8")
        text = text + "\n\n" + glossary
        assert _render(text, True) == _render(text, False), path.name


def test_patterns_that_cannot_match_are_not_tried(monkeypatch):
    tried = []
    original = InlineProcessor._InlineProcessor__applyPattern

    def counting(self, pattern, *args):
        tried.append(type(pattern).__name__)
        return original(self, pattern, *args)

    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__applyPattern", counting)
    _render("plain words only", False)
    stock = len(tried)
    tried.clear()
    _render("plain words only", True)
    assert stock >= 10 and tried == []
    _render("a [link](u) here", True)
    assert "LinkInlineProcessor" in tried and "BacktickInlineProcessor" not in tried


def test_unknown_or_changed_patterns_are_always_tried():
    md = markdown.Markdown(extensions=["policy_reader.site.inline_skip"])
    known = {name: inline_skip.needs(md.inlinePatterns[name]) for name in ("backtick", "link", "html", "em_strong")}
    assert known == {"backtick": ("`",), "link": ("[",), "html": ("<",), "em_strong": ("*", "_")}
    custom = markdown.inlinepatterns.SimpleTagInlineProcessor(r"()~~(.+?)~~", "del")
    assert inline_skip.needs(custom) is None
    md.inlinePatterns.register(custom, "del", 65)
    assert md.convert("a ~~gone~~ word") == "<p>a <del>gone</del> word</p>"
    em = md.inlinePatterns["em_strong"]
    em.add("~", "del")  # an extension adding a delimiter: still known, with its new token
    assert inline_skip.needs(em) == ("*", "_", "~")
