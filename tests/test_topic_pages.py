"""Topics, site side: the built topic pages, their passage links, the chips on paper
pages, and bad topic data failing the build (fixture sites built in temp dirs)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build, page_html

from policy_reader.topics import rules as T

VOCAB = T.load_vocabulary(ROOT)
SLUGS = [KLINGNER_SLUG, GOMEZ_SLUG]
TOPIC_URLS = ["topics/", "topics/sanctions/", "topics/military-exercises/", "topics/icbm-thresholds/", "topics/diplomacy/"]


class Links(HTMLParser):
    """Every <a href> with its class, every id, and the <p> each link sits in."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[dict] = []
        self.p_stack: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "p":
            self.p_stack.append(a)
        if tag == "a" and "href" in a:
            self.links.append({**a, "in_p": dict(self.p_stack[-1]) if self.p_stack else None})

    def handle_endtag(self, tag):
        if tag == "p" and self.p_stack:
            self.p_stack.pop()


def parse(site: Path, url: str) -> Links:
    parser = Links()
    parser.feed((site / url / "index.html").read_text(encoding="utf-8"))
    return parser


def resolve(site: Path, page_url: str, href: str) -> tuple[str, str]:
    """A relative href on ``page_url`` -> (site url of the target page, anchor)."""
    full = urljoin("http://x/" + page_url, href)
    parts = urlsplit(full)
    path = parts.path.lstrip("/")
    assert (site / path / "index.html").exists(), f"{page_url}: {href} -> no page {path}"
    return path, parts.fragment


def paper_topics(slug: str) -> dict[str, list[str]]:
    md = (ROOT / "docs" / "papers" / f"{slug}.md").read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r'^\{: #([\w-]+) \.(?:para|takeaway)(?: data-topics="([^"]*)")? \}$', md, re.M):
        out[m[1]] = (m[2] or "").split()
    return out


def test_every_topic_page_exists(built_site):
    for url in TOPIC_URLS:
        assert (built_site / url / "index.html").exists(), url
    assert not (built_site / "topics" / "vocabulary.yml").exists()
    assert not (built_site / "topics" / "overrides.yml").exists()
    assert not (built_site / "topics" / "model.json").exists()  # the topic model's weights stay out too


@pytest.mark.parametrize("topic", VOCAB.slugs())
def test_topic_page_lists_every_tagged_passage_with_a_resolving_link(built_site, topic):
    url = f"topics/{topic}/"
    html = (built_site / url / "index.html").read_text(encoding="utf-8")
    links = parse(built_site, url)
    passage_links = [a for a in links.links if a.get("class") == "topic-passage-link"]
    expected = {(slug, pid) for slug in SLUGS for pid, ts in paper_topics(slug).items() if topic in ts}
    found = set()
    for a in passage_links:
        target, anchor = resolve(built_site, url, a["href"])
        slug = target.split("/")[1]
        assert anchor in parse(built_site, target).ids, f"{url}: {a['href']} has no target id"
        if slug in SLUGS:  # papers a user added have their own passages
            found.add((slug, anchor))
    assert found == expected
    # Each paper with a tagged passage in its own group, newest first; the notes comparing the
    # two papers are shown once, with the first of them, and the other points to them.
    assert [s for s in re.findall(r'<section class="topic-paper" data-paper="([^"]+)"', html) if s in SLUGS] == [KLINGNER_SLUG, GOMEZ_SLUG]
    assert "Where Klingner (2019) and Gomez (2019) agree" in html and "Where Klingner (2019) and Gomez (2019) differ" in html
    assert html.count('<aside class="topic-note"') == 2 and html.count('class="topic-note-ref"') == 2
    first, second = html.split(f'data-paper="{GOMEZ_SLUG}"')
    assert first.count('<aside class="topic-note"') == 2  # in Klingner's group, the newer paper
    assert "Both papers" not in html and "both papers" not in html
    assert "Related topics" in html
    assert "topic-pager" not in html  # two papers fit on one page


def test_highlighted_terms_are_the_papers_words(built_site):
    html = (built_site / "topics" / "sanctions" / "index.html").read_text(encoding="utf-8")
    marks = re.findall(r"<mark>(.*?)</mark>", html)
    assert "maximum pressure" in [m.lower() for m in marks]
    assert "secondary sanctions" in marks
    # Every passage's text (tags stripped) appears verbatim in the paper's page.
    papers = {s: re.sub(r"<[^>]+>", "", page_html(built_site, s)) for s in SLUGS}
    for m in re.finditer(r'<p class="topic-passage"[^>]*>(.*?)</p>', html, re.S):
        text = re.sub(r"<[^>]+>", "", m[1])
        text = re.sub(r"^(¶ \d+|Key takeaway \d+) ", "", text)
        for piece in text.split("…"):
            piece = piece.strip()
            if piece:
                assert any(piece in body for body in papers.values()), piece


