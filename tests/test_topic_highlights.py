"""Topic highlights recorded once (site/topics/pages.py, Highlights): the rules run over a
paper's passages once per text and vocabulary, later builds read the spans from the cache."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from policy_reader import cache
from mkdocs.exceptions import PluginError

from policy_reader.page import highlights as H
from policy_reader.site.topics.pages import SENTENCE_END, _SENTENCE_STOP, Highlights, excerpt, read_passages
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
    """Pages without recorded highlights (written before the field): the rules run and their
    spans are cached; the site is the one the recorded highlights give. Topic pages generated
    again (their cache gone) over truncated highlight entries: the site is the clean build's,
    byte for byte, and the entries are written again, verified."""
    import re
    import shutil

    from policy_reader.cache import read_entry
    from support import LOCAL_SITE_URL, copy_project, mkdocs_build, site_files

    env = {"SITE_URL": LOCAL_SITE_URL}
    recorded = copy_project(tmp_path / "recorded")
    assert mkdocs_build(recorded, tmp_path / "from-records", env=env).returncode == 0
    assert not list((recorded / ".cache" / "highlights").glob("*.json"))  # every paper's spans were read
    project = copy_project(tmp_path / "project")
    for md in (project / "docs" / "papers").glob("*.md"):
        text = md.read_text(encoding="utf-8")
        assert re.search(r"^highlights: .*\n", text, re.M)
        md.write_text(re.sub(r"^highlights: .*\n", "", text, count=1, flags=re.M), encoding="utf-8")
    assert mkdocs_build(project, tmp_path / "clean", env=env).returncode == 0
    assert site_files(tmp_path / "clean") == site_files(tmp_path / "from-records")
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


# --- recorded at convert time (page/highlights.py) -------------------------------------------


def _fields():
    from mkdocs.utils.meta import get_data
    return {p.stem: (f"papers/{p.name}", get_data(p.read_text(encoding="utf-8"))[1].get("highlights", ""))
            for p in sorted((ROOT / "docs" / "papers").glob("*.md"))}


def test_the_converter_records_the_rules_spans_in_each_page(library):
    """What `make convert` wrote in each page's front matter is what the rules give over the
    words as the build reads them, made for this vocabulary."""
    vocab, vocabulary, passages = library
    expected = _direct(vocab, passages)
    for slug, (_, value) in _fields().items():
        made_for, record = H.decode(value)
        assert record == expected[slug] and record
        assert made_for == H.digest(vocabulary, [(p.pid, p.topics, p.text) for p in passages[slug]])


def test_recorded_spans_are_read_not_computed_and_others_fall_back(library):
    vocab, vocabulary, passages = library
    expected = _direct(vocab, passages)
    fields = _fields()
    h = Highlights(False)
    assert h.spans(vocab, vocabulary, passages, fields) == expected
    assert (h.computed, h.recorded) == (0, len(passages))

    # Another vocabulary: the records were made with other rules; every paper runs the rules.
    other = Highlights(False)
    assert other.spans(vocab, vocabulary + b"\n# edited\n", passages, fields) == expected
    assert (other.computed, other.recorded) == (len(passages), 0)

    # One paper's words changed after it was converted (a hand edit): that paper alone.
    slug = next(iter(passages))
    ps = list(passages[slug])
    i = next(k for k, p in enumerate(ps) if p.topics)
    ps[i] = dataclasses.replace(ps[i], text="Deterrence. " + ps[i].text)
    edited = {**passages, slug: ps}
    third = Highlights(False)
    assert third.spans(vocab, vocabulary, edited, fields) == _direct(vocab, edited)
    assert (third.computed, third.recorded) == (1, len(passages) - 1)

    # A page without the field (written before it): the rules run for it.
    fourth = Highlights(False)
    assert fourth.spans(vocab, vocabulary, passages, {**fields, slug: (fields[slug][0], "")}) == expected
    assert (fourth.computed, fourth.recorded) == (1, len(passages) - 1)


@pytest.mark.parametrize("value", ["nodigest p-1:diplomacy=1-2", "0123456789abcdef p-1", "0123456789abcdef p-1:diplomacy=5-2",
                                   "0123456789abcdef p-1:Bad=1-2", "0123456789abcdef p-1:diplomacy=1-2 p-1:diplomacy=3-4"])
def test_a_damaged_record_fails_the_build_naming_the_page(library, value):
    vocab, vocabulary, passages = library
    slug = next(iter(passages))
    with pytest.raises(PluginError, match=rf"^docs/papers/{slug}\.md: front matter field 'highlights' .*run `make convert`$"):
        Highlights(False).spans(vocab, vocabulary, passages, {slug: (f"papers/{slug}.md", value)})


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(
    st.from_regex(r"(p|kt)-[1-9][0-9]{0,2}[a-z]?", fullmatch=True),
    st.dictionaries(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True),
                    st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 60)), max_size=5).map(lambda xs: [(a, a + n) for a, n in xs]),
                    min_size=1, max_size=4),
    max_size=6))
def test_the_field_reads_back_what_was_written(record):
    value = H.encode("0123456789abcdef", record)
    assert "\n" not in value and ": " not in value and "#" not in value  # one plain YAML scalar line
    assert H.decode(value) == ("0123456789abcdef", record)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Sanctions bite. ", "The talks! ", "“Quoted?” ", "x ", "a.b ", "U.S. ", "  ", "?. ", ".” ", "!) ",
                                 "\"A ", "‘B ", "\n", ".\t", "C"]), max_size=14))
def test_sentence_stops_end_where_sentence_end_does(pieces):
    """excerpt cuts sentences with _SENTENCE_STOP (the stop in the match, quicker to search):
    the same ends as SENTENCE_END's look-behind."""
    text = "".join(pieces)
    assert [m.end() for m in _SENTENCE_STOP.finditer(text)] == [m.end() for m in SENTENCE_END.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Sanctions bite. ", "The \x00talks! ", "x\x01 ", "<&> ", "U.S. ", "A "]), max_size=10),
       st.lists(st.tuples(st.integers(0, 80), st.integers(1, 30)), max_size=5))
