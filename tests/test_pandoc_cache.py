"""The pandoc cache's memory of pypandoc's version probe (site/citations/pandoc_cache.py)."""

from __future__ import annotations

import subprocess

import pypandoc

from policy_reader.cache import read_entry, write_entry
from policy_reader.site.citations import pandoc_cache


def fresh_probe() -> tuple[str, str]:
    pypandoc.clean_version_cache()
    pypandoc.clean_pandocpath_cache()
    return pypandoc.get_pandoc_version(), pypandoc.get_pandoc_path()


def test_a_remembered_probe_picks_the_same_pandoc_without_running_it(tmp_path, monkeypatch):
    expected = fresh_probe()  # pypandoc's own answer
    pandoc_cache.install(tmp_path / "cache")
    try:
        assert fresh_probe() == expected  # probed, and remembered
        entries = sorted((tmp_path / "cache" / "pandoc-version").iterdir())
        assert expected[0] in [read_entry(e) for e in entries]

        runs = []
        real_popen = subprocess.Popen

        def counting(*args, **kwargs):
            runs.append(args[0])
            return real_popen(*args, **kwargs)

        monkeypatch.setattr(subprocess, "Popen", counting)
        assert fresh_probe() == expected  # from versions.json alone
        assert runs == []
        monkeypatch.undo()

        # A remembered answer is what is used: another version stored under the key is returned.
        for e in entries:
            write_entry(e, "9.99.9")
        assert fresh_probe()[0] == "9.99.9"
        # A damaged entry is not: the executable is probed again and the entry rewritten.
        for e in entries:
            e.write_bytes(e.read_bytes()[:-3])
        monkeypatch.setattr(subprocess, "Popen", counting)
        assert fresh_probe() == expected
        assert runs != []
        monkeypatch.undo()
        assert expected[0] in [read_entry(e) for e in entries]
    finally:
        pandoc_cache.uninstall()
        fresh_probe()
