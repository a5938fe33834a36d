"""Paragraph identity (convert/identity.py): the matcher, the id scheme, successors,
and the conversion of a changed source keeping every id on its words."""

from __future__ import annotations

import re
import shutil

import pytest

from policy_reader.convert import identity as ident
from policy_reader.convert.identity import Known, Match
from policy_reader.model import Document, Paragraph, Section
from policy_reader.page import registry as reg
from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT

# Test paragraphs written for these tests (about lighthouses, nothing from the papers).
A = ("The lighthouse on the northern cape was first lit in the spring of a wet year, and its keeper "
     "wrote every night about the ships that passed and the weather that came in from the sea.")
B = ("Fog horns were added two decades later, after a string of wrecks on the shoals; the keepers "
     "complained that the noise kept their families awake through the long winter nights.")
C = ("Electric lamps replaced the oil lamps when a cable reached the cape, and the keeper's house "
     "became a small museum that opens its doors to visitors on summer weekends.")
D = ("Today the light is automatic and is watched from a harbour office many miles away, where a "
     "single screen shows the state of every light along the coast at any hour.")
E = ("Volunteers repaint the tower every few years, climbing the narrow iron stair with buckets of "
     "white paint and ropes borrowed from the fishing boats in the harbour below.")


def fp(words: str) -> str:
    return reg.fingerprint(words)


def known(*pairs) -> list[Known]:
    return [Known(pid, "para", fp(w), w) for pid, w in pairs]


def new(*texts) -> list[tuple[str, str]]:
    return [(fp(t), t) for t in texts]


def edit(text: str, n: int) -> str:
    """``text`` with its first ``n`` words replaced by other words."""
    words = text.split()
    return " ".join(["changed"] * n + words[n:])


# ---- the matcher ----

def test_exact_words_keep_their_ids_in_any_order():
    old = known(("p-1", A), ("p-2", B), ("p-3", C))
    assert ident.match(old, new(A, B, C)) == [Match("p-1", "exact"), Match("p-2", "exact"), Match("p-3", "exact")]
    # a moved paragraph keeps its id wherever it now stands
    assert [m.id for m in ident.match(old, new(C, A, B))] == ["p-3", "p-1", "p-2"]


def test_an_edited_paragraph_above_the_threshold_keeps_its_id_below_it_is_new():
    old = known(("p-1", A), ("p-2", B))
    small = edit(B, 3)  # a few words changed
    [m1, m2] = ident.match(old, new(A, small))
    assert m1 == Match("p-1", "exact")
    assert m2.id == "p-2" and m2.how == "edited" and ident.THRESHOLD <= m2.similarity < 1
    assert m2.similarity == pytest.approx(ident.similarity(B, small))
    large = edit(B, 20)  # most words changed: not the same paragraph any more
    assert ident.similarity(B, large) < ident.THRESHOLD
    assert ident.match(old, new(A, large)) == [Match("p-1", "exact"), None]


def test_threshold_is_the_boundary():
    old = known(("p-1", A))
    changed = edit(A, 6)
    s = ident.similarity(A, changed)
    assert ident.match(old, new(changed), threshold=s)[0].id == "p-1"
    assert ident.match(old, new(changed), threshold=s + 0.001) == [None]


def test_a_deleted_paragraph_leaves_the_others_on_their_ids():
    old = known(("p-1", A), ("p-2", B), ("p-3", C), ("p-4", D))
    assert [m.id for m in ident.match(old, new(A, C, D))] == ["p-1", "p-3", "p-4"]


def test_a_completely_different_paragraph_never_takes_an_id():
    old = known(("p-1", A), ("p-2", B))
    assert ident.match(old, new(A, E)) == [Match("p-1", "exact"), None]


def test_split_the_larger_part_keeps_the_id_the_rest_is_new():
    words = C.split()
    first, second = " ".join(words[:20]), " ".join(words[20:])  # 20 of 29 words, then 9
    old = known(("p-1", A), ("p-2", C))
    m = ident.match(old, new(A, first, second))
    assert m[0] == Match("p-1", "exact")
    assert m[1].id == "p-2" and m[1].how == "edited"
    assert m[2] is None


def test_merge_the_closer_paragraph_keeps_its_id_the_other_is_left_to_retire():
    merged = B + " " + C[:60]
    old = known(("p-1", A), ("p-2", B), ("p-3", C))
    m = ident.match(old, new(A, merged))
    assert [x.id if x else None for x in m] == ["p-1", "p-2"]


