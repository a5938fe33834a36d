"""Topic highlights recorded once (site/topics/pages.py, Highlights): the rules run over a
paper's passages once per text and vocabulary, later builds read the spans from the cache."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from policy_reader import cache
from policy_reader.site.topics.pages import Highlights, excerpt, read_passages
from policy_reader.topics import rules as T
from support import ROOT


@pytest.fixture
def library():
    vocab, _ = T.load_topic_data(ROOT)
    passages = {p.stem: read_passages(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "docs" / "papers").glob("*.md"))}
    vocabulary = (ROOT / T.VOCABULARY_PATH).read_bytes()
    return vocab, vocabulary, passages


@pytest.fixture
def run_cache(tmp_path):
    yield lambda: cache.configure(tmp_path / "cache")  # a new run over the same folder
    cache.configure(None)


def _direct(vocab, passages):
    by = vocab.by_slug()
    return {slug: {p.pid: {t: T.highlight_spans(p.text, by[t]) for t in p.topics} for p in ps if p.topics} for slug, ps in passages.items()}


def test_spans_are_the_rules_and_are_read_back_not_recomputed(library, run_cache):
    vocab, vocabulary, passages = library
    assert any(p.topics for ps in passages.values() for p in ps)
    expected = _direct(vocab, passages)

    run_cache()
    first = Highlights(True)
    assert first.spans(vocab, vocabulary, passages) == expected
    assert first.computed == len(passages)

    run_cache()
    again = Highlights(True)
    assert again.spans(vocab, vocabulary, passages) == expected
    assert again.computed == 0

    # One paper's passage edited: only that paper is computed again, with its new words.
    slug = next(iter(passages))
    ps = list(passages[slug])
    i = next(k for k, p in enumerate(ps) if p.topics)
    ps[i] = dataclasses.replace(ps[i], text="Deterrence. " + ps[i].text)
    edited = {**passages, slug: ps}
    run_cache()
    third = Highlights(True)
    assert third.spans(vocab, vocabulary, edited) == _direct(vocab, edited)
    assert third.computed == 1

    # Another vocabulary (other rules): everything is computed again.
    run_cache()
    fourth = Highlights(True)
    fourth.spans(vocab, vocabulary + b"\n# edited\n", passages)
    assert fourth.computed == len(passages)


def test_cache_off_computes_and_excerpts_are_the_same(library, run_cache):
    vocab, vocabulary, passages = library
    run_cache()
    Highlights(True).spans(vocab, vocabulary, passages)
    run_cache()
    stored = Highlights(True).spans(vocab, vocabulary, passages)
    off = Highlights(False)
    assert off.spans(vocab, vocabulary, passages) == stored and off.computed == len(passages)
    by = vocab.by_slug()
    for slug, ps in passages.items():
        for p in ps:
            for t in p.topics:
                assert excerpt(p.text, by[t], stored[slug][p.pid][t]) == excerpt(p.text, by[t])


def test_a_build_with_damaged_highlights_equals_a_clean_build(tmp_path):
    """Topic pages generated again (their cache gone) over truncated highlight entries: the
    site is the clean build's, byte for byte, and the entries are written again, verified."""
    import shutil

    from policy_reader.cache import read_entry
    from support import LOCAL_SITE_URL, copy_project, mkdocs_build, site_files

    project = copy_project(tmp_path / "project")
    env = {"SITE_URL": LOCAL_SITE_URL}
    assert mkdocs_build(project, tmp_path / "clean", env=env).returncode == 0
    found = sorted((project / ".cache" / "highlights").glob("*.json"))
    assert len(found) == len(list((project / "docs" / "papers").glob("*.md")))
    for path in found:
        path.write_bytes(path.read_bytes()[:20])
    shutil.rmtree(project / ".cache" / "generated")
    result = mkdocs_build(project, tmp_path / "again", env=env)
    assert result.returncode == 0, result.stderr
    assert site_files(tmp_path / "again") == site_files(tmp_path / "clean")
    assert all(read_entry(p) is not None for p in sorted((project / ".cache" / "highlights").glob("*.json")))


def _plain_excerpt(text: str, spans: list[tuple[int, int]]) -> str:
    """pages.excerpt written the plain way (every sentence against every span), for comparison."""
    from policy_reader.site.topics.pages import SENTENCE_END, _marked
    starts = [0] + [m.end() for m in SENTENCE_END.finditer(text)]
    bounds = list(zip(starts, starts[1:] + [len(text)]))
    keep = [(s, e) for s, e in bounds if any(s <= a < e for a, _ in spans)] or bounds[:1]
    parts, prev_end = [], 0
    for s, e in keep:
        if s > prev_end:
            parts.append("… ")
        parts.append(_marked(text[s:e].rstrip(), [(a - s, min(b, e) - s) for a, b in spans if s <= a < e]))
        parts.append(" ")
        prev_end = e
    out = "".join(parts).rstrip()
    return out + " …" if prev_end < len(text.rstrip()) else out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Sanctions bite. ", "The talks! ", "“Quoted?” ", "x ", "a.b ", "U.S. ", "  ", "<&> "]), max_size=12),
       st.lists(st.tuples(st.integers(0, 120), st.integers(1, 40)), max_size=6))
def test_excerpt_is_the_plain_way_of_writing_it(pieces, raw):
    """excerpt finds each span's sentence by bisection; the HTML is what comparing every
    sentence with every span gives, for the rules' spans and for arbitrary sorted ones."""
    text = "".join(pieces)
    spans = sorted({(a, a + n) for a, n in raw if a < max(len(text), 1)})
    topic = T.load_topic_data(ROOT)[0].topics[0]
    assert excerpt(text, topic, spans) == _plain_excerpt(text, spans)
    rules = T.highlight_spans(text, topic)
    assert excerpt(text, topic) == excerpt(text, topic, rules) == _plain_excerpt(text, rules)
