"""The synthetic library's generator and the bench's bookkeeping (no timing here: `make bench`
measures; these check what it computes from what it measured).

The synthetic papers converting and building is tested by tests/test_topics_library.py and
tests/test_convert_incremental.py, which use the generator."""

from __future__ import annotations

import json
import math
import re
import sys

import pytest

from policy_reader.dev import bench, synth


def test_papers_are_deterministic_and_depend_on_the_seed():
    assert synth.paper(7) == synth.paper(7)
    assert synth.paper(7, seed=2) == synth.paper(7, seed=2)
    assert synth.paper(7)[1] != synth.paper(7, seed=2)[1]
    assert synth.paper(7)[1] != synth.paper(9)[1]


def test_paper_shapes_and_metadata_vary():
    papers = [synth.paper(i, paragraphs=12) for i in range(1, 41)]
    metas = [m for _, _, m in papers]
    publishers = {re.search(r"^publisher: (.*)$", m, re.M)[1] for m in metas}
    assert len(publishers) >= 6
    years = {re.search(r"slug: \w+-(\d{4})-synthetic", m)[1] for m in metas}
    assert len(years) >= 10
    briefs = [t for stem, t, _ in papers if t.startswith("# ")]
    assert briefs and all("## KEY TAKEAWAYS" in t for t in briefs)
    assert any("\n## " in t.split("## KEY TAKEAWAYS")[1].split("## Endnotes")[0] for t in briefs)  # section headings
    assert any(re.search(r"^\*\*[^*]+\.\*\* ", t, re.M) for t in briefs)  # run-in headings
    for t in briefs:  # every note mark has its endnote, numbered in order
        marks = [int(n) for n in re.findall(r"<sup>(\d+)</sup>", t)]
        assert marks == list(range(1, len(marks) + 1))
        notes = re.findall(r"^(\d+)\. ", t.split("## Endnotes")[1], re.M) if "## Endnotes" in t else []
        assert [int(n) for n in notes] == marks
    lengths = [len(p.split()) for _, t, _ in papers for p in synth.body_paragraphs(t)]
    assert min(lengths) < 25 and max(lengths) > 150  # one sentence to many
    assert len({len(synth.body_paragraphs(t)) for _, t, _ in papers}) > 5
    assert all(" is a columnist at " in t for stem, t, _ in papers if not t.startswith("# "))


def test_every_word_is_the_real_papers_or_coined():
    """Words are the real papers' or coined from the syllables: none from anywhere else."""
    real = {w.lower() for p in synth.corpus().paragraphs for w in re.findall(r"[A-Za-z]+", p)}
    coined = re.compile("(?:" + "|".join(synth.SYLLABLES) + "){2,}(?:" + "|".join(e for e in synth.ENDINGS if e) + ")?")
    text = " ".join(synth.body_paragraphs(synth.paper(4, paragraphs=20)[1]))
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    assert words - real, "nothing substituted"
    assert not {w for w in words - real if not coined.fullmatch(w)}


def test_coined_words_are_distinct():
    words = [synth.coined_word(k) for k in range(50000)]
    assert len(set(words)) > 0.99 * len(words)


def test_term_stats_on_known_paragraphs():
    s = synth.term_stats(["The cat sat.", "The cat's hat", "A dog"])
    # terms: the cat sat | the cats hat | a dog (the apostrophe dropped, as the search index does)
    assert (s["tokens"], s["vocabulary"], s["paragraphs"]) == (8, 7, 3)
    assert s["mean_paragraph_words"] == 2.7
    assert s["top10"][0] == "the" and s["top10_share"] == 1.0
    assert s["postings_mean"] == round(8 / 7, 2) and s["postings_median"] == 1
    assert s["postings_max_share"] == round(2 / 3, 3)
    assert s["hapax_share"] == round(6 / 7, 3)


