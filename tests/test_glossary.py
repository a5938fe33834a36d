"""The glossary (docs/includes/glossary.md): one data file of abbr definitions that
Material shows as tooltips. Every entry must occur in the text of a paper (no dead
entry), and the built paper pages must mark each occurrence."""

from __future__ import annotations

import html
import re

from support import ROOT

GLOSSARY = ROOT / "docs" / "includes" / "glossary.md"
DEFINITION = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<title>\S.*)$")


def glossary(text: str) -> dict[str, str]:
    """term -> explanation; any other non-blank line is an error."""
    entries = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = DEFINITION.match(line)
        assert m, f"{GLOSSARY.relative_to(ROOT)}:{n}: not an abbr definition '*[TERM]: explanation'"
        assert m["term"] not in entries, f"{GLOSSARY.relative_to(ROOT)}:{n}: '{m['term']}' defined twice"
        entries[m["term"]] = m["title"]
    return entries


def occurs(term: str, text: str) -> bool:
    """The rule Python-Markdown's abbr uses: the term between word boundaries."""
    return re.search(rf"\b{re.escape(term)}\b", text) is not None


def paper_text(site) -> str:
    """The visible text of the paper pages' article (paragraphs and footnotes)."""
    parts = []
    for page in sorted((site / "papers").glob("*/index.html")):
        body = page.read_text(encoding="utf-8")
        article = body[body.index('<article'):body.index("</article>")]
        parts.append(html.unescape(re.sub(r"<[^>]+>", "", article)))
    return "\n".join(parts)


def test_occurs_follows_word_boundaries():
    assert occurs("ICBM", "an ICBM test") and occurs("U.N", "the U.N. Security Council")
    assert not occurs("ICBM", "ICBMs") and not occurs("SPA", "SPACE") and not occurs("DPRK", "North Korea")


def test_glossary_has_the_issues_entries():
    entries = glossary(GLOSSARY.read_text(encoding="utf-8"))
    for term in ("ICBM", "KCNA", "SPA", "U.N"):
        assert term in entries


def test_every_glossary_entry_occurs_in_the_papers(built_site):
    entries = glossary(GLOSSARY.read_text(encoding="utf-8"))
    text = paper_text(built_site)
    dead = [term for term in entries if not occurs(term, text)]
    assert not dead, f"dead glossary entries (not in any paper): {dead}"


def test_every_glossary_entry_is_a_tooltip_on_a_paper_page(built_site):
    entries = glossary(GLOSSARY.read_text(encoding="utf-8"))
    pages = "".join(p.read_text(encoding="utf-8") for p in (built_site / "papers").glob("*/index.html"))
    marked = {(html.unescape(t), html.unescape(x)) for t, x in re.findall(r'<abbr title="([^"]*)">([^<]*)</abbr>', pages)}
    missing = [term for term, title in entries.items() if (title, term) not in marked]
    assert not missing, f"glossary entries without a tooltip on a paper page: {missing}"


def test_the_glossary_file_is_not_published(built_site):
    assert not (built_site / "includes").exists()
    assert "*[ICBM]" not in (built_site / "index.html").read_text(encoding="utf-8")


def test_a_term_is_explained_at_its_first_use_on_a_page():
    from policy_reader.site.glossary import first_use_only

    html_in = '<p><abbr title="a">ICBM</abbr> and <abbr title="a">ICBM</abbr>, <abbr title="b">SPA</abbr></p>'
    assert first_use_only(html_in) == '<p><abbr title="a">ICBM</abbr> and ICBM, <abbr title="b">SPA</abbr></p>'


def test_each_page_marks_each_term_once(built_site):
    for page in [built_site / "index.html", *sorted((built_site / "papers").glob("*/index.html"))]:
        terms = re.findall(r'<abbr title="[^"]*">([^<]*)</abbr>', page.read_text(encoding="utf-8"))
        assert len(terms) == len(set(terms)), (page, terms)
    klingner = (built_site / "papers" / "klingner-2019-resolve-and-restraint" / "index.html").read_text(encoding="utf-8")
    assert klingner.count(">ICBM</abbr>") == 1 and klingner.count("ICBM") > 3
