"""The records of a paper page's steps on a miss are what a hit gives (site/paper_steps.py):
taken as they are when each step's load accepts them (JSON's own types), through JSON otherwise."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from support import build_in_process, site_files

from policy_reader.site import paper_steps
from policy_reader.site.paper_steps import PaperPage, PaperSteps, Step


def _page():
    return PaperPage(SimpleNamespace(file=SimpleNamespace(url="papers/a/", src_uri="papers/a.md"), title="A"), {"slug": "a"})


def _json_only(records):
    if not (type(records) is list and all(type(r) is list for r in records)
            and all(type(s) is str for r in records for s in r)):
        raise TypeError("lists of text")
    return records


def _steps(made, accepted):
    def run(content, page):
        return content + "!", made

    return PaperSteps([Step("s", run, load=_json_only, accept=lambda page, records: accepted.append(records))], use_cache=False)


def test_json_shaped_records_are_accepted_without_a_copy():
    shared = "docs/papers/a.md"
    made = [[shared, "papers/a/", "topics/x/"], [shared, "papers/a/", "topics/y/"]]
    accepted = []
    assert _steps(made, accepted).run("<p>x</p>", _page()) == "<p>x</p>!"
    [records] = accepted
    assert records == json.loads(json.dumps(made))  # what a hit gives
    assert records is made and records[0][0] is records[1][0]  # not copied: the shared string stays shared


def test_records_a_load_refuses_go_through_json_as_a_hit_would():
    made = [("docs/papers/a.md", "papers/a/")]  # a tuple: refused by the exact-type load
    accepted = []
    _steps(made, accepted).run("<p>x</p>", _page())
    assert accepted == [[["docs/papers/a.md", "papers/a/"]]]
    assert type(accepted[0][0]) is list


def test_records_neither_way_accepts_fail_the_page():
    made = [[1, 2]]  # numbers: refused before and after JSON
    with pytest.raises(TypeError, match="lists of text"):
        _steps(made, []).run("<p>x</p>", _page())


def test_the_plugins_records_need_no_trip_through_json(project_copy, tmp_path, monkeypatch):
    """The real site's steps make records their loads accept as they are: a cold build never
    takes the JSON path (it would fail here), and writes the same site as a warm build, whose
    records all come through JSON from the cache."""
    def no_json(*args, **kwargs):
        raise AssertionError("a step's fresh records went through JSON")

    with monkeypatch.context() as m:
        m.setattr(paper_steps, "json", SimpleNamespace(dumps=json.dumps, loads=no_json))
        cold = build_in_process(project_copy, tmp_path / "cold", monkeypatch)
    assert cold.cache.stores["paper-pages"].misses > 0
    warm = build_in_process(project_copy, tmp_path / "warm", monkeypatch)
    assert warm.cache.stores["paper-pages"].hits == cold.cache.stores["paper-pages"].misses
    assert site_files(tmp_path / "cold") == site_files(tmp_path / "warm")