def test_vocabulary_grows_like_real_text():
    """Heaps: new words keep coming (exponent well between 0 and 1), unlike the fixed
    sentences of before (whose vocabulary stopped growing after one paper)."""
    paras = [p for i in range(1, 31) for p in synth.body_paragraphs(synth.paper(i)[1])]
    s = synth.term_stats(paras)
    assert 0.4 < s["heaps_beta"] < 0.9
    first = synth.term_stats(paras[: len(paras) // 10])
    assert s["vocabulary"] > 3 * first["vocabulary"]
    assert s["postings_max_share"] < 1


def test_stats_command_prints_the_table(capsys):
    assert synth.main(["--stats", "--sizes", "3"]) == 0
    out = capsys.readouterr().out
    assert "| real papers (docs/papers) |" in out and "| synthetic, 3 papers |" in out
    assert "Heaps β" in out and "Zipf slope" in out


# --- bench bookkeeping ---------------------------------------------------------------------------

def record(commit="abc", cold=(30.0, 10.0), warm=(9.0, 10.0), mem=(150.0, 100.0), q=(40.0, 90.0), b=20 * 1024, n="1000", extra=None):
    build = lambda wall, mib=mem: {"wall": wall, "cpu": wall * 0.9, "mib": mib}
    res = {
        n: {
            "builds": {"ours_cold": build(cold[0], mem[0]), "stock_cold": build(cold[1], mem[1]),
                       "ours_warm": build(warm[0], mem[0]), "stock_warm": build(warm[1], mem[1])},
            "search": {"ours": {"ready_ms": 50, "query_ms_median": q[0], "query_ms_p95": q[1], "query_ms_max": q[1],
                                "query_bytes_median": b, "query_bytes_p95": b, "query_bytes_max": b, "queries": 40, "failed": 0},
                       "stock": {"ready_ms": 3000, "query_ms_median": 60, "query_ms_p95": 140, "query_ms_max": 150,
                                 "query_bytes_median": 0, "query_bytes_p95": 0, "query_bytes_max": 0, "queries": 40, "failed": 0}},
            "topic_page_gz": {"sanctions": 160 * 1024, "diplomacy": 20 * 1024},
            "index_gz": 1000, "stock_index_gz": 2000, "convert_s": 1.0, "reconvert_s": 0.5,
        }
    }
    res.update(extra or {})
    return {"date": "2026-11-26 07:00 UTC", "commit": commit, "dirty": False, "subject": "s", "load_before": [1, 1, 1],
            "load_after": [2, 2, 2], "cores": 2, "sizes": sorted(int(k) for k in res), "runs": 3, "seconds": 10,
            "results": res, "mrr": {"note": "not measured (module missing)"}}


def rows_by_figure(rec):
    return {(r[0].split(" (")[0], str(r[1])): r for r in bench.figures(rec)}


def test_figures_judge_each_target():
    rows = rows_by_figure(record())
    assert rows[("cold build wall", "1000")][4:] == ("3.00x", "<= 1.5x", "MISSED")
    assert rows[("warm build wall", "1000")][4:] == ("0.90x", "<= 1.0x", "met")
    assert rows[("build peak memory", "1000")][6] == "met"
    assert rows[("query to results, median", "1000")][6] == "met"
    assert rows[("query to results, p95", "1000")][6] == "met"
    assert rows[("bytes per query, gzip, median / p95 / max", "1000")][6] == "met"
    assert rows[("largest topic page, gzip", "1000")][2].startswith("160 KB (sanctions)")
    assert rows[("largest topic page, gzip", "1000")][6] == "MISSED"
    assert rows[("ranking, MRR on the real site", "real")][2] == "not measured (module missing)"
    assert rows[("linearity 1,000 -> 2,000", "-")][2].startswith("not measured")
    worse = rows_by_figure(record(q=(60.0, 120.0), b=40 * 1024))
    assert worse[("query to results, median", "1000")][6] == worse[("query to results, p95", "1000")][6] == "MISSED"
    assert worse[("bytes per query, gzip, median / p95 / max", "1000")][6] == "MISSED"


def test_linearity_and_mrr_rows():
    two = record(extra={"2000": record(cold=(66.0, 25.0))["results"]["1000"]})
    two["mrr"] = {"mrr": 0.92, "mrr_dev": 0.95, "mrr_heldout": 0.85, "n": 24}
    rows = rows_by_figure(two)
    linear = {r[0]: r for r in bench.figures(two) if r[0].startswith("linearity")}
    assert linear["linearity, cold build wall 2,000 / 1,000 (ours)"][2::4] == ("2.20x", "met")
    assert linear["linearity, cold build wall 2,000 / 1,000 (stock)"][2::4] == ("2.50x", "-")
    assert rows[("ranking, MRR on the real site", "real")][6] == "met"
    assert "n=24" in rows[("ranking, MRR on the real site", "real")][2]


def test_history_and_compare(tmp_path, capsys):
    path = tmp_path / "history.jsonl"
    runs = [record("aaa", cold=(40.0, 10.0)), record("bbb", n="100"), record("ccc", cold=(20.0, 10.0))]
    path.write_text("".join(json.dumps(r) + "\n" for r in runs), encoding="utf-8")
    assert [r["commit"] for r in bench.history(path)] == ["aaa", "bbb", "ccc"]
    assert bench.main(["--root", str(tmp_path), "--out", ".", "--sizes", "1000", "--compare"]) == 0
    out = capsys.readouterr().out
    assert "Change from aaa" in out and "to ccc" in out
    assert "| 1000 ours_cold wall | 40 | 20 | 0.50 |" in out
    assert bench.main(["--root", str(tmp_path), "--out", ".", "--sizes", "100", "--compare"]) == 1  # one run only


def test_results_md_keeps_the_latest_run_of_each_size_set(tmp_path):
    runs = [record("aaa"), record("bbb", n="100"), record("ccc")]
    runs[1]["date"] = "2026-11-25 07:00 UTC"
    (tmp_path / "history.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs), encoding="utf-8")
    bench.write_results(tmp_path)
    text = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "Bench of commit ccc" in text and "Bench of commit bbb" in text and "commit aaa" not in text
    assert text.index("commit ccc") < text.index("commit bbb")  # newest first
    assert "Command: `python -m policy_reader.dev.bench --sizes 100`" in text


def test_mrr_says_so_when_the_module_is_missing(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "policy_reader.dev.search_quality", None)  # import fails
    assert bench.mrr(tmp_path, tmp_path, None) == {"note": "not measured (module missing)"}


def test_queries_come_from_the_library_and_are_stable():
    paras = [p for i in range(1, 6) for p in synth.body_paragraphs(synth.paper(i)[1])]
    qs = bench.library_queries(paras, 20)
    assert qs == bench.library_queries(paras, 20)
    assert len(qs) == 20 and len(set(qs)) >= 18
    words = {t for p in paras for t in synth.terms(p)}
    assert all(set(q.split()) <= words for q in qs)
    assert sum(" " in q for q in qs) == 5


@pytest.mark.parametrize("xs, expect", [([1.0], 1.0), ([3.0, 1.0, 2.0], 3.0), (list(map(float, range(1, 101))), 95.0)])
def test_p95(xs, expect):
    assert bench.p95(xs) == expect