def test_index_and_pages_count_passages_and_papers(built_site):
    html = (built_site / "topics" / "index.html").read_text(encoding="utf-8")
    assert "the library’s 2 papers" in html or "the library's 2 papers" in html
    for topic in VOCAB.topics:
        card = html.split(f'data-topic="{topic.slug}"')[1].split("</section>")[0]
        assert f'href="{topic.slug}/"' in card
        k = sum(topic.slug in ts for ts in paper_topics(KLINGNER_SLUG).values())
        g = sum(topic.slug in ts for ts in paper_topics(GOMEZ_SLUG).values())
        papers = (k > 0) + (g > 0)
        assert f"{k + g} passages in {papers} papers" in card, card
        page = (built_site / "topics" / topic.slug / "index.html").read_text(encoding="utf-8")
        assert f"{k + g} passages in {papers} papers" in page
        assert re.search(rf'data-paper="{KLINGNER_SLUG}">.*?· {k} passages?</p>', page, re.S)


@pytest.mark.parametrize("slug", SLUGS)
def test_chips_inside_each_tagged_paragraph_and_in_the_header(built_site, slug):
    url = f"papers/{slug}/"
    links = parse(built_site, url)
    tagged = paper_topics(slug)
    chips: dict[str, list[str]] = {}
    header = []
    for a in links.links:
        if a.get("class") != "topic-chip":
            continue
        target, anchor = resolve(built_site, url, a["href"])
        assert target == f"topics/{a['data-topic']}/" and anchor == ""
        p = a["in_p"]
        assert p is not None
        if p.get("class") == "paper-topics":
            header.append(a["data-topic"])
        else:
            assert p["id"] in tagged  # the chip sits inside the <p> that carries the id
            chips.setdefault(p["id"], []).append(a["data-topic"])
    assert chips == {pid: ts for pid, ts in tagged.items() if ts}
    covered = {t for ts in tagged.values() for t in ts}
    assert header == [s for s in VOCAB.slugs() if s in covered]


def write_vocab(project: Path, old: str, new: str) -> None:
    path = project / T.VOCABULARY_PATH
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, message", [
    ("    threshold: 2\n", "    threshold: 2\n    colour: red\n", "topic 'sanctions': unknown field 'colour'"),
    ("  - slug: military-exercises\n", "  - slug: sanctions\n", "duplicate slug 'sanctions'"),
    ('      - match: ["sanction*"]\n', "      - match: []\n", "topic 'sanctions', rule 1: 'match' must be"),
])
def test_bad_vocabulary_fails_the_build(project_copy, tmp_path, old, new, message):
    write_vocab(project_copy, old, new)
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert "docs/topics/vocabulary.yml:" in result.stderr and message in result.stderr


def test_note_naming_a_paper_that_is_gone_fails_the_build(project_copy, tmp_path):
    path = project_copy / "docs" / "topics" / "notes.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"papers: [{KLINGNER_SLUG}, {GOMEZ_SLUG}]", f"papers: [{KLINGNER_SLUG}, gone-2019-missing]", 1), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert re.search(r"docs/topics/notes.yml:\d+: note 1 \(sanctions\) names paper 'gone-2019-missing', which is not in the library", result.stderr), result.stderr[-2000:]


def test_notes_are_checked_against_the_papers_of_the_library():
    """A paper withdrawn from the library leaves its notes naming a paper that is gone."""
    from policy_reader.topics import notes as N
    notes = N.load_notes(ROOT, VOCAB)
    assert notes and all(set(n.papers) == {KLINGNER_SLUG, GOMEZ_SLUG} for n in notes)
    N.check_notes(notes, {KLINGNER_SLUG, GOMEZ_SLUG})
    with pytest.raises(T.SourceError, match=f"note 1 \\(sanctions\\) names paper '{GOMEZ_SLUG}', which is not in the library"):
        N.check_notes(notes, {KLINGNER_SLUG})


