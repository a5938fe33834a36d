"""Every sentence of both papers appears verbatim and in order on its built page.

The expected sentences come from the raw source files, prepared here with
only what the test names: the three page-furniture lines of the Heritage PDF
are dropped, note numbers and bold markers are removed, and the run-in
headings are checked as headings. Nothing of the converter is reused.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from support import GOMEZ_SLUG, GOMEZ_SRC, KLINGNER_SLUG, KLINGNER_SRC, page_html

FURNITURE = [
    "This paper, in its entirety, can be found at <http://report.heritage.org/ib5022>",
    "The Heritage Foundation | 214 Massachusetts Avenue, NE | Washington, DC 20002 | (202) 546-4400 | [heritage.org](http://heritage.org)",
    "Nothing written here is to be construed as necessarily reflecting the views of The Heritage Foundation or as an attempt to aid or hinder the passage of any bill before Congress.",
]
RUN_IN = re.compile(r"\*\*([^*]+?)\.\*\* ")


class ParagraphText(HTMLParser):
    """Text of the paper's own blocks (takeaways, paragraphs, bio), in order.

    Inside a block, subtrees of decorations are skipped: any element with a
    class attribute (note references, chips, ¶ numbers, controls), <sup>,
    <button>, <script>, <template> and <svg>. The paper's words carry none.
    """

    SKIP = {"sup", "button", "script", "template", "svg", "style"}
    BLOCK_CLASSES = {"para", "takeaway", "bio"}

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[str, str]] = []  # (id, text)
        self.headings: list[str] = []
        self._depth = 0
        self._skip = 0
        self._current = None
        self._heading = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if self._current is None and tag == "p" and classes & self.BLOCK_CLASSES and a.get("id"):
            self._current = [a["id"], []]
            self._depth = 1
            return
        if self._current is not None:
            if tag not in ("br", "img", "wbr"):
                self._depth += 1
                if self._skip or tag in self.SKIP or "class" in a:
                    self._skip += 1
            return
        if tag == "h2":
            self._heading = []

    def handle_endtag(self, tag):
        if self._current is not None:
            if self._skip:
                self._skip -= 1
            self._depth -= 1
            if self._depth == 0:
                self.blocks.append((self._current[0], "".join(self._current[1])))
                self._current = None
            return
        if tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading).replace("¶", "").strip())
            self._heading = None

    def handle_data(self, data):
        if self._current is not None and not self._skip:
            self._current[1].append(data)
        elif self._heading is not None:
            self._heading.append(data)


def page_blocks(site, slug):
    parser = ParagraphText()
    parser.feed(page_html(site, slug))
    return parser


def source_body(path, skip_blocks: int) -> tuple[str, list[str]]:
    text = path.read_text(encoding="utf-8")
    text = text.split("## Endnotes")[0]
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    blocks = [b for b in blocks[skip_blocks:] if not b.startswith("#") and b not in FURNITURE]
    body = " ".join(blocks)
    headings = [h for h in RUN_IN.findall(body)]
    body = RUN_IN.sub("", body)
    body = re.sub(r"<sup>\d+</sup>", "", body).replace("**", "")
    return body, headings


def sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in re.finditer(r"[.!?][”\"’)]*\s+(?=[A-Z“\"‘])", text):
        out.append(text[start : m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


@pytest.mark.parametrize(
    "src, slug, skip, n_blocks",
    [(KLINGNER_SRC, KLINGNER_SLUG, 2, 3 + 18 + 1), (GOMEZ_SRC, GOMEZ_SLUG, 3, 9 + 1)],
)
def test_every_sentence_verbatim_and_in_order(built_site, src, slug, skip, n_blocks):
    body, headings = source_body(src, skip)
    parsed = page_blocks(built_site, slug)
    assert len(parsed.blocks) == n_blocks
    page_text = " ".join(" ".join(t.split()) for _, t in parsed.blocks)
    pos = 0
    expected = sentences(body)
    assert len(expected) >= 30
    for sentence in expected:
        found = page_text.find(sentence, pos)
        assert found != -1, f"not found verbatim after position {pos}: {sentence!r}"
        pos = found + len(sentence)
    for heading in headings:
        assert heading in parsed.headings


def test_page_furniture_is_not_in_the_body(built_site):
    html = page_html(built_site, KLINGNER_SLUG)
    for line in ("can be found at", "214 Massachusetts Avenue", "Nothing written here"):
        assert line not in html


def test_split_paragraphs_are_one_block_each(built_site):
    blocks = dict(page_blocks(built_site, KLINGNER_SLUG).blocks)
    assert "military deterrence, containment, pressure, law enforcement" in blocks["p-3"]
    assert "a way out of the crisis by emphasizing that the U.S." in blocks["p-8"]
