"""The pandoc cache's memory of pypandoc's version probe (site/pandoc_cache.py)."""

from __future__ import annotations

import json
import subprocess

import pypandoc

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
        known = json.loads((tmp_path / "cache" / "versions.json").read_text(encoding="utf-8"))
        assert expected[0] in known.values()

        runs = []
        real_popen = subprocess.Popen

        def counting(*args, **kwargs):
            runs.append(args[0])
            return real_popen(*args, **kwargs)

        monkeypatch.setattr(subprocess, "Popen", counting)
        assert fresh_probe() == expected  # from versions.json alone
        assert runs == []
        monkeypatch.undo()

        # A changed executable (another size or time) is probed again.
        changed = {k.rsplit("\0", 1)[0] + "\0" + "0": v for k, v in known.items()}
        (tmp_path / "cache" / "versions.json").write_text(json.dumps(changed), encoding="utf-8")
        assert fresh_probe() == expected
        again = json.loads((tmp_path / "cache" / "versions.json").read_text(encoding="utf-8"))
        assert set(known) <= set(again)
    finally:
        pandoc_cache.uninstall()
        fresh_probe()
