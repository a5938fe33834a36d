"""Readers: ``sources/<name>.<ext>`` -> the one document model, one module per format.

The format is chosen by the file's extension AND checked against its content
(:func:`sniff`): a ``.docx`` that is really a PDF, or a ``.html`` holding no
markup, is refused with one line saying what it is and what to do. Every reader
is pure (file in, :class:`~policy_reader.model.Document` out, nothing written).

=========  =====================================================  =====================
extension  reader                                                 library
=========  =====================================================  =====================
.txt       :mod:`.text` (two shapes) + :mod:`.repair` rules         -
.md        :mod:`.markdown` (YAML front matter + Markdown)          pandoc
.html .htm :mod:`.html` (article body + page metadata)              trafilatura, lxml
.docx .odt :mod:`.docx` (styles, real footnotes, properties)        pandoc
.pdf       :mod:`.pdf` (written separately; imported when used)     -
=========  =====================================================  =====================
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from policy_reader.model import Document, SourceError

#: extension -> (reader module, content kind the file must hold)
READERS = {
    ".txt": ("text", "text"),
    ".md": ("markdown", "text"),
    ".markdown": ("markdown", "text"),
    ".html": ("html", "html"),
    ".htm": ("html", "html"),
    ".docx": ("docx", "docx"),
    ".odt": ("docx", "odt"),
    ".pdf": ("pdf", "pdf"),
}
EXTENSIONS = tuple(READERS)

KIND_NAMES = {
    "text": "plain text",
    "html": "a web page (HTML)",
    "docx": "a Word document (.docx)",
    "odt": "an OpenDocument text (.odt)",
    "pdf": "a PDF",
    "doc": "an old Word document (.doc)",
    "zip": "a ZIP archive",
    "binary": "binary data",
    "empty": "empty",
}
KIND_EXT = {"text": ".txt", "html": ".html", "docx": ".docx", "odt": ".odt", "pdf": ".pdf"}

HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
HTML_TAGS = re.compile(r"<(?:html|head|body|article|main|div|p|h1|title)\b[^>]*>", re.I)


def sniff(path: Path) -> str:
    """What the file holds, from its bytes: text, html, docx, odt, pdf, doc, zip, binary, empty."""
    try:
        data = path.read_bytes()
    except OSError:
        return "binary"
    if not data.strip():
        return "empty"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and z.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "odt"
        except (zipfile.BadZipFile, OSError):
            return "binary"
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    head = data[:65536]
    if b"\x00" in head:
        return "binary"
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    if HTML_START.match(text) or len(HTML_TAGS.findall(text)) >= 3 and text.lstrip().startswith("<"):
        return "html"
    return "text"


def check_kind(path: Path, label: str) -> str:
    """The reader module for ``path``; a SourceError when its content is not what its extension says."""
    ext = path.suffix.lower()
    if ext not in READERS:
        raise SourceError(label, 0, f"unknown kind of source; use one of {', '.join(EXTENSIONS)}")
    module, expected = READERS[ext]
    actual = sniff(path)
    if actual == "empty":
        raise SourceError(label, 0, "the file is empty; put the paper's text in it")
    if actual != expected:
        fix = f"rename it to {path.stem}{KIND_EXT[actual]}" if actual in KIND_EXT else f"save it again as {KIND_NAMES[expected]}"
        raise SourceError(label, 0, f"the file's extension says {KIND_NAMES[expected]} but it holds {KIND_NAMES[actual]}; {fix}")
    return module


def read_utf8(path: Path, label: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise SourceError(label, line, "not valid UTF-8; save the file as UTF-8 text") from None
    except OSError as exc:
        raise SourceError(label, 0, f"cannot read the file ({exc.strerror})") from None


def read(path: Path, label: str, takeaways: int | None = None) -> tuple[Document, dict, dict]:
    """``(document, sidecar fields the source itself carries, their lines)``.

    Only a Markdown source carries sidecar fields (in its front matter); a
    ``.txt`` source is cut by :mod:`.text`, repaired by :mod:`.repair` and
    structured (``takeaways``: how many KEY TAKEAWAYS items it prints).
    """
    module = check_kind(path, label)
    if module == "text":
        from policy_reader.readers import repair, text

        doc = text.parse(read_utf8(path, label), label, takeaway_count=takeaways)
        return text.structure(repair.apply_all(doc)), {}, {}
    if module == "markdown":
        from policy_reader.readers import markdown

        return markdown.read_full(path, label)
    # Imported by name (lazily: a format's libraries load only when a source needs them);
    # written out so that the converter's code digest (convert/incremental.py) follows them.
    if module == "html":
        from policy_reader.readers import html as reader
    elif module == "docx":
        from policy_reader.readers import docx as reader
    else:
        try:
            from policy_reader.readers import pdf as reader
        except ModuleNotFoundError as exc:
            if exc.name != "policy_reader.readers.pdf":
                raise
            raise SourceError(label, 0, "this converter has no PDF reader yet; save the paper as .docx, .html, .md or .txt") from None
    return reader.read(path, label), {}, {}
