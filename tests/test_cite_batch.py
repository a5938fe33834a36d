"""Batched citation formatting gives exactly what formatting each paper alone gives,
also when two papers share an author (no year suffixes, no "———")."""

from __future__ import annotations

import re

import pytest

from policy_reader.site.citations import cite
from policy_reader.site.citations.citeproc import style_path

from support import KLINGNER_SLUG, ROOT

OTHER = """@techreport{klingner-2019-other,
  author = {Klingner, Bruce},
  title = {{Another} {Brief} on {Deterrence}},
  institution = {The Heritage Foundation},
  type = {Issue Brief},
  number = {9999},
  date = {2019-06-01},
  url = {https://example.org/other},
}
"""


def alone(entry: str, key: str):
    cite._PREPARED.clear()
    styles = cite.style_citations(entry, key)
    return [(s.reference.text, s.para.text, s.takeaway.text) for s in styles]


def test_batch_equals_alone_for_papers_by_one_author():
    bib = (ROOT / "bib" / f"{KLINGNER_SLUG}.bib").read_text(encoding="utf-8")
    key = "klingner-2019-us-needs"
    entry = cite.bib_entry(bib, key)
    expected = {key: alone(entry, key), "klingner-2019-other": alone(OTHER.strip(), "klingner-2019-other")}
    assert cite._groups({key: entry, "klingner-2019-other": OTHER.strip()}).__len__() == 2
    cite._PREPARED.clear()
    cite.prepare([(bib, key), (OTHER, "klingner-2019-other")])
    assert (entry, key) in cite._PREPARED
    got = {k: [(s.reference.text, s.para.text, s.takeaway.text) for s in cite.style_citations(e, k)]
           for k, e in ((key, entry), ("klingner-2019-other", OTHER.strip()))}
    assert got == expected
    assert all("2019a" not in t and "———" not in t for rows in got.values() for row in rows for t in row)


def test_groups_keep_families_apart():
    entries = {
        "a": "@online{a,\n  author = {Doe, Jane and Roe, Rick},\n}",
        "b": "@online{b,\n  author = {Roe, Rick},\n}",
        "c": "@online{c,\n  author = {Poe, Ed},\n}",
    }
    groups = cite._groups(entries)
    assert [sorted(g) for g in groups] == [["a", "c"], ["b"]]


def test_a_library_that_gains_a_paper_formats_only_that_paper(tmp_path, monkeypatch):
    from policy_reader.site.citations import pandoc_cache

    bib = (ROOT / "bib" / f"{KLINGNER_SLUG}.bib").read_text(encoding="utf-8")
    key = "klingner-2019-us-needs"
    formatted: list[list[str]] = []
    real_format = cite._format

    def recording(batches, *args, **kwargs):
        formatted.extend(sorted(group) for group, *_ in batches)
        return real_format(batches, *args, **kwargs)

    monkeypatch.setattr(cite, "_format", recording)
    pandoc_cache.install(tmp_path / "cache")
    try:
        cite._PREPARED.clear()
        cite.prepare([(bib, key)])
        first = [k for g in formatted for k in g]
        assert set(first) == {key}
        formatted.clear()
        cite._PREPARED.clear()
        cite.prepare([(bib, key), (OTHER, "klingner-2019-other")])
        assert {k for g in formatted for k in g} == {"klingner-2019-other"}
        # and what came from the store is what a fresh run gives
        stored = [(s.reference.text, s.para.text, s.takeaway.text) for s in cite._PREPARED[(cite.bib_entry(bib, key), key)]]
        assert stored == alone(cite.bib_entry(bib, key), key)
    finally:
        pandoc_cache.uninstall()


def test_groups_are_capped():
    entries = {f"k{i}": f"@online{{k{i},\n  author = {{Name{i}, A}},\n}}" for i in range(cite.MAX_BATCH * 2 + 1)}
    assert [len(g) for g in cite._groups(entries)] == [cite.MAX_BATCH, cite.MAX_BATCH, 1]