def test_repeated_identical_paragraphs_match_in_reading_order():
    old = known(("p-1", A), ("p-2", A))
    assert [m.id for m in ident.match(old, new(A, A))] == ["p-1", "p-2"]
    assert ident.match(old, new(A)) == [Match("p-1", "exact")]


def test_known_ids_without_words_match_exactly_only():
    old = [Known("p-1", "para", fp(A), None)]
    assert ident.match(old, new(A)) == [Match("p-1", "exact")]
    assert ident.match(old, new(edit(A, 2))) == [None]


# ---- ids and labels ----

def test_new_ids_and_their_labels():
    used = {"p-1", "p-2", "p-3"}
    assert ident.new_id("p-", "p-1", False, used) == "p-1a"
    assert ident.new_id("p-", "p-1", False, used | {"p-1a"}) == "p-1b"
    assert ident.new_id("p-", "p-1a", False, used | {"p-1a"}) == "p-1b"
    assert ident.new_id("p-", None, False, used) == "p-0a"
    assert ident.new_id("p-", "p-3", True, used | {"p-7"}) == "p-8"  # never a number used before
    assert ident.new_id("kt-", None, True, used) == "kt-1"
    letters = {f"p-1{ident._letters(n)}" for n in range(26)}
    assert ident.new_id("p-", "p-1", False, used | letters) == "p-1aa"
    assert [ident.label(p) for p in ("p-11a", "p-12", "kt-2", "kt-1a", "bio")] == ["¶ 11a", "¶ 12", "KT 2", "KT 1a", "bio"]


def _doc(*texts, takeaways=()) -> Document:
    paras = tuple(Paragraph(text=t, line=n, id=f"p-{n}") for n, t in enumerate(texts, 1))
    kts = tuple(Paragraph(text=t, line=n, id=f"kt-{n}") for n, t in enumerate(takeaways, 1))
    return Document(source="s.txt", takeaways=kts, sections=(Section(None, paras[:2]), Section("Two", paras[2:])))


def _state(doc: Document, retired=()) -> ident.PaperState:
    ks = [Known(p.id, "para", fp(p.text), p.text) for p in doc.paragraphs()]
    ks += [Known(p.id, "takeaway", fp(p.text), p.text) for p in doc.takeaways]
    return ident.PaperState(tuple(ks), frozenset(k.id for k in ks) | frozenset(retired))


def test_assign_a_first_publication_numbers_in_reading_order():
    doc = ident.assign(_doc(A, B, C, takeaways=(D,)), ident.PaperState())
    assert [p.id for p in doc.paragraphs()] == ["p-1", "p-2", "p-3"]
    assert [p.id for p in doc.takeaways] == ["kt-1"]


def test_assign_insert_delete_edit_and_append():
    before = _doc(A, B, C, D)
    state = _state(before, retired={"p-1a"})  # p-1a was published once and retired
    after = _doc(A, E, edit(B, 2), D, "An appended closing paragraph about the keepers' logbooks.")
    ids = [p.id for p in ident.assign(after, state).paragraphs()]
    # E inserted after p-1 (p-1a is retired: p-1b); B edited keeps p-2; C deleted leaves a gap;
    # the appended paragraph takes the next whole number
    assert ids == ["p-1", "p-1b", "p-2", "p-4", "p-5"]
    # sections keep their shape
    assert [len(s.paragraphs) for s in ident.assign(after, state).sections] == [2, 3]


def test_assign_keeps_takeaways_and_paragraphs_apart():
    before = _doc(A, B, C, takeaways=(D,))
    after = _doc(D, B, C, takeaways=(A,))  # the words swapped kind: not the same paragraphs
    out = ident.assign(after, _state(before))
    assert [p.id for p in out.paragraphs()] == ["p-0a", "p-2", "p-3"]
    assert [p.id for p in out.takeaways] == ["kt-2"]


def test_assign_is_idempotent_on_its_own_output():
    before = _doc(A, B, C)
    after = ident.assign(_doc(A, E, C), _state(before))
    again = ident.assign(after, _state(after, retired={"p-2"}))
    assert [p.id for p in again.paragraphs()] == [p.id for p in after.paragraphs()] == ["p-1", "p-1a", "p-3"]


# ---- successors ----

