"""The timeline (/timeline/): dated events as data (docs/timeline.yml), each linking
to the paragraphs that mention it, with a quote that must occur in that paragraph."""

from __future__ import annotations

import re

import pytest

from policy_reader.site.timeline import TimelineError, check_mentions, load_events
from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build

DATA = ROOT / "docs" / "timeline.yml"


def papers_markdown() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "papers").glob("*.md")}


def paragraph_ids(markdown: str) -> set[str]:
    return set(re.findall(r"^\{: #([\w-]+)", markdown, re.M))


def test_every_event_links_to_existing_paragraphs_that_quote_it():
    events = load_events(DATA.read_text(encoding="utf-8"), "docs/timeline.yml")
    papers = papers_markdown()
    for ev in events:
        for m in ev.mentions:
            assert m.para in paragraph_ids(papers[m.paper]), (ev.title, m.paper, m.para)
    check_mentions(events, papers, "docs/timeline.yml")  # raises on a quote not in its paragraph


def test_the_issues_events_are_on_the_timeline_in_order():
    events = load_events(DATA.read_text(encoding="utf-8"), "docs/timeline.yml")
    dates = [e.date for e in events]
    assert dates == sorted(dates)
    for date in ("2017", "2017-08-05", "2018-06-12", "2019-02-28", "2019-04-12", "2019-06-30", "2019-07-25", "2019-12-07"):
        assert date in dates, date
    both = {m.paper for e in events for m in e.mentions}
    assert both == {KLINGNER_SLUG, GOMEZ_SLUG}


def test_the_page_links_every_mention_to_its_paragraph(built_site):
    events = load_events(DATA.read_text(encoding="utf-8"), "docs/timeline.yml")
    page = (built_site / "timeline" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="\.\./papers/([^/]+)/#([\w-]+)">', page)
    assert links == [(m.paper, m.para) for e in events for m in e.mentions]
    for slug, pid in set(links):
        target = (built_site / "papers" / slug / "index.html").read_text(encoding="utf-8")
        assert f'id="{pid}"' in target, (slug, pid)
    assert '<time datetime="2019-07-25">July 25, 2019</time>: Missile test of July 25' in page
    assert '<time datetime="2019-12">December 2019</time>' in page
    assert not (built_site / "timeline.yml").exists()


@pytest.mark.parametrize("text, message", [
    ("- date: 2019-13-01\n  title: T\n  description: D\n  mentions: [{paper: a, para: p-1, quote: q}]\n",
     r"^t\.yml:1: event 1: date '2019-13-01' does not exist$"),
    ("- date: 2019\n  title: T\n  descripton: D\n  mentions: []\n",
     r"^t\.yml:1: event 1: unknown field 'descripton'"),
    ("- date: 2019\n  title: T\n  description: D\n  mentions:\n    - {paper: a, para: p-1}\n",
     r"^t\.yml:5: event 1 \('T'\), mention 1: expected exactly the fields paper, para, quote$"),
    ("- date: [2019\n", r"^t\.yml:\d+: not valid YAML"),
])
def test_bad_data_is_one_line_naming_the_place(text, message):
    with pytest.raises(TimelineError, match=message):
        load_events(text, "t.yml")


def test_a_mention_of_a_missing_paragraph_or_quote_is_rejected():
    papers = {"a": "Words here.\n{: #p-1 .para }\n"}
    ok = load_events("- date: 2019\n  title: T\n  description: D\n  mentions: [{paper: a, para: p-1, quote: Words}]\n", "t.yml")
    check_mentions(ok, papers, "t.yml")
    missing = load_events("- date: 2019\n  title: T\n  description: D\n  mentions: [{paper: a, para: p-2, quote: Words}]\n", "t.yml")
    with pytest.raises(TimelineError, match=r"^t\.yml:1: event 'T', mention 1: a has no paragraph 'p-2'; name one of the ids of docs/papers/a\.md .* or remove the mention$"):
        check_mentions(missing, papers, "t.yml")
    wrong = load_events("- date: 2019\n  title: T\n  description: D\n  mentions: [{paper: a, para: p-1, quote: Other}]\n", "t.yml")
    with pytest.raises(TimelineError, match=r'quote "Other" does not occur in a #p-1'):
        check_mentions(wrong, papers, "t.yml")


def test_a_stale_timeline_fails_the_build_and_writes_nothing(project_copy, tmp_path):
    data = project_copy / "docs" / "timeline.yml"
    data.write_text(data.read_text(encoding="utf-8").replace("para: p-17", "para: p-170"), encoding="utf-8")
    out = tmp_path / "out"
    result = mkdocs_build(project_copy, out)
    assert result.returncode != 0
    errors = [l for l in result.stderr.splitlines() if "timeline.yml" in l]
    assert len(errors) == 1 and "has no paragraph 'p-170'" in errors[0], result.stderr
    assert not out.exists()
