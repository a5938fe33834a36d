"""The generated pages' cache entry is written in pieces (site/generated_cache.put_pages):
the file must be exactly what writing the whole value at once writes, and read back the same."""

from policy_reader import cache
from policy_reader.site.generated_cache import GeneratedCache, get_pages, inputs_digest, put_pages
from policy_reader.site.held_html import HeldHtml


def test_put_pages_writes_the_same_entry_as_write_entry(tmp_path):
    held = HeldHtml()
    a = held.hold("<p>Caf\u00e9 \u2019quoted\u2019 &amp; <b>bold</b></p>")
    b = held.hold('<div class="x">second "block"\n\\ backslash</div>')
    pages = [("topics/index.md", "# Topics\n" + a), ("topics/t/index.md", a + "text\n" + b + a), ("topics/u.md", "none\n")]
    held.hold("<p>not on any page</p>")
    cache.configure(tmp_path / "c")
    try:
        gc = GeneratedCache(True, "topics")
        digest = inputs_digest("x")
        put_pages(gc, digest, pages, held, extra=[1, "\u00e9"])
        store = cache.store("generated")
        path = store._path(gc._key(store, digest))
        got = path.read_bytes()
        want_path = tmp_path / path.name
        blocks = {k: held.blocks[k] for k in [a.split()[2], b.split()[2]]}
        cache.write_entry(want_path, {"extra": [1, "\u00e9"], "pages": pages, "held": blocks})
        assert got == want_path.read_bytes()
        again = HeldHtml()
        assert get_pages(gc, digest, again) == pages
        assert dict(again.blocks) == blocks
    finally:
        cache.configure(None)
