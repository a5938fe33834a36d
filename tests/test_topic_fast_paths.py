"""The quicker ways the topic pages are made (site/topics/pages.py, page/markdown.py) give what
the plain ways give: each is compared here with the plain way written out, on generated input."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

from hypothesis import given, settings, strategies as st
from mkdocs.utils import get_relative_url

from policy_reader.page.markdown import CITATION, unescape_text
from policy_reader.site.topics import pages as P
from policy_reader.topics import rules as T
from support import ROOT


# --- sentences ---------------------------------------------------------------------------------

_TOPIC = []


def _topic() -> T.Topic:
    if not _TOPIC:
        _TOPIC.append(T.load_topic_data(ROOT)[0].topics[0])
    return _TOPIC[0]


SENTENCE_PIECES = ["Sanctions bite.", " ", "  ", "The talks!", "“Quoted?”", "x", "a.b", "U.S.", "”", ")", "\n",
                   "Why?", "‘Yes.’", '"So."', "A", "é", "!", "?", "."]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=16),
       st.lists(st.tuples(st.integers(0, 120), st.integers(1, 40)), max_size=6))
def test_sentence_starts_and_an_excerpt_given_them(pieces, raw):
    """sentence_starts (a split in C) is where each _SENTENCE_STOP match ends; an excerpt given
    the starts is the excerpt that finds them itself."""
    text = "".join(pieces)
    assert P.sentence_starts(text) == [0] + [m.end() for m in P._SENTENCE_STOP.finditer(text)]
    spans = sorted({(a, a + n) for a, n in raw if a < max(len(text), 1)})
    topic = _topic()
    assert P.excerpt(text, topic, spans, P.sentence_starts(text)) == P.excerpt(text, topic, spans)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES + ["&", "<b>", "Tom & Jerry."]), max_size=16),
       st.lists(st.tuples(st.integers(0, 120), st.integers(1, 40)), max_size=6), st.booleans())
def test_an_excerpt_of_spans_in_order_is_the_general_way(pieces, raw, in_order):
    """The one walk over spans in order (_excerpt_in_order) gives what the general way gives:
    spans as the rules give them (in order, apart), overlapping ones, ones past the words, and
    spans whose starts go back, which it leaves to the general way."""
    text = "".join(pieces)
    spans = [(a, a + n) for a, n in raw]
    if in_order:
        spans.sort()
    starts = P.sentence_starts(text)
    want = P._excerpt_general(text, spans, starts)
    got = P._excerpt_in_order(text, spans, starts)
    if any(b[0] < a[0] for a, b in zip(spans, spans[1:])):  # a start before the one before
        assert got is None
    else:
        assert got == want
    assert P.excerpt(text, _topic(), spans, starts) == want


# --- words of a block --------------------------------------------------------------------------

def _plain_unescape(markdown_text: str) -> str:
    """unescape_text as it was written before its quick checks: every step on every block."""
    text = CITATION.sub("", markdown_text)
    text = re.sub(r"(?<!\\)\*\*", "", text)
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(html.unescape(text).split())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["word", " ", "\n", "[@key-1]", "[@", "]", "*", "**", "\\", "\\*", "\\[", "&amp;",
                                 "&lt;", "&#64;", "&", "@", "[", "x"]), max_size=20))
def test_unescape_text_is_the_plain_way(pieces):
    text = "".join(pieces)
    assert unescape_text(text) == _plain_unescape(text)


# --- links of pages past the first ---------------------------------------------------------------

def _plain_rebase(block: str, from_url: str, to_url: str) -> str:
    """_rebase as it was written before its shortcut: every relative href substituted."""
    def sub(m):
        href = m[2]
        if P._NOT_RELATIVE.match(href):
            return m[0]
        path, _, frag = href.partition("#")
        target = P._resolve(from_url, path)
        new = get_relative_url(target, to_url) if target else get_relative_url("", to_url)
        if path.endswith("/") and not new.endswith("/"):
            new += "/"
        return m[1] + html.escape(new, quote=True) + (f"#{frag}" if frag else "") + '"'
    return P._HREF.sub(sub, block)


HREFS = ["../../../../papers/x/", "../../../../papers/x/#p-2", "../../../../papers/y/#", "#note-1", "", "#",
         "https://example.org/a", "/abs/", "../3/", "../../../", "a&amp;b/", "./", "mailto:x@y"]
URLS = ["topics/sanctions/", "topics/sanctions/page/2/", "topics/sanctions/page/3/", "topics/sanctions.html",
        "topics/sanctions/page/3.html", ""]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(HREFS).map(lambda h: f'<a class="topic-passage-link" href="{h}">¶ 1</a>'),
    st.sampled_from(HREFS).map(lambda h: f' said href="{h}" in words '),
    st.sampled_from(["<p>", "</p>", " text ", '<a id="x">', "</a>"])), max_size=10),
    st.sampled_from(URLS), st.sampled_from(URLS))
def test_rebase_is_the_plain_substitution(parts, from_url, to_url):
    block = "".join(parts)
    assert P._rebase(block, from_url, to_url, {}) == _plain_rebase(block, from_url, to_url)


def test_a_page_as_deep_as_page_two_keeps_its_blocks_and_page_one_rewrites_them():
    block = ('<p class="topic-passage"><a class="topic-passage-link" href="../../../../papers/x/#p-2">¶ 2</a> words '
             '<a href="#note-1">note</a></p>')
    same = P._rebase(block, "topics/sanctions/page/2/", "topics/sanctions/page/3/", {})
    assert same is block  # nothing substituted
    first = P._rebase(block, "topics/sanctions/page/2/", "topics/sanctions/", {})
    assert 'href="../../papers/x/#p-2"' in first and 'href="#note-1"' in first
    # an href ending in "#" loses it when substituted, so such a block is substituted even there
    hashed = block.replace("#p-2", "#")
    assert P._rebase(hashed, "topics/sanctions/page/2/", "topics/sanctions/page/3/", {}) == hashed.replace('x/#"', 'x/"')


# --- tagged passages -----------------------------------------------------------------------------

def test_tagged_passages_are_read_passages_with_a_topic():
    """_read_tagged reads words only for passages with a topic: the same passages as
    read_passages keeps, and a topic the vocabulary lacks still fails on any passage."""
    import pytest
    from mkdocs.exceptions import PluginError

    pages = P.TopicPages(ROOT, "papers")
    vocab, overrides = T.load_topic_data(ROOT)
    pages.vocab = vocab
    docs = {f"papers/{p.name}": p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / "papers").glob("*.md"))}
    assert docs
    files = SimpleNamespace(get_file_from_path=lambda uri: SimpleNamespace(content_string=docs[uri]))
    papers = {uri: {"slug": uri[7:-3]} for uri in docs}
    got = pages._read_tagged(papers, files, overrides)
    want = {m["slug"]: [p for p in P.read_passages(m["slug"], docs[uri]) if p.topics] for uri, m in papers.items()}
    assert got == want and any(got.values())
    uri = next(iter(docs))
    docs[uri] = re.sub(r'data-topics="([^"]*)"', 'data-topics="no-such-topic"', docs[uri], count=1)
    with pytest.raises(PluginError, match="no-such-topic"):
        pages._read_tagged(papers, files, overrides)


def test_passage_links_are_recorded_each_with_its_own_anchor():
    """record_passage_links resolves each paper's address once per page; every link is kept,
    in page order, with its anchor, wherever the class stands in the tag."""
    check = P.LinkCheck()
    check.record_passage_links("topics/a.md (generated)", "topics/a/page/2/",
                               '<a class="topic-passage-link" href="../../../../papers/x/#p-2">¶ 2</a>'
                               '<a href="../../../../papers/y/#kt-1" class="topic-passage-link">KT 1</a>'
                               '<a href="../../../../papers/z/#p-9">not a passage link</a>'
                               '<a class="topic-passage-link" href="../../../../papers/x/#p-3">¶ 3</a>'
                               '<a class="topic-passage-link" href="../../../../papers/x/">title</a>')
    assert check.links == [("topics/a.md (generated)", "topics/a/page/2/", "papers/x/", "p-2"),
                           ("topics/a.md (generated)", "topics/a/page/2/", "papers/y/", "kt-1"),
                           ("topics/a.md (generated)", "topics/a/page/2/", "papers/x/", "p-3"),
                           ("topics/a.md (generated)", "topics/a/page/2/", "papers/x/", "")]