@pytest.mark.parametrize("body, what", [
    ("- {topic: trade, papers: [a-b], kind: note, text: t}\n", "note 1: unknown topic 'trade'"),
    ("- {topic: sanctions, papers: [a-b], kind: agree, text: t}\n", "names at least two papers"),
    ("- {topic: sanctions, papers: [a-b], kind: opinion, text: t}\n", "'kind' must be one of agree, differ, note"),
    ("- {topic: sanctions, papers: [a-b], kind: note}\n", "missing field 'text'"),
    ("- {topic: sanctions, papers: [a-b, a-b], kind: note, text: t}\n", "named twice"),
])
def test_bad_notes(body, what):
    from policy_reader.topics import notes as N
    with pytest.raises(T.SourceError) as exc:
        N.parse_notes(body, VOCAB)
    assert str(exc.value).startswith("docs/topics/notes.yml:1: ") and what in str(exc.value)


def test_agree_in_the_vocabulary_points_to_notes():
    text = (ROOT / T.VOCABULARY_PATH).read_text(encoding="utf-8").replace("    threshold: 2\n", "    threshold: 2\n    agree: x\n", 1)
    with pytest.raises(T.SourceError, match="move it to docs/topics/notes.yml"):
        T.parse_vocabulary(text)


def test_override_with_unknown_id_fails_the_build(project_copy, tmp_path):
    (project_copy / T.OVERRIDES_PATH).write_text(
        f"{KLINGNER_SLUG}:\n  p-99: {{topics: [sanctions], reason: test}}\n", encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert f"docs/topics/overrides.yml:2: '{KLINGNER_SLUG}' has no paragraph 'p-99'" in result.stderr


def test_unknown_topic_in_paper_markdown_fails_the_build(project_copy, tmp_path):
    path = project_copy / "docs" / "papers" / f"{GOMEZ_SLUG}.md"
    path.write_text(path.read_text().replace('{: #p-9 .para data-topics="diplomacy" }', '{: #p-9 .para data-topics="trade" }'))
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert f"docs/papers/{GOMEZ_SLUG}.md: p-9 has topic 'trade'" in result.stderr


def test_strict_anchor_validation_is_on():
    """Passage links are Markdown links, so MkDocs checks their anchors; strict makes it fatal."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    assert config["strict"] is True
    assert config["validation"]["links"]["anchors"] in ("warn",)
    assert "topics/*.yml" in config["exclude_docs"].split()


def test_link_check_reports_unresolved_links():
    from policy_reader.site.topics.pages import LinkCheck
    check = LinkCheck()
    check.record_page("papers/x/", '<p id="p-1"></p>')
    check.record_page("topics/a/", "<h1 id='a'></h1>")
    check.record_link("docs/papers/x.md", "papers/x/", "topics/a/")
    check.record_link("docs/papers/x.md", "papers/x/", "topics/b/")
    check.record_passage_links("topics/a.md (generated)", "topics/a/",
                               '<a class="topic-passage-link" href="../../papers/x/#p-2">¶ 2</a>'
                               '<a class="topic-passage-link" href="../../papers/x/#p-1">¶ 1</a>')
    assert check.problems() == [
        "docs/papers/x.md: topic link to '/topics/b/' does not resolve: no such page",
        "topics/a.md (generated): topic link to '/papers/x/#p-2' does not resolve: the page has no id 'p-2'",
    ]


def test_topic_pages_come_from_the_cache_when_nothing_they_read_changed(project_copy, tmp_path, monkeypatch):
    """site/generated_cache.py: a second build takes the topic pages from .cache/generated and
    writes the same site; an edited entry shows (proof that it is used); a changed vocabulary
    or paper generates them again."""
    from support import build_in_process, site_files

    first = build_in_process(project_copy, tmp_path / "one", monkeypatch)
    assert first.topics.pages.cache.hit is False
    second = build_in_process(project_copy, tmp_path / "two", monkeypatch)
    assert second.topics.pages.cache.hit is True
    assert site_files(tmp_path / "one") == site_files(tmp_path / "two")

    from policy_reader.cache import read_entry, write_entry

    [entry] = [e for e in (project_copy / ".cache" / "generated").glob("*.json") if "pages" in read_entry(e) and "csl_json" not in read_entry(e)]  # not the bibliography's
    data = read_entry(entry)
    data["pages"] = [[uri, md.replace("What each paper says", "What each paper said")] for uri, md in data["pages"]]
    write_entry(entry, data)  # a verified entry (a damaged one is never used: tests/test_cache.py)
    build_in_process(project_copy, tmp_path / "three", monkeypatch)
    assert "What each paper said" in (tmp_path / "three" / "topics" / "sanctions" / "index.html").read_text(encoding="utf-8")

    vocabulary = project_copy / "docs" / "topics" / "vocabulary.yml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    plugin = build_in_process(project_copy, tmp_path / "four", monkeypatch)
    assert plugin.topics.pages.cache.hit is False
    assert site_files(tmp_path / "four") == site_files(tmp_path / "one")

    paper = project_copy / "docs" / "papers" / f"{GOMEZ_SLUG}.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace('title: "There must', 'title: "There MUST', 1), encoding="utf-8")
    plugin = build_in_process(project_copy, tmp_path / "five", monkeypatch)
    assert plugin.topics.pages.cache.hit is False
    assert "There MUST be consequences" in (tmp_path / "five" / "topics" / "sanctions" / "index.html").read_text(encoding="utf-8")


def _fragments_with(passage_macro: str):
    """Our templates, topic-paper.html's ``passage`` macro replaced (as an override would)."""
    import jinja2
    from policy_reader.site import fragments as F
    ours = (F.TEMPLATES_DIR / "fragments" / "policy-reader" / "topic-paper.html").read_text(encoding="utf-8")
    start = ours.index("{%- macro passage(")
    end = ours.index("{%- endmacro -%}", start) + len("{%- endmacro -%}")
    frag = F.Fragments()
    frag.env.loader = jinja2.DictLoader({F.PREFIX + "topic-paper.html": ours[:start] + passage_macro + ours[end:]})
    return frag


HOSTILE = "<script>alert('x')</script> & \"quoted\""


def _passages():
    from markupsafe import Markup
    from policy_reader.site.topics.pages import Passage, read_passages
    got = [p for path in sorted((ROOT / "docs" / "papers").glob("*.md"))
           for p in read_passages(path.stem, path.read_text(encoding="utf-8"))]
    got.append(Passage("x", "kt-2", "takeaway", ("sanctions",), HOSTILE))
    return [(p, href, html) for p in got for href, html in (
        ("../../papers/x/", Markup("a <mark>b</mark> &amp; c")), (HOSTILE, HOSTILE), ("", Markup(HOSTILE)))]


def test_plain_passage_macro_gives_the_macros_bytes():
    """Our passage macro is filled without a Jinja call (site/topics/plain_macro.py): the same
    bytes as the macro for every passage of the papers and hostile values; so is an override
    that only moves text and values (a bare value is autoescaped)."""
    from policy_reader.site import fragments as F
    from policy_reader.site.topics.plain_macro import plain_macro
    moved = ('{%- macro passage(p, href, excerpt) -%}<div class="mine" data-k="{{ p.kind | text }}">{{ p.label }} '
             '<a class="topic-passage-link" href="{{ href }}#{{ p.pid | md_text }}">{{ excerpt }}</a></div>{%- endmacro -%}')
    for frag in (F.Fragments(), _fragments_with(moved)):
        macro = frag.macro("topic-paper.html", "passage")
        fill = plain_macro(frag, "topic-paper.html", "passage")
        assert fill is not None
        cases = _passages()
        assert len(cases) > 60
        for p, href, html in cases:
            assert fill(p, href, html) == macro(p, href, html)


def test_topic_chip_macros_are_filled_with_the_macros_bytes():
    """The chips of a paper page (TopicChips: ``chip`` per topic, ``paragraph`` per tagged
    paragraph, ``header`` once) are filled without a Jinja call: the same bytes as the macros,
    the constant ``{{ ' ' }}`` included, for hostile values and Markup."""
    from policy_reader.site import fragments as F
    from markupsafe import Markup
    from policy_reader.site.topics.plain_macro import plain_macro
    frag = F.Fragments()
    values = [HOSTILE, "sanctions", "../../topics/sanctions/", "é ¶ & <b>", ""]
    for name, cases in (("chip", [(a, b, c) for a in values for b in values[:2] for c in values]),
                        ("paragraph", [(Markup(v),) for v in values] + [(v,) for v in values]),
                        ("header", [(Markup(v),) for v in values] + [(v,) for v in values])):
        macro, fill = frag.macro("topic-chips.html", name), plain_macro(frag, "topic-chips.html", name)
        assert fill is not None, name
        for case in cases:
            assert fill(*case) == macro(*case), (name, case)


def test_a_constant_that_is_not_text_leaves_the_macro_to_jinja():
    from policy_reader.site.topics.plain_macro import plain_macro
    frag = _fragments_with("{%- macro passage(p, href, excerpt) -%}{{ 1 }}{{ p.pid | text }}{%- endmacro -%}")
    assert plain_macro(frag, "topic-paper.html", "passage") is None


@pytest.mark.parametrize("body", [
    '{% if p.kind == "takeaway" %}<b>{% endif %}{{ p.pid | text }}',  # a condition
    "{{ p.pid | upper }}",  # another filter
    "{{ p.pid | text | md_text }}",  # a filter of a filter
    "{{ other | text }}",  # a name from outside the macro
    "{% for c in p.topics %}{{ c }}{% endfor %}",  # a loop
    "{{ p['pid'] }}",  # an item, not an attribute
    "{{ p.pid ~ href }}",  # an expression
])
def test_a_passage_macro_with_more_than_values_is_called_for_each_passage(body):
    """plain_macro gives None for a macro it cannot fill exactly; the topic pages then call the
    macro (TopicPages._passage_html), whose output is used as it is."""
    from policy_reader.site.topics.pages import TopicPages
    from policy_reader.site.topics.plain_macro import plain_macro
    frag = _fragments_with("{%- macro passage(p, href, excerpt) -%}" + body + "{%- endmacro -%}")
    assert plain_macro(frag, "topic-paper.html", "passage") is None
    pages = TopicPages(ROOT, "papers")
    pages.fragments = frag
    passage, macro = pages._passage_html(), frag.macro("topic-paper.html", "passage")
    for p, href, html in _passages()[:30]:
        assert passage(p, href, html) == macro(p, href, html)


def test_the_filled_passage_is_checked_against_the_macro_once(monkeypatch):
    """The filled passage is compared with the macro's on the first passage of a topic; a
    difference (a filler wrong about a template) means the macro for every passage."""
    from policy_reader.site.topics import pages as P
    from policy_reader.site.topics import plain_macro as PM
    frag = _fragments_with('{%- macro passage(p, href, excerpt) -%}<p>{{ p.pid | text }}</p>{%- endmacro -%}')
    pages = P.TopicPages(ROOT, "papers")
    pages.fragments = frag
    cases = _passages()[:5]
    assert [pages._passage_html()(*c) for c in cases] == [f"<p>{c[0].pid}</p>" for c in cases]
    monkeypatch.setattr(PM, "plain_macro", lambda *a: (lambda p, href, html: "wrong"))
    passage = pages._passage_html()
    assert [passage(*c) for c in cases] == [f"<p>{c[0].pid}</p>" for c in cases]


def test_rebase_rewrites_links_and_never_the_papers_words():
    """A topic page past the first rewrites its relative links for its own address; a paper whose
    words quote an attribute (href="...") keeps them exactly."""
    from policy_reader.site.topics.pages import _rebase

    block = ('<p class="topic-passage"><a class="topic-passage-link" href="../../../../papers/x/#p-2">¶ 2</a> '
             'The page said href="../../notes/" in plain words, and <a href="../../../../papers/y/">a link</a>.</p>')
    out = _rebase(block, "topics/sanctions/page/2/", "topics/sanctions/")
    assert 'href="../../papers/x/#p-2"' in out
    assert '<a href="../../papers/y/">a link</a>' in out
    assert 'said href="../../notes/" in plain words' in out


def test_a_pages_chips_record_each_topics_link_once_and_report_as_before():
    """TopicChips records a topic's link once a page (LinkCheck.problems reads each source's
    link to a target once): a page whose paragraphs share a topic reports a missing topic page once."""
    from policy_reader.site.topics.pages import LinkCheck, TopicChips, TopicPages
    from policy_reader.topics import rules as T
    pages = TopicPages(ROOT, "papers")
    pages.vocab, pages.passages = T.load_topic_data(ROOT)[0], {}
    by = pages.vocab.by_slug()
    one, two = sorted(by)[:2]
    html = (f'<p class="byline">B</p>\n<p class="para" id="p-1" data-topics="{one} {two}">a</p>\n'
            f'<p class="para" id="p-2" data-topics="{one}">b</p>\n<p class="para" id="p-3" data-topics="{two} {one}">c</p>')
    check = LinkCheck()
    out = TopicChips(pages, check).process(html, "x", "papers/x/", "docs/papers/x.md")
    assert out.count(f'data-topic="{one}"') == 3 and out.count(f'data-topic="{two}"') == 2
    assert check.links == [("docs/papers/x.md", "papers/x/", f"topics/{one}/", ""),
                           ("docs/papers/x.md", "papers/x/", f"topics/{two}/", "")]
    check.record_page("papers/x/", out)
    assert check.problems() == [f"docs/papers/x.md: topic link to '/topics/{s}/' does not resolve: no such page" for s in (one, two)]