def test_successor_prefers_the_paragraph_holding_its_words_else_its_place():
    live = known(("p-1", A), ("p-3", C), ("p-4", D))
    order = ["p-1", "p-2", "p-3", "p-4"]
    # B's words are nowhere: the paragraph now standing in its place (after p-1)
    assert ident.successor(Known("p-2", "para", fp(B), B), order, live)[0] == "p-3"
    # merged into p-3: its words are there
    merged = known(("p-1", A), ("p-3", B + " " + C), ("p-4", D))
    target, why = ident.successor(Known("p-2", "para", fp(B), B), order, merged)
    assert target == "p-3" and "holds most of its words" in why
    # the last paragraph removed: the one before it
    assert ident.successor(Known("p-4", "para", fp(D), D), order, known(("p-1", A), ("p-2", B), ("p-3", C)))[0] == "p-3"
    # the first removed: the first paragraph
    assert ident.successor(Known("p-1", "para", fp(A), A), order, known(("p-2", B), ("p-3", C)))[0] == "p-2"
    # a paragraph inserted where the removed one stood is its place
    assert ident.successor(Known("p-2", "para", fp(B), B), order, known(("p-1", A), ("p-1a", E), ("p-3", C)))[0] == "p-1a"


# ---- the registry records what changed, and why ----

def _page(*pairs) -> str:
    return "# T\n\n" + "".join(f"{t}\n{{: #{pid} .para }}\n\n" for pid, t in pairs)


def _pages(md):
    return {"x": ("docs/papers/x.md", reg.paragraphs(md, "docs/papers/x.md"))}


def test_update_records_new_edited_and_removed_paragraphs_with_reasons():
    first, changes = reg.update({}, _pages(_page(("p-1", A), ("p-2", B), ("p-3", C))))
    assert len(changes) == 3 and all(" is new " in c for c in changes)
    assert first["x"]["p-2"].words == B
    second, changes = reg.update(first, _pages(_page(("p-1", A), ("p-1a", E), ("p-2", edit(B, 2)))))
    assert changes[0].startswith("x: ¶ 1a (p-1a) is new (docs/papers/x.md:")
    assert re.match(r"x: ¶ 2 \(p-2\) was edited \(docs/papers/x\.md:\d+; 9\d% of the words are the same\)", changes[1])
    assert changes[2].startswith("x: ¶ 3 (p-3) was removed: its links now open ¶ 2 (p-2) with a notice, because")
    entry = second["x"]["p-2"]
    assert entry.revisions[0].fingerprint == fp(B) and 0.9 < entry.revisions[0].similarity < 1
    assert second["x"]["p-3"].successor == "p-2" and second["x"]["p-3"].words == C
    assert list(second["x"]) == ["p-1", "p-1a", "p-2", "p-3"]  # reading order, the retired id where it stood
    assert reg.check(second, _pages(_page(("p-1", A), ("p-1a", E), ("p-2", edit(B, 2)))), "r") == {"x": {"p-3": "p-2"}}


def test_update_refuses_an_id_that_now_holds_other_words():
    recorded, _ = reg.update({}, _pages(_page(("p-1", A), ("p-2", B))))
    with pytest.raises(reg.SourceError, match=r"^docs/papers/x\.md:\d+: 'p-2' now holds other words \(\d+% like the recorded ones"):
        reg.update(recorded, _pages(_page(("p-1", A), ("p-2", E))))


def test_registry_with_words_and_revisions_round_trips(tmp_path):
    recorded, _ = reg.update({}, _pages(_page(("p-1", A), ("p-2", B))))
    recorded, _ = reg.update(recorded, _pages(_page(("p-2", edit(B, 1)))))
    path = tmp_path / "permalinks.yml"
    path.write_text(reg.dump(recorded), encoding="utf-8")
    assert "words:" not in path.read_text(encoding="utf-8") and B[:30] not in path.read_text(encoding="utf-8")
    assert reg.load(path)["x"]["p-1"].words is None  # the words live beside it
    (tmp_path / reg.WORDS_NAME).write_text(reg.dump_words(recorded), encoding="utf-8")
    assert reg.load(path) == recorded
    assert reg.load(path, words=False)["x"]["p-2"] == reg.Entry(recorded["x"]["p-2"].fingerprint, None, None,
                                                               recorded["x"]["p-2"].revisions)
    (tmp_path / reg.WORDS_NAME).write_text('{"x": {"p-1": 3}}', encoding="utf-8")
    with pytest.raises(reg.SourceError, match=r"/permalinks-words\.json:1: expected"):
        reg.load(path)
    (tmp_path / reg.WORDS_NAME).unlink()
    path.write_text("x:\n  p-1: {fingerprint: 0123456789abcdef, revisions: [{fingerprint: 0123456789abcdef, similarity: high}]}\n")
    with pytest.raises(reg.SourceError, match=r"entry 'x: p-1': revision similarity 'high' is not a number"):
        reg.load(path)


# ---- the real project: convert keeps every published id on its words ----

