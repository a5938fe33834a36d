"""HTML that we write ourselves, kept out of Python-Markdown.

The generated pages of a library (each topic page's passages, the
bibliography, the list of all papers) are HTML that our code builds and
escapes as it goes. Handing megabytes of it to Python-Markdown costs seconds
at 1,000 papers (its HTML block parser reads every tag, only to pass the
block through unchanged), and the cost is not ours to pay. :meth:`HeldHtml.hold`
stores such a block and gives a one-line placeholder to put in the page's
Markdown; :meth:`HeldHtml.release` puts the block back into the page's HTML
(``on_page_content``, before any other step reads the page).

Python-Markdown's ``abbr`` would have marked glossary terms in text written
as Markdown; blocks that were Markdown before (topic passages) ask for the
same marks with ``glossary=True`` (:func:`.glossary.mark_terms`).
tests/test_held_html.py checks held pages against Python-Markdown's output.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import MutableMapping

from policy_reader.site.glossary import mark_terms

PLACEHOLDER = re.compile(r"<!-- policy-reader:held (?P<key>[0-9a-f]{24}) -->")


class PackedBlocks(MutableMapping):
    """``{key: block}`` that keeps each block zlib-compressed (level 1) and gives it back as
    text: the held blocks of a large library (topic passages, the bibliography, the lists
    of papers) are tens of megabytes of very repetitive HTML, held for the whole build."""

    def __init__(self):
        self._packed: dict[str, bytes] = {}

    def __setitem__(self, key: str, block: str) -> None:
        self._packed[key] = zlib.compress(block.encode("utf-8"), 1)

    def __getitem__(self, key: str) -> str:
        return zlib.decompress(self._packed[key]).decode("utf-8")

    def __delitem__(self, key: str) -> None:
        del self._packed[key]

    def __iter__(self):
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


class HeldHtml:
    def __init__(self, definitions: dict[str, str] | None = None):
        self.definitions = definitions or {}
        self.blocks: PackedBlocks = PackedBlocks()

    def hold(self, block: str, glossary: bool = False) -> str:
        """A Markdown line that stands for ``block`` until :meth:`release`."""
        if glossary:
            block = mark_terms(block, self.definitions)
        key = hashlib.sha256(block.encode("utf-8")).hexdigest()[:24]
        self.blocks[key] = block
        return f"\n<!-- policy-reader:held {key} -->\n"

    def release(self, page_html: str) -> str:
        if "policy-reader:held" not in page_html:
            return page_html
        return PLACEHOLDER.sub(lambda m: self.blocks[m["key"]], page_html)


class PackedPages:
    """Finished pages' HTML, compressed, between ``on_page_content`` and their template.

    MkDocs renders every page's Markdown before it writes any page, and keeps each
    ``page.content`` to the end: a large library's paper pages (cite panels in every
    paragraph) are most of the build's memory. The plugin packs a paper page's
    finished HTML when every ``on_page_content`` handler is done (the page's content
    is then empty, as Material's search step already saw it), unpacks it for its
    template (``on_page_context``) and empties it again once the page is written
    (``on_post_page``). zlib level 1: the HTML is very repetitive, so a tenth of the
    size for about a second per 250 MB. The bytes come back unchanged.
    """

    def __init__(self):
        self._pages: dict[str, bytes] = {}

    def pack(self, key: str, page_html: str) -> None:
        self._pages[key] = zlib.compress(page_html.encode("utf-8"), 1)

    def unpack(self, key: str) -> str | None:
        data = self._pages.pop(key, None)
        return None if data is None else zlib.decompress(data).decode("utf-8")
