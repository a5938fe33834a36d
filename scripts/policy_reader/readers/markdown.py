"""A paper written natively in Markdown: YAML front matter, then the text.

```markdown
---
title: The paper's title
subtitle: An optional dek
authors: [Jane Doe, John Roe]     # or author: Jane Doe
date: 2020-03-03                  # or "March 3, 2020", "March 2020", "2020"
publisher: Example Institute       # any sidecar field may stand here (the sidecar wins)
---

Paragraphs, `##` section headings, footnotes[^1].

[^1]: Author, "Title," Outlet, March 1, 2020, <https://example.org/a>.
```

pandoc (``markdown-smart``: quotes stay as typed) reads the body, so footnotes
are real notes; the front matter is read as YAML text, like the sidecar.
"""

from __future__ import annotations

import re
from pathlib import Path

from policy_reader.model import Document, SourceError
from policy_reader.page.schema import load_yaml_mapping
from policy_reader.readers.common import Read, assemble, items_from_pandoc, read_date, run_pandoc, split_names

FRONT = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*\n", re.S)


def split_front_matter(text: str, label: str) -> tuple[dict, dict, str, int]:
    """(fields, their lines, body, the body's first line) of a Markdown source."""
    m = FRONT.match(text)
    if not m:
        return {}, {}, text, 1
    data, lines = load_yaml_mapping(m["yaml"], label)
    offset = 1  # the opening ---
    return data, {k: v + offset for k, v in lines.items()}, text[m.end():], m["yaml"].count("\n") + 3


def read(path: Path, label: str) -> Document:
    return read_full(path, label)[0]


def read_full(path: Path, label: str, text: str | None = None) -> tuple[Document, dict, dict]:
    """(document, the other front matter fields, their lines): those fields are
    sidecar fields (publisher, kind, summary...); a sidecar beside the file wins."""
    from policy_reader.readers import read_utf8

    text = read_utf8(path, label) if text is None else text
    data, lines, body, first_line = split_front_matter(text.replace("\r\n", "\n"), label)
    if not body.strip():
        raise SourceError(label, first_line, "no text after the front matter; write the paper's paragraphs below it")
    meta: dict = {}
    for name in ("title", "subtitle", "publisher", "url", "summary"):
        if isinstance(data.get(name), str) and data[name].strip():
            meta[name] = data[name].strip()
    names = data.get("authors", data.get("author"))
    if isinstance(names, str):
        names = split_names(names)
    if isinstance(names, list):
        meta["authors"] = [str(n).strip() for n in names if str(n).strip()]
    if data.get("date"):
        iso = read_date(str(data["date"]))
        if not iso:
            raise SourceError(label, lines.get("date", 0), f"front matter date '{data['date']}' is not a date; write it as YYYY-MM-DD")
        meta["date"] = iso
    if lines.get("title"):
        meta["title_line"] = lines["title"]
    read_ = Read(label, meta)
    # Blank lines keep pandoc's view of the body aligned with the file's lines.
    tree = run_pandoc(("\n" * (first_line - 1) + body).encode("utf-8"), "markdown-smart", label, "Markdown file")
    items_from_pandoc(tree, read_, source_text=text)
    extra = {k: v for k, v in data.items() if k not in ("title", "subtitle", "authors", "author", "date")}
    return assemble(read_), extra, lines
