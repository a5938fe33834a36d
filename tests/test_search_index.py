"""The paragraph-level search index written over Material's (search/search_index.json)."""

from __future__ import annotations

import html as _html
import json
import re

from support import GOMEZ_SLUG, KLINGNER_SLUG, page_html
from test_fidelity import ParagraphText

K_TITLE = "U.S. Needs Resolve and Restraint in Response to North Korean Provocations"
G_TITLE = "There must be consequences for North Korea's new missile tests"


def _index(site):
    """The documents of the built index: after the paragraph-level rewrite they are
    cut into shards for our search worker (search_shards.py); read them back."""
    from policy_reader.site.search import shards as search_shards

    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return {**data, "docs": search_shards.load_docs(site)}


def _paper_docs(index, slug):
    return [d for d in index["docs"] if d["location"].startswith(f"papers/{slug}/")]


def test_each_paragraph_is_an_entry_at_its_permalink(built_site):
    index = _index(built_site)
    docs = {d["location"]: d for d in _paper_docs(index, KLINGNER_SLUG)}
    p12 = docs[f"papers/{KLINGNER_SLUG}/#p-12"]
    assert p12["title"] == f"¶ 12 · {K_TITLE}"
    assert p12["text"].startswith("Kim Jong-un may feel that he has the upper hand")
    assert docs[f"papers/{KLINGNER_SLUG}/#kt-2"]["title"] == f"Key takeaway 2 · {K_TITLE}"
    for i in range(1, 19):
        assert f"papers/{KLINGNER_SLUG}/#p-{i}" in docs
    gomez = {d["location"]: d for d in _paper_docs(index, GOMEZ_SLUG)}
    assert [k for k in gomez if "#p-" in k] == [f"papers/{GOMEZ_SLUG}/#p-{i}" for i in range(1, 10)]
    assert gomez[f"papers/{GOMEZ_SLUG}/#p-1"]["title"] == f"¶ 1 · {G_TITLE}"


def test_entry_text_is_the_paragraph_text_without_note_numbers_or_controls(built_site):
    index = _index(built_site)
    text = ParagraphText()
    text.feed(page_html(built_site, KLINGNER_SLUG))
    words = {pid: " ".join(t.split()) for pid, t in text.blocks}
    for d in _paper_docs(index, KLINGNER_SLUG):
        pid = d["location"].split("#")[-1]
        if pid in words:
            assert _html.unescape(d["text"]) == words[pid], pid
            assert "Cite" not in d["title"]


def test_no_page_level_text_is_kept_twice(built_site):
    index = _index(built_site)
    for slug in (KLINGNER_SLUG, GOMEZ_SLUG):
        docs = _paper_docs(index, slug)
        assert [d for d in docs if "#" not in d["location"]] == [
            {**[d for d in docs if "#" not in d["location"]][0], "text": ""}]
        # headings stay findable by title, with no text of their own
        headings = [d for d in docs if "#" in d["location"] and not re.search(r"#(p-\d+|kt-\d+|bio)$", d["location"])]
        assert all(d["text"] == "" for d in headings)
        total = sum(len(d["text"]) for d in docs)
        body = sum(len(d["text"]) for d in docs if re.search(r"#(p-\d+|kt-\d+|bio)$", d["location"]))
        assert total == body
    assert any(d["location"] == f"papers/{KLINGNER_SLUG}/#mixed-us-response" for d in index["docs"])


def test_home_and_topic_pages_stay_searchable(built_site):
    index = _index(built_site)
    locations = [d["location"] for d in index["docs"]]
    assert "" in locations
    assert any(loc.startswith("topics/") for loc in locations)
    assert index["config"]["fields"]["title"]["boost"] > 1


def test_words_found_in_both_papers_have_entries_in_both(built_site):
    index = _index(built_site)
    for word in ("ballistic", "denuclearization"):
        hits = {d["location"].split("/")[1] for d in index["docs"]
                if d["location"].startswith("papers/") and word in d["text"].lower()}
        assert hits == {KLINGNER_SLUG, GOMEZ_SLUG}, word


def test_generated_pages_are_indexed_by_section_without_excluded_blocks():
    from policy_reader.site.search.index import drop_excluded, section_entries

    page = ('<h1 id="t">T</h1><p>Lead <b>text</b>.</p>'
            '<h2 id="a">A<a class="headerlink" href="#a">¶</a></h2><div data-search-exclude><div>hidden</div></div><p>kept</p>'
            '<h2 id="b">B</h2><ul><li>one</li><li>two</li></ul>')
    assert "hidden" not in drop_excluded(page) and "kept" in drop_excluded(page)
    assert section_entries(page, "topics/x/", "Title") == [
        {"location": "topics/x/", "title": "Title", "text": "Lead text ."},
        {"location": "topics/x/#a", "title": "A", "text": "kept"},
        {"location": "topics/x/#b", "title": "B", "text": "one two"},
    ]


def test_topic_pages_are_searchable_by_their_own_words_only(built_site):
    docs = _index(built_site)["docs"]
    # The notes comparing papers are the site's own words; the passages are the papers' paragraphs.
    [section] = [d for d in docs if d["location"] == "topics/sanctions/#what-each-paper-says"]
    assert "leverage" in section["text"] and "Where Klingner (2019) and Gomez (2019) agree" in section["text"]
    assert "entities aiding North Korean evasion" not in section["text"]  # Klingner ¶ 17, a passage
