"""Named repairs of PDF-extraction defects, applied to the parsed blocks.

Each rule is a pure function ``Document -> Document`` that changes only what
its name says; :data:`RULES` lists them in the order they run. Every rule has
its own tests in ``tests/test_repair.py``. Nothing else touches the words.
"""

from __future__ import annotations

import re
from typing import Callable

from policy_reader.model import Block, Document, Endnote

URL_IN_TEXT = re.compile(r"<?(https?://[^\s>]+)>?")

#: Page furniture: lines a PDF repeats on its pages that are not the paper's
#: text. Each pattern matches a whole block; a named group ``url`` is kept as
#: the report's URL.
FURNITURE = (
    ("report-url-line", re.compile(r"^This paper, in its entirety, can be found at <?(?P<url>https?://[^\s>]+)>?\s*$")),
    (
        "address-block",
        re.compile(r"^[^|\n]+(\|[^|\n]+){2,}\|\s*\(?\d{3}\)?[ -]?\d{3}-\d{4}\s*(\|.*)?$"),
    ),
    (
        "disclaimer",
        re.compile(r"^Nothing written here is to be construed as necessarily reflecting the views of .+$", re.S),
    ),
)

TERMINAL = tuple(".?!:;\"”’')]")


def drop_page_furniture(doc: Document) -> Document:
    """Remove page furniture blocks from the body; keep the report URL as a fact.

    The "This paper, in its entirety, can be found at ..." line, the address
    block ("The Heritage Foundation | 214 Massachusetts Avenue ... | (202) ...")
    and the disclaimer ("Nothing written here is to be construed ...") are
    printed on the PDF's pages, not written by the author.
    """
    kept: list[Block] = []
    facts = list(doc.furniture)
    for block in doc.blocks:
        for name, pattern in FURNITURE:
            m = pattern.match(block.text)
            if m:
                if "url" in pattern.groupindex and m["url"]:
                    facts.append(("report_url", m["url"]))
                break
        else:
            kept.append(block)
    return doc.with_(blocks=tuple(kept), furniture=tuple(facts))


def _ends_open(text: str) -> bool:
    text = re.sub(r"(<sup>\s*\d+\s*</sup>\s*)+$", "", text.rstrip())  # a note mark ends nothing
    last = text.rstrip()[-1:] if text.strip() else "."
    return last not in TERMINAL and not text.rstrip().endswith("**")


def rejoin_page_break_splits(doc: Document) -> Document:
    """Rejoin a paragraph that a page break cut in two.

    A block that ends without closing punctuation (e.g. "...strategy of
    military deterrence," or "...a way out of the crisis") followed by a block
    that starts with a lower-case letter ("containment, pressure, ...",
    "by emphasizing ...") is one paragraph: join them with one space.
    """
    out: list[Block] = []
    for block in doc.blocks:
        if out and _ends_open(out[-1].text) and block.text[:1].islower():
            prev = out.pop()
            out.append(Block(prev.text.rstrip() + " " + block.text.lstrip(), prev.line))
        else:
            out.append(block)
    return doc.with_(blocks=tuple(out))


ESCAPED_IN_URL = re.compile(r"\\+([_*\[\]()#~])")
URL_SPANS = re.compile(r"(<https?://[^>]+>|\[https?://[^\]]+\]|\(https?://[^)\s]+\))")


def unescape_url_escapes(doc: Document) -> Document:
    """Undo Markdown escapes inside URLs of the endnotes (``\\_`` -> ``_``).

    The extraction wrote ``...d0ca7007273f\\\\_story.html`` in the link text of
    the Washington Post URL; a URL never holds a backslash before ``_``.
    """

    def fix(text: str) -> str:
        return URL_SPANS.sub(lambda m: ESCAPED_IN_URL.sub(r"\1", m[0]), text)

    notes = tuple(Endnote(n.number, fix(n.text), n.line, n.key) for n in doc.endnotes)
    return doc.with_(endnotes=notes)


RULES: tuple[tuple[str, Callable[[Document], Document]], ...] = (
    ("drop_page_furniture", drop_page_furniture),
    ("rejoin_page_break_splits", rejoin_page_break_splits),
    ("unescape_url_escapes", unescape_url_escapes),
)


def apply_all(doc: Document) -> Document:
    for _, rule in RULES:
        doc = rule(doc)
    return doc