def _convert(project, *extra):
    from policy_reader.cli.main import main

    return main(["convert", "--root", str(project), *extra])


def _ids_and_words(project, slug):
    from policy_reader.page.markdown import read_blocks

    text = (project / "docs" / "papers" / f"{slug}.md").read_text(encoding="utf-8")
    return {b.id: b.words for b in read_blocks(text)}


def test_seed_papers_keep_their_published_ids():
    recorded = reg.load(ROOT / "docs" / "permalinks.yml")
    assert list(recorded[GOMEZ_SLUG]) == [f"p-{n}" for n in range(1, 10)]
    assert list(recorded[KLINGNER_SLUG]) == ["kt-1", "kt-2", "kt-3", *(f"p-{n}" for n in range(1, 19))]
    for slug in (GOMEZ_SLUG, KLINGNER_SLUG):
        page = _ids_and_words(ROOT, slug)
        for pid, entry in recorded[slug].items():
            assert entry.words == page[pid] and entry.successor is None


def test_reconverting_a_changed_source_keeps_ids_on_words(project_copy, capsys):
    from policy_reader.cli.main import main

    before = _ids_and_words(project_copy, KLINGNER_SLUG)
    src = project_copy / "sources" / "klingner-2019-heritage-ib5022.txt"
    text = src.read_text(encoding="utf-8")
    inserted = "A paragraph written for this test, between the eleventh and twelfth, about nothing in particular."
    p12 = before["p-12"][:40]
    assert text.count(p12) == 1
    text = text.replace(p12, inserted + "\n\n" + p12, 1)
    p6 = before["p-6"]
    start = text.index(p6[:40])
    text = text[:start] + text[text.index("\n\n", start) + 2:]  # p-6 deleted
    text = text.replace(before["p-9"][:30], before["p-9"][:30].replace("North Korea", "Pyongyang"), 1)  # p-9 edited
    src.write_text(text, encoding="utf-8")
    assert _convert(project_copy) == 0
    after = _ids_and_words(project_copy, KLINGNER_SLUG)
    assert after.get("p-11a") == inserted
    assert "p-6" not in after
    assert after["p-9"] != before["p-9"] and "Pyongyang" in after["p-9"]
    for pid in set(before) - {"p-6", "p-9"}:
        assert after[pid] == before[pid], pid  # every other id on the same words
    # topic overrides (docs/topics/overrides.yml: p-16 -> [sanctions]) stay with their words
    from policy_reader.page.markdown import read_blocks

    page = (project_copy / "docs" / "papers" / f"{KLINGNER_SLUG}.md").read_text(encoding="utf-8")
    topics = {b.id: b.topics for b in read_blocks(page)}
    assert topics["p-16"] == ("sanctions",) and topics["p-18"] == ("sanctions", "diplomacy")
    # the registry is not changed silently: the check fails until --update says what moved
    assert main(["permalinks", "--root", str(project_copy)]) == 2
    capsys.readouterr()
    assert main(["permalinks", "--update", "--root", str(project_copy)]) == 0
    out = capsys.readouterr().out
    assert "¶ 11a (p-11a) is new" in out
    assert "¶ 9 (p-9) was edited" in out
    assert "¶ 6 (p-6) was removed: its links now open ¶ 7 (p-7) with a notice" in out
    assert main(["permalinks", "--root", str(project_copy)]) == 0
    assert _convert(project_copy, "--check") == 0  # converting again changes nothing


def test_an_override_or_timeline_mention_of_a_removed_paragraph_names_it(project_copy, capsys):
    from policy_reader.site.timeline import TimelineError, check_mentions, load_events

    src = project_copy / "sources" / "klingner-2019-heritage-ib5022.txt"
    text = src.read_text(encoding="utf-8")
    p16 = _ids_and_words(project_copy, KLINGNER_SLUG)["p-16"]  # has an override in docs/topics/overrides.yml
    start = text.index(p16[:40])
    src.write_text(text[:start] + text[text.index("\n\n", start) + 2:], encoding="utf-8")
    assert _convert(project_copy) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(
        r"error: docs/topics/overrides\.yml:\d+: 'klingner-2019-resolve-and-restraint' has no paragraph 'p-16' "
        r"\(its words are no longer in the source, so this conversion removes it\); move the override to the "
        r"paragraph that now holds its words, or delete it", err), err
    # once retired, the timeline names the successor
    papers = {KLINGNER_SLUG: "Other words.\n{: #p-17 .para }\n"}
    events = load_events(f"- date: 2019\n  title: T\n  description: D\n  mentions: [{{paper: {KLINGNER_SLUG}, para: p-16, quote: x}}]\n", "t.yml")
    with pytest.raises(TimelineError, match=r"^t\.yml:1: event 'T', mention 1: paragraph 'p-16' was removed from "
                                            rf"{KLINGNER_SLUG} \(its links open 'p-17'\); point the mention at 'p-17'"):
        check_mentions(events, papers, "t.yml", lambda slug: {"p-16": "p-17"})