def test_excerpt_of_words_holding_the_marks_stand_ins(pieces, raw):
    """excerpt escapes its words once, with stand-ins for <mark> (\\x00, \\x01); words that hold
    one are escaped piece by piece: the same HTML as the plain way either way."""
    text = "".join(pieces)
    spans = sorted({(a, a + n) for a, n in raw if a < max(len(text), 1)})
    topic = T.load_topic_data(ROOT)[0].topics[0]
    assert excerpt(text, topic, spans) == _plain_excerpt(text, spans)


def _decode_piece_by_piece(value: str):
    """H.decode written plainly: every record read by H._part (the form checked piece by piece)."""
    parts = value.split(" ")
    if not H._DIGEST.match(parts[0]):
        raise ValueError("it does not start with a 16-digit digest")
    record = {}
    for part in parts[1:]:
        pid, topics = H._part(part, record)
        record[pid] = topics
    return parts[0], record


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["p-1", "kt-2", "p-1", "p-3a", "é", ":", "diplomacy", "Bad", "=", "1-2", "5-2", "3-3", "007-9",
                                 "12-40", "²-3", ",", ";", "-", "sanctions", " ", "\n", "x_y", ""]), max_size=16))
def test_decode_reads_any_value_as_piece_by_piece(pieces):
    """decode reads the converter's form in bulk (H._part_fast): the same record, or the same
    error, as reading every piece (a damaged, odd or hand-made value included)."""
    for value in ("0123456789abcdef " + "".join(pieces), "0123456789abcdef p-9:diplomacy=1-2 " + "".join(pieces)):
        try:
            want = _decode_piece_by_piece(value)
        except ValueError as exc:
            with pytest.raises(ValueError) as got:
                H.decode(value)
            assert str(got.value) == str(exc)
        else:
            assert H.decode(value) == want
