"""policy_reader.atomic: whole files or none, the mode of a plain open(), temporary names."""

from __future__ import annotations

import os
import stat

from policy_reader import atomic


def test_a_write_gives_the_mode_open_gives_under_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic.write_bytes(tmp_path / "a.json", b"one")
        with open(tmp_path / "plain", "wb"):
            pass
    finally:
        os.umask(old)
    assert (tmp_path / "a.json").read_bytes() == b"one"
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == stat.S_IMODE((tmp_path / "plain").stat().st_mode) == 0o640


def test_a_temporary_name_left_by_this_process_id_is_skipped_and_nothing_is_left(tmp_path):
    atomic.write_bytes(tmp_path / "a.json", b"first")  # the folder is swept once, before this
    n = next(atomic._names)
    for k in range(n + 1, n + 4):  # the next names, as an earlier process of this id left them
        (tmp_path / f".a.json.pr{os.getpid()}-{k}.tmp").write_bytes(b"left")
    atomic.write_bytes(tmp_path / "a.json", b"second")
    assert (tmp_path / "a.json").read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(f".a.json.pr{os.getpid()}-")) == ["a.json"]
    assert all(p.read_bytes() == b"left" for p in tmp_path.iterdir() if p.name.endswith(".tmp"))


def test_a_folder_removed_after_its_first_write_is_made_again(tmp_path):
    folder = tmp_path / "store"
    atomic.write_bytes(folder / "a.json", b"1")
    (folder / "a.json").unlink()
    folder.rmdir()
    atomic.write_bytes(folder / "b.json", b"2")
    assert [p.name for p in folder.iterdir()] == ["b.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    atomic.write_bytes(tmp_path / "a.json", b"old")

    def fail(src, dst):
        raise OSError("no rename")

    monkeypatch.setattr(atomic.os, "replace", fail)
    try:
        atomic.write_bytes(tmp_path / "a.json", b"new")
    except OSError:
        pass
    else:
        raise AssertionError("the write did not fail")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert (tmp_path / "a.json").read_bytes() == b"old"
