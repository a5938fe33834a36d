"""The plugin's background pandoc jobs (site/citations/pandoc_jobs.py): they run side by side with the
calling thread, hand back their result or their own exception in the order the calls used to
have, and leave no thread behind, also when the build fails."""

from __future__ import annotations

import threading

import pytest
from mkdocs.exceptions import PluginError

from policy_reader.site import plugin as plugin_module
from policy_reader.site.citations.pandoc_jobs import Background
from policy_reader.site.permalinks.panels import PermalinkManager

from support import GOMEZ_SLUG, build_in_process, mkdocs_build


def jobs_alive() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("policy-reader ")]


def fail(message: str):
    raise PluginError(message)


def test_jobs_run_side_by_side_with_the_calling_thread():
    # Each party waits for the other two: run one after the other, the barrier breaks after 10 s.
    meet = threading.Barrier(3, timeout=10)

    def job(name: str) -> str:
        meet.wait()
        return name

    with Background(job, "footnotes") as footnotes, Background(job, "panels") as panels:
        meet.wait()
        assert (footnotes.result(), panels.result()) == ("footnotes", "panels")
    assert jobs_alive() == []


def test_a_job_error_reaches_the_caller_unchanged():
    error = PluginError("bib/x.bib: cannot read the paper's BibTeX (No such file or directory); run `make convert`")

    def job():
        raise error

    with pytest.raises(PluginError) as caught:
        with Background(job) as footnotes:
            footnotes.result()
    assert caught.value is error
    assert jobs_alive() == []


def test_a_job_error_is_not_lost_when_its_result_is_not_taken():
    with pytest.raises(PluginError, match="^footnotes$"):
        with Background(fail, "footnotes"):
            pass


def test_errors_come_in_the_order_of_the_calls():
    # A call made in the block before the jobs' results are taken came first: its error wins,
    # and the block still waits for the job (here one that is still running when the error comes).
    release = threading.Event()

    def late_failure():
        release.wait(10)
        raise PluginError("footnotes")

    with pytest.raises(PluginError, match="^bibliography$"):
        with Background(late_failure) as footnotes:
            release.set()
            fail("bibliography")
    assert jobs_alive() == []
    # Among the jobs, the first taken wins, whichever finished first.
    with pytest.raises(PluginError, match="^footnotes$"):
        with Background(late_failure) as footnotes, Background(fail, "panels") as panels:
            release.set()
            footnotes.result()
            panels.result()
    assert jobs_alive() == []


def test_a_failing_background_job_fails_the_build_with_its_own_message(project_copy, tmp_path):
    """The cite panels are formatted in the background: a paper whose .bib cannot be read
    fails the build with the same one line as before, and the site is not written."""
    bib = project_copy / "bib" / f"{GOMEZ_SLUG}.bib"
    bib.rename(bib.with_name("moved.bib"))  # its entries are still in bib/ for the bibliography page
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors == [
        f"ERROR   -  {bib}: cannot read the paper's BibTeX (No such file or directory); run `make convert`"
    ], result.stderr
    assert not (tmp_path / "out" / "index.html").exists()


def test_the_footnotes_error_comes_before_the_cite_panels_error(project_copy, tmp_path, monkeypatch, caplog):
    """As when mkdocs-bibtex's footnotes were formatted before the cite panels."""
    from mkdocs.exceptions import Abort

    def footnotes_fail(config, pages, shared=None):
        raise PluginError("footnotes failed")

    def panels_fail(self, papers):
        raise PluginError("panels failed")

    monkeypatch.setattr(plugin_module, "prewarm_citations", footnotes_fail)
    monkeypatch.setattr(PermalinkManager, "prepare", panels_fail)
    with pytest.raises(Abort):  # MkDocs logs a PluginError's message, then aborts
        build_in_process(project_copy, tmp_path / "out", monkeypatch)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == ["footnotes failed"]
    assert jobs_alive() == []
