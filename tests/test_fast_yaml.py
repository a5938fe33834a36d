"""libyaml for the big YAML files (policy_reader/fast_yaml.py): same data, same bytes, same errors.

Each check runs the code twice, once with libyaml and once with ``fast_yaml.C``
off (PyYAML's pure-Python classes, what the code used before), and compares.
"""

from __future__ import annotations

import random
import string

import pytest
import yaml

from policy_reader import fast_yaml
from policy_reader.page import schema
from policy_reader.page import registry as reg
from policy_reader.model import SourceError

from support import ROOT

pytestmark = pytest.mark.skipif(not fast_yaml.C, reason="PyYAML built without libyaml")


def both(monkeypatch, fn):
    """(fn() with libyaml, fn() with the pure-Python classes); an exception is returned as its type and text."""

    def run():
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - compared, not handled
            return type(exc), str(exc)

    fast = run()
    with monkeypatch.context() as m:
        m.setattr(fast_yaml, "C", False)
        pure = run()
    return fast, pure


def synthetic_registry(slugs: int = 150, ids: int = 40) -> reg.Registry:
    rnd = random.Random(7)
    out: reg.Registry = {}
    for s in range(slugs):
        entries = {}
        for n in range(1, ids + 1):
            fp = "".join(rnd.choice("0123456789abcdef") for _ in range(16))
            entries[f"p-{n}"] = reg.Entry(fp)
        for n in range(1, 4):
            entries[f"kt-{n}"] = reg.Entry("1234567890123456" if n == 1 else "0000000000000e10")
        entries["p-99"] = reg.Entry("9a8b7c6d5e4f3a2b", successor="p-3")
        entries["bio"] = reg.Entry("00000000000000ff")
        out[f"author-{2000 + s % 25}-title-words-{s}"] = entries
    return out


def test_registry_loads_and_dumps_the_same_with_libyaml(tmp_path, monkeypatch):
    path = tmp_path / "docs" / "permalinks.yml"
    path.parent.mkdir()
    text, pure_text = both(monkeypatch, lambda: reg.dump(synthetic_registry()))
    assert text == pure_text  # byte for byte (all-digit fingerprints are quoted by both)
    path.write_text(text, encoding="utf-8")
    fast, pure = both(monkeypatch, lambda: reg.load(path))
    assert fast == pure == synthetic_registry()
    assert list(fast) == list(pure)


def test_committed_registry_round_trips_byte_for_byte_either_way(monkeypatch):
    path = ROOT / "docs" / reg.REGISTRY_NAME
    fast, pure = both(monkeypatch, lambda: reg.dump(reg.load(path)))
    assert fast == pure == path.read_text(encoding="utf-8")


SPECIAL = ["18", "0123", "1_000", "0x1F", "0o17", "0b101", "1e3", "1.5", "1.", "nan", "inf",
           "null", "Null", "true", "yes", "Yes", "no", "on", "OFF", "y", "n", "2019-01-01", "2019-01-01t10",
           "p-1", "kt-12", "a.b", "a_b", "x" * 250, "1234567890123456", "9e99999999999999"]


def test_dump_is_byte_identical_for_plain_tokens_and_falls_back_for_the_rest(monkeypatch):
    rnd = random.Random(11)
    alphabet = string.ascii_letters + string.digits + "_.-"
    tokens = SPECIAL + [
        rnd.choice(string.ascii_letters + string.digits) + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        for _ in range(3000)
    ]
    kw = dict(sort_keys=False, allow_unicode=True, width=200)
    data = {t: {t: t, "s": {"fingerprint": t, "successor": t}} for t in tokens}
    assert fast_yaml._tokens_only(data)
    assert fast_yaml.safe_dump(data, **kw) == yaml.safe_dump(data, **kw)
    for t in tokens:  # one by one too: no context hides a difference
        assert fast_yaml.safe_dump({t: t}, **kw) == yaml.safe_dump({t: t}, **kw)
    # Anything else goes through PyYAML's own emitter.
    for odd in ["p 18", "-x", ".x", ".5", ".inf", "a: b", "é", "x #y", "", "x\ny", 18, None, ["p-1"]]:
        assert not fast_yaml._tokens_only({"slug": {"p-1": odd}})
        assert fast_yaml.safe_dump({"slug": {"p-1": odd}}, **kw) == yaml.safe_dump({"slug": {"p-1": odd}}, **kw)


BROKEN = [
    "slug:\n  p-1: [abc, def\n",
    "slug: a: b\n",
    "slug:\n  p-1: abcdef\n p-2: abc\n",
    "slug:\n\tp-1: abc\n",
    "slug: {p-1: 'abc}\n",
    "slug:\n  p-1: *nowhere\n",
    "slug:\n  p-1: \x07\n",
    "slug:\n  p-1: !!python/object:os.system x\n",
    "- a\n- b\n",
    "slug: [p-1]\n",
    "slug:\n  p-1: {fingerprint: abc}\n",
    "%YAML 2.0\n---\nslug: x\n",
    "",
]


@pytest.mark.parametrize("text", BROKEN)
def test_registry_errors_are_unchanged(tmp_path, monkeypatch, text):
    path = tmp_path / "docs" / "permalinks.yml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    fast, pure = both(monkeypatch, lambda: reg.load(path))
    assert fast == pure


@pytest.mark.parametrize("text", BROKEN + [
    "publisher: X\nkind: report\nsummary: S\n\nurl: https://example.org/a_b\ntakeaways: 3\n",
    "# comment\n\npublisher: 'X'\nnumber: \"5022\"\nseries: >\n  Issue\n  Brief\ndate: 2019-01-01\n",
    "publisher: X\npublisher: Y\n",
])
def test_source_metadata_data_lines_and_errors_are_unchanged(monkeypatch, text):
    fast, pure = both(monkeypatch, lambda: schema.load_yaml_mapping(text, "sources/x.yml"))
    assert fast == pure
    if isinstance(fast[0], type):  # an error: reported as the converter reports them
        assert fast[0] is SourceError


def test_source_metadata_of_the_project_reads_the_same(monkeypatch):
    for path in sorted((ROOT / "sources").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        fast, pure = both(monkeypatch, lambda: schema.load_yaml_mapping(text, path.name))
        assert fast == pure, path


def test_the_twin_of_a_line_recording_loader_reads_what_it_reads():
    """topics.py and timeline.py read their YAML with their own loader classes (lines kept
    for error messages) through fast_yaml.load: libyaml's twin gives the same data, lines
    included."""
    from policy_reader.topics import rules as T
    from policy_reader.site import timeline as TL

    if not fast_yaml.C:
        pytest.skip("PyYAML without libyaml: only the pure loaders exist")

    def lines(x):
        if isinstance(x, dict):
            return (getattr(x, "line", None), sorted(getattr(x, "key_lines", {}).items()), {k: lines(v) for k, v in x.items()})
        if isinstance(x, list):
            return (getattr(x, "line", None), getattr(x, "item_lines", None), [lines(v) for v in x])
        return x

    cases = [(T._LineLoader, ROOT / "docs" / "topics" / "vocabulary.yml"), (T._LineLoader, ROOT / "docs" / "topics" / "overrides.yml"),
             (TL._LineLoader, ROOT / "docs" / "timeline.yml")]
    for loader, path in cases:
        text = path.read_text(encoding="utf-8")
        fast = yaml.load(text, Loader=fast_yaml.twin(loader))
        pure = yaml.load(text, Loader=loader)
        assert fast == pure and lines(fast) == lines(pure), path