def test_one_run_for_both_locators_equals_one_run_each():
    """APA and MLA cite each entry with both locators in one pandoc run (cite._positionless):
    that run gives exactly what one run per locator gives. Chicago, a note style, where the
    second citation of a work is its short form, keeps one run per locator."""
    bibtex = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bib").glob("*.bib")))
    bibtex += "\n\n" + OTHER  # a second work by one author: its own group
    keys = re.findall(r"^@\w+\{([^,\s]+),", bibtex, re.M)
    entries = {k: cite.with_url(cite.bib_entry(bibtex, k), cite.URL_PLACEHOLDER) for k in keys}
    one_run = {style: cite._positionless(style_path(style)) for _, _, style, _ in cite.STYLES}
    assert one_run == {"chicago-note-bibliography": False, "apa": True, "modern-language-association": True}
    groups = cite._groups(entries)
    assert len(groups) > 1  # works by one author (OTHER and its namesake) apart
    for style in ("apa", "modern-language-association"):
        csl = style_path(style)
        for group in groups:
            refs, (paras,) = cite._batch(group, csl, (cite.PARA_LOCATOR,), True)
            _, (takeaways,) = cite._batch(group, csl, (cite.TAKEAWAY_LOCATOR,), False)
            assert set(paras) == set(takeaways) == set(group) and paras != takeaways
            assert cite._batch(group, csl, (cite.PARA_LOCATOR, cite.TAKEAWAY_LOCATOR), True) == (refs, [paras, takeaways])


def _alone(entries: dict[str, str], csl, locators, bibliography: bool) -> tuple[dict, list[dict]]:
    """One batch as its own pandoc run, as the panels were formatted before cite._format:
    the batch's entries as a --bibliography file, the style as --csl."""
    import tempfile
    from pathlib import Path

    import pypandoc

    from policy_reader.site.citations.citeproc import for_pandoc

    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "papers.bib"
        bib.write_text(for_pandoc("\n\n".join(entries.values())), encoding="utf-8")
        out = pypandoc.convert_text(
            cite._batch_doc(list(entries), locators, bibliography), to="html", format="markdown",
            extra_args=["--citeproc", "--bibliography", str(bib), "--csl", str(csl), "--wrap=none"],
        )
    return cite._parse_batch(out, list(entries), csl, locators, bibliography)


def test_one_run_of_every_batch_equals_a_run_per_batch():
    """cite._format formats every (style, group, locators) batch in one pandoc run, each batch
    with only its own entries: exactly what a pandoc run per batch gives (a second work by one
    author in its own group, a note style and two in-text styles), and the CSL JSON pandoc's
    BibLaTeX reader gives."""
    import json

    import pypandoc

    from policy_reader.site.citations.citeproc import cite_style, for_pandoc

    bibtex = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bib").glob("*.bib")))
    bibtex += "\n\n" + OTHER
    keys = re.findall(r"^@\w+\{([^,\s]+),", bibtex, re.M)
    originals = {k: cite.bib_entry(bibtex, k) for k in keys}
    entries = {k: cite.with_url(e, cite.URL_PLACEHOLDER) for k, e in originals.items()}
    groups = cite._groups(entries)
    assert len(groups) > 1
    batches = []
    for _, _, style, _ in cite.STYLES:
        csl = cite_style(style)
        for group in groups:
            batches += [(group, csl, (cite.PARA_LOCATOR,), True), (group, csl, (cite.TAKEAWAY_LOCATOR,), False),
                        (group, csl, (cite.PARA_LOCATOR, cite.TAKEAWAY_LOCATOR), True)]
    csljson, together = cite._format(batches, csljson="\n\n".join(originals.values()))
    assert together == [_alone(*batch) for batch in batches]
    assert all(refs or not batch[3] for (refs, _), batch in zip(together, batches))
    own = pypandoc.convert_text(for_pandoc("\n\n".join(originals.values())), to="csljson", format="biblatex")
    assert json.loads(csljson) == json.loads(own) and len(json.loads(own)) == len(keys)


def test_a_batch_missing_an_entry_fails_with_the_key_and_style():
    from policy_reader.site.citations.citeproc import CiteprocError, cite_style

    csl = cite_style("apa")
    with pytest.raises(CiteprocError, match=r"pandoc did not format ghost with .*apa\.csl"):
        cite._parse_batch("<p>nothing</p>", ["ghost"], csl, (cite.PARA_LOCATOR,), True)


def test_one_run_refuses_two_different_entries_under_one_key():
    from policy_reader.site.citations.citeproc import CiteprocError, cite_style

    csl = cite_style("apa")
    one = {"k": "@online{k,\n  author = {Roe, Rick},\n  title = {One},\n}"}
    other = {"k": "@online{k,\n  author = {Roe, Rick},\n  title = {Other},\n}"}
    with pytest.raises(CiteprocError, match="two different entries 'k'"):
        cite._format([(one, csl, (cite.PARA_LOCATOR,), True), (other, csl, (cite.PARA_LOCATOR,), True)])
