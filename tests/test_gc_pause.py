"""site/gc_pause.py: no cyclic collection during on_files, its objects out of later collections,
the collector restored as found when the build ends or fails."""

from __future__ import annotations

import gc
import weakref

import pytest

from policy_reader.site import reading_room
from policy_reader.site.gc_pause import GcPause
from support import build_in_process


class Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self):
        self.other = None


def cycle() -> weakref.ref:
    """A two-node reference cycle with no outside reference: garbage only the collector frees."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture
def clean_gc():
    """Each test starts and ends with the collector on and nothing frozen."""
    gc.collect()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    yield
    gc.unfreeze()
    gc.enable()


def test_pause_turns_collection_off_and_freezes_what_exists(clean_gc):
    old = Node()
    pause = GcPause()
    pause.pause()
    assert not gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert any(o is old for o in gc.get_objects()) is False  # frozen objects are out of the collector's lists
    pause.resume()
    assert gc.isenabled()
    pause.end()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert any(o is old for o in gc.get_objects())  # back under the collector


def test_cycles_made_while_frozen_are_freed_when_the_build_ends(clean_gc):
    pause = GcPause()
    pause.pause()
    during = cycle()  # garbage made during on_files, frozen at its end
    pause.resume()
    after = cycle()  # garbage made while pages render: collected as ever
    gc.collect()
    assert after() is None
    assert during() is not None  # frozen: no collection walks it until the build ends
    pause.end()
    gc.collect()
    assert during() is None


def test_reference_counting_still_frees_frozen_objects(clean_gc):
    pause = GcPause()
    pause.pause()
    node = Node()
    ref = weakref.ref(node)
    pause.resume()
    del node
    assert ref() is None  # no cycle: freed at once, frozen or not
    pause.end()


def test_a_disabled_collector_stays_disabled_and_others_frozen_objects_stay_frozen(clean_gc):
    gc.disable()
    gc.freeze()
    theirs = gc.get_freeze_count()
    pause = GcPause()
    pause.pause()
    pause.resume()
    pause.end()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == theirs  # not ours to unfreeze, and nothing added to it


def test_calls_out_of_order_are_harmless(clean_gc):
    pause = GcPause()
    pause.end()  # a build that failed before on_files
    pause.resume()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    pause.pause()
    pause.pause()  # twice: the state found the first time is the one restored
    pause.end()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_build_pauses_during_on_files_and_restores_the_collector(project_copy, tmp_path, monkeypatch, clean_gc):
    seen = []
    add_pages = reading_room.add_pages

    def watched(*args, **kwargs):
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return add_pages(*args, **kwargs)

    monkeypatch.setattr(reading_room, "add_pages", watched)
    build_in_process(project_copy, tmp_path / "site", monkeypatch)
    assert seen == [(False, True)]  # inside on_files: no automatic collection, earlier objects frozen
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_failing_build_restores_the_collector(project_copy, tmp_path, monkeypatch, clean_gc):
    def broken(*args, **kwargs):
        raise RuntimeError("reading room failed")

    monkeypatch.setattr(reading_room, "add_pages", broken)
    with pytest.raises(Exception, match="reading room failed"):
        build_in_process(project_copy, tmp_path / "site", monkeypatch)
    assert gc.isenabled() and gc.get_freeze_count() == 0
