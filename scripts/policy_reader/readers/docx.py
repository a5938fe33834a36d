"""Word (.docx) and OpenDocument (.odt) files, read by pandoc (pypandoc-binary ships it).

pandoc gives the structure: headings by paragraph style, real footnotes and
endnotes (each becomes a note where its mark stands), the Title, Subtitle,
Author and Date paragraphs as metadata. The file's own properties
(``docProps/core.xml`` / ``meta.xml``: title, creator, description) fill what
the text does not print; its creation date is when the file was saved, not
the paper's date, so it is not used. A byline/dateline paragraph under the
title ("By Jane Doe | March 3, 2020") is read as in every format.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from policy_reader.model import Document, SourceError
from policy_reader.readers.common import Read, assemble, items_from_pandoc, meta_text, read_date, run_pandoc, split_names

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}


def file_properties(path: Path, kind: str) -> dict:
    """Title, creators and description stored in the file's properties (may be empty)."""
    member = "docProps/core.xml" if kind == "docx" else "meta.xml"
    try:
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read(member))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return {}
    out = {}
    title = root.find(".//dc:title", NS)
    if title is not None and (title.text or "").strip():
        out["title"] = title.text.strip()
    creators = [e.text.strip() for e in root.iter() if e.tag in (f"{{{NS['dc']}}}creator", f"{{{NS['meta']}}}initial-creator") and (e.text or "").strip()]
    if creators:
        out["authors"] = [n for n in re.split(r"\s*;\s*", creators[0]) if n]
    desc = root.find(".//dc:description", NS)
    if desc is not None and (desc.text or "").strip():
        out["summary"] = " ".join(desc.text.split())
    return out


def read(path: Path, label: str) -> Document:
    kind = path.suffix.lower().lstrip(".")
    what = "Word file" if kind == "docx" else "OpenDocument file"
    tree = run_pandoc(path.read_bytes(), kind, label, what)
    meta: dict = {}
    for name in ("title", "subtitle"):
        value = meta_text(tree.get("meta", {}).get(name))
        if isinstance(value, str) and value.strip():
            meta[name] = value.strip()
    authors = meta_text(tree.get("meta", {}).get("author"))
    if authors:
        meta["authors"] = [a for name in ([authors] if isinstance(authors, str) else authors) for a in split_names(name)]
    printed_date = meta_text(tree.get("meta", {}).get("date"))
    if isinstance(printed_date, str) and read_date(printed_date):
        meta["date"] = read_date(printed_date)
    props = file_properties(path, kind)
    for name, value in props.items():
        meta.setdefault(name, value)
    r = items_from_pandoc(tree, Read(label, meta))
    if not r.items and not meta.get("title"):
        raise SourceError(label, 0, f"the {what} holds no text; save the paper's text in it (a scanned image cannot be read)")
    return assemble(r)