# ---- the words matched are the words the page shows ----

@pytest.mark.parametrize("text", [
    "Plain words, with a note.{{1}} And more{{2}} words.",
    "AT&T holds 50 %; x_y *not bold* [not a link](x) `code` <b>tag</b> @handle \\ back\\slash &amp; &#64;",
    "- a leading dash, and 1. a number",
    "1. starts like a list",
    "Curly “quotes” and ‘apostrophes’, an em dash — and U.S. abbreviations.",
])
def test_model_words_equal_the_page_words_and_fingerprints(text):
    """identity matches a model paragraph by words_of (cheap) against PageBlock.words of the
    page it will be written as; both must agree, as must the fingerprints."""
    from policy_reader.page.markdown import read_blocks, render_paragraph_text

    from policy_reader.readers.text import NOTE_CLOSE, NOTE_OPEN

    text = text.replace("{{1}}", f"{NOTE_OPEN}1{NOTE_CLOSE}").replace("{{2}}", f"{NOTE_OPEN}2{NOTE_CLOSE}")
    notes = tuple(n for n in (1, 2) if f"{NOTE_OPEN}{n}{NOTE_CLOSE}" in text)
    p = Paragraph(text=text, line=1, id="p-1", notes=notes)
    page = render_paragraph_text(p, {1: "key-a", 2: "key-b"}) + "\n{: #p-1 .para }\n"
    [block] = read_blocks("# T\n\n" + page)
    assert ident.words_of(p) == block.words
    assert ident.fingerprint_of(p) == reg.fingerprint(block.text)


def test_seed_papers_model_words_equal_their_pages():
    from policy_reader.convert import pipeline

    for src, slug in ((ROOT / "sources" / "gomez-2019-cato-oped.txt", GOMEZ_SLUG),
                      (ROOT / "sources" / "klingner-2019-heritage-ib5022.txt", KLINGNER_SLUG)):
        meta, _ = pipeline.load_meta(src.with_suffix(".yml"), "m.yml")
        doc = pipeline.build_document(src.read_text(encoding="utf-8"), meta, "s.txt", "m.yml")
        page = published_words(slug)
        model = {p.id: ident.words_of(p) for p in [*doc.takeaways, *doc.paragraphs()]}
        assert model == page


def published_words(slug):
    return {k: v for k, v in _ids_and_words(ROOT, slug).items() if k != "bio"}


def test_update_reports_a_moved_paragraph():
    first, _ = reg.update({}, _pages(_page(("p-1", A), ("p-2", B), ("p-3", C), ("p-4", D))))
    second, changes = reg.update(first, _pages(_page(("p-1", A), ("p-3", C), ("p-4", D), ("p-2", B))))
    assert changes == ["x: ¶ 2 (p-2) moved (docs/papers/x.md:12, now after ¶ 4): same words, so it keeps its id and links"]
    assert list(second["x"]) == ["p-1", "p-3", "p-4", "p-2"]
    assert reg.update(second, _pages(_page(("p-1", A), ("p-3", C), ("p-4", D), ("p-2", B))))[1] == []


def test_build_names_a_timeline_mention_of_a_retired_paragraph_and_its_successor(project_copy, tmp_path):
    from support import mkdocs_build

    registry = project_copy / "docs" / "permalinks.yml"
    recorded = reg.load(registry)
    recorded[GOMEZ_SLUG] = {"p-42": reg.Entry("0123456789abcdef", successor="p-7"), **recorded[GOMEZ_SLUG]}
    registry.write_text(reg.dump(recorded), encoding="utf-8")
    timeline = project_copy / "docs" / "timeline.yml"
    text = timeline.read_text(encoding="utf-8")
    old = f"    - paper: {GOMEZ_SLUG}\n      para: p-2\n"
    assert old in text
    timeline.write_text(text.replace(old, f"    - paper: {GOMEZ_SLUG}\n      para: p-42\n", 1), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert re.search(rf"docs/timeline\.yml:\d+: event '[^']+', mention \d+: paragraph 'p-42' was removed from "
                     rf"{GOMEZ_SLUG} \(its links open 'p-7'\); point the mention at 'p-7' with a quote of its words, "
                     "or remove it", result.stderr), result.stderr[-800:]
