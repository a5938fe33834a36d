"""Format BibTeX entries with a CSL style through pandoc's citeproc.

One call formats many entries at once (pandoc starts once per style). The
result maps each key to its reference as an HTML fragment and as plain text.
The pandoc binary is the one pypandoc-binary ships; styles are local files
(our own ``bib/policy-reader-notes.csl`` or the CSL styles Debian's
``citation-style-language-styles`` installs under :data:`DEBIAN_STYLES`).
Nothing is fetched.
"""

from __future__ import annotations

import functools
import hashlib
import json
import html as _html
import re
import tempfile
import threading
from pathlib import Path

import pypandoc

DEBIAN_STYLES = Path("/usr/share/citation-style-language/styles")

_ENTRY = re.compile(r'<div id="ref-(?P<key>[^"]+)"[^>]*class="csl-entry"[^>]*>\s*(?P<body>.*?)\s*</div>', re.S)
_ENTRY_ALT = re.compile(r'<div[^>]*class="csl-entry"[^>]*id="ref-(?P<key>[^"]+)"[^>]*>\s*(?P<body>.*?)\s*</div>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPANS = re.compile(r"</?span[^>]*>")


class CiteprocError(RuntimeError):
    pass


def style_path(name: str) -> Path:
    """A Debian-installed CSL style by name (``apa``, ``chicago-note-bibliography``...)."""
    path = DEBIAN_STYLES / f"{name}.csl"
    if not path.exists():
        raise CiteprocError(
            f"{path}: CSL style not installed; run `make deps` (installs Debian's citation-style-language-styles)"
        )
    return path


#: What the style manuals ask and Debian's styles do otherwise, as edits of the installed
#: style (applied at build time; nothing of the styles is copied into the project):
#: (style, what to find, what to put instead, how many times it must be found).
STYLE_EDITS = {
    "chicago-note-bibliography": (
        # CMOS 17 14.220: a report's title is italic, like a book's (notes and short notes)
        ('<else-if type="book graphic motion_picture song" match="any">',
         '<else-if type="book graphic motion_picture report song" match="any">', 2),
        # ... followed by its series and number: "Issue Brief No. 5022"
        ('<else>\n          <text variable="genre"/>\n        </else>',
         '<else>\n          <group delimiter=" "><text variable="genre"/><choose><if type="report">'
         '<text variable="number" prefix="No. "/></if></choose></group>\n        </else>', 1),
        ('<else>\n          <text variable="genre" text-case="capitalize-first"/>\n        </else>',
         '<else>\n          <group delimiter=" "><text variable="genre" text-case="capitalize-first"/><choose><if type="report">'
         '<text variable="number" prefix="No. "/></if></choose></group>\n        </else>', 1),
    ),
    "modern-language-association": (
        # MLA 9 (5.120): a paragraph pinpoint is "par." (plural "pars.")
        ("</info>",
         '</info>\n  <locale xml:lang="en"><terms><term name="paragraph" form="short">'
         "<single>par.</single><multiple>pars.</multiple></term></terms></locale>", 1),
    ),
}
_DERIVED = None


def cite_style(name: str) -> Path:
    """The style to format with: Debian's ``name`` with :data:`STYLE_EDITS` applied
    (written once per process to a temporary folder removed at exit)."""
    global _DERIVED
    path = style_path(name)
    edits = STYLE_EDITS.get(name)
    if not edits:
        return path
    text = path.read_text(encoding="utf-8")
    for old, new, count in edits:
        if text.count(old) != count:
            raise CiteprocError(f"{path}: the installed style is not the one policy-reader edits ({old[:40]!r}); "
                                "update STYLE_EDITS in site/citations/citeproc.py")
        text = text.replace(old, new)
    if _DERIVED is None:
        _DERIVED = tempfile.TemporaryDirectory(prefix="policy-reader-csl-")
    out = Path(_DERIVED.name) / f"{name}.csl"
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def for_pandoc(bibtex: str) -> str:
    """BibTeX as pandoc reads it: a brace with no partner is written for BibTeX (which
    counts braces even after a backslash) as ``{\\textbraceleft}`` / ``{\\textbraceright}``
    (policy_reader.convert.bib), commands pandoc drops; pandoc honours ``\\{`` and ``\\}``."""
    return bibtex.replace("{\\textbraceleft}", "\\{").replace("{\\textbraceright}", "\\}")


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, white space collapsed."""
    return " ".join(_html.unescape(_TAGS.sub("", fragment)).split())


def parse_references(pandoc_html: str) -> dict[str, tuple[str, str]]:
    """The bibliography entries of pandoc's HTML output -> ``{key: (html, text)}``.

    Pandoc's spans (case protection, CSL display classes) are dropped, so the
    HTML holds only the formatting a reader sees (emphasis, links).
    """
    found: dict[str, tuple[str, str]] = {}
    for pattern in (_ENTRY, _ENTRY_ALT):
        for m in pattern.finditer(pandoc_html):
            body = _SPANS.sub("", m["body"].strip())
            found[m["key"]] = (body, plain_text(body))
    return found


def _bibtex_keys(bibtex: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,\s]+),", bibtex, re.M)


@functools.lru_cache(maxsize=64)
def format_references(bibtex: str, csl: str) -> dict[str, tuple[str, str]]:
    """Every entry of ``bibtex`` in style ``csl`` -> ``{key: (html, text)}``.

    ``bibtex`` is the text of one or more BibTeX/BibLaTeX entries; ``csl`` is a
    path to a ``.csl`` file. Raises :class:`CiteprocError` if an entry is missing
    from pandoc's output. While a :func:`sharing` block is open, the entries the
    footnotes' run formatted are taken from there (waiting for that run) when
    they are of the same BibTeX and style; otherwise pandoc runs here.
    """
    keys = _bibtex_keys(bibtex)
    shared = _SHARED
    if shared is not None:
        found = shared.get(for_pandoc(bibtex), csl)
        if found is not None and all(k in found for k in keys):
            return found
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "refs.bib"
        bib.write_text(for_pandoc(bibtex), encoding="utf-8")
        doc = "---\nnocite: '@*'\n---\n"
        out = pypandoc.convert_text(
            doc, to="html", format="markdown",
            extra_args=["--citeproc", "--bibliography", str(bib), "--csl", str(csl), "--wrap=none"],
        )
    found = parse_references(out)
    missing = [k for k in keys if k not in found]
    if missing:
        raise CiteprocError(f"pandoc did not format {', '.join(missing)} with {csl}")
    return found


#: Entries per batch on average (batch ends are chosen by key, see :func:`entry_batches`), and at most.
BATCH_MEAN = 1024
BATCH_MAX = 2048
#: Fields through which a BibLaTeX entry takes data from another entry: such a library is formatted whole.
_LINKED = re.compile(r"^\s*(crossref|xref|xdata|set|related|entryset)\s*=", re.M | re.I)


def entry_batches(bibtex: str) -> list[str] | None:
    """The entries of ``bibtex`` (the library as pandoc reads it) in batches of whole entries, in
    order, or None when an entry may depend on another one (a cross-reference field; ``@string``,
    ``@preamble`` or anything else that starts a line with ``@`` but is not an entry; a key twice).

    A batch ends after an entry whose key's hash is 0 modulo :data:`BATCH_MEAN` (or at
    :data:`BATCH_MAX` entries), so adding or changing a work changes only its own batch and the
    other batches' pandoc runs stay in the pandoc cache (:mod:`.pandoc_cache`). Used for the
    footnotes' run (:func:`.bibtex_seam._entries_only_run`) and :func:`csl_json`."""
    from policy_reader.site.citations.bibliography import ENTRY_START, split_entries

    entries = split_entries(bibtex)
    if not entries or _LINKED.search(bibtex) or len(re.findall(r"^@", bibtex, re.M)) != len(entries) \
            or len(ENTRY_START.findall(bibtex)) != len(entries):
        return None
    batches: list[str] = []
    batch: list[str] = []
    for key, text in entries.items():
        batch.append(text)
        end = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") % BATCH_MEAN == 0
        if end or len(batch) >= BATCH_MAX:
            batches.append("\n\n".join(batch) + "\n")
            batch = []
    if batch:
        batches.append("\n\n".join(batch) + "\n")
    return batches


@functools.lru_cache(maxsize=8)
def csl_json(bibtex: str) -> str:
    """Every entry of ``bibtex`` as CSL JSON (pandoc's reading of BibLaTeX), sorted by id,
    for reference managers (Zotero, Mendeley...) that import CSL JSON.

    Read in batches of entries (:func:`entry_batches`: entries that depend on no other), one
    pandoc run each, so no run holds the whole library (the build's peak memory); each entry
    reads the same in any batch."""
    from policy_reader.site.citations import records

    text = for_pandoc(bibtex)
    data = []
    batches = entry_batches(text)
    for batch in batches or [text]:
        recorded = records.batch_csljson(batch) if batches else None  # the converter's records
        data += recorded if recorded is not None else json.loads(
            pypandoc.convert_text(batch, to="csljson", format="biblatex", verify_format=False))
    return json.dumps(sorted(data, key=lambda item: item.get("id", "")), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# One citeproc pass for the footnotes and the bibliography page.
#
# mkdocs-bibtex formats every cited work of the library in one pandoc run (the footnotes,
# site/citations/bibtex_seam.py); the bibliography page formats every work of the same
# library with the same style. bibtex_seam asks that run to cite every work (``nocite``)
# and to write, besides the Markdown mkdocs-bibtex reads, the bibliography citeproc made
# as HTML (:data:`SHARED_WRITER`, a pandoc writer in Lua, run by pandoc itself); the page
# takes its entries from there (:func:`format_references`). Only for a style whose
# entries print the same whatever else the bibliography holds (:func:`entries_stand_alone`):
# then citing every work changes no footnote.

#: Between the Markdown and the HTML in the output of :data:`SHARED_WRITER`.
SHARED_SEPARATOR = "\n\0policy-reader: the bibliography as HTML\0\n"
#: Pandoc's document as ``markdown-citations`` (written as ``-t markdown-citations`` writes it:
#: the command line's writer options), then the separator, then the ``refs`` div as HTML
#: (``--wrap=none``, as :func:`format_references` asks).
SHARED_WRITER = r"""-- policy-reader (site/citations/citeproc.py): one citeproc pass, two outputs.
function Writer(doc, opts)
  local refs = ''
  for _, block in ipairs(doc.blocks) do
    if block.t == 'Div' and block.identifier == 'refs' then
      refs = pandoc.write(pandoc.Pandoc({block}), 'html', pandoc.WriterOptions{wrap_text = 'wrap-none'})
    end
  end
  return pandoc.write(doc, 'markdown-citations', opts) .. "\n\0policy-reader: the bibliography as HTML\0\n" .. refs
end
"""
_WRITER_FILE = None

#: CSL that makes an entry depend on the other entries of the bibliography: disambiguation
#: (names, given names, year suffixes), "———" for a repeated author, numbers.
_SET_DEPENDENT = ("disambiguate", "year-suffix", "subsequent-author-substitute", "citation-number",
                  "first-reference-note-number", "givenname-disambiguation-rule")


def shared_writer() -> Path:
    """:data:`SHARED_WRITER` as a file (written once per process to a temporary folder)."""
    global _WRITER_FILE
    if _WRITER_FILE is None:
        folder = tempfile.mkdtemp(prefix="policy-reader-writer-")
        path = Path(folder) / "footnotes-and-bibliography.lua"
        path.write_text(SHARED_WRITER, encoding="utf-8")
        _WRITER_FILE = path
    return _WRITER_FILE


def entries_stand_alone(csl: str | Path) -> bool:
    """Whether style ``csl`` prints a bibliography entry the same whatever other entries the
    bibliography holds (none of :data:`_SET_DEPENDENT` in it)."""
    try:
        text = Path(csl).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return not any(word in text for word in _SET_DEPENDENT)


def _csl_bytes(csl: str | Path) -> bytes | None:
    try:
        return Path(csl).read_bytes()
    except OSError:
        return None


class SharedReferences:
    """Bibliography entries formatted by the footnotes' run, by (BibTeX as pandoc read it,
    style file's content); :meth:`get` waits until :meth:`finish`."""

    def __init__(self):
        self._done = threading.Event()
        self._found: dict[tuple[str, bytes], dict[str, tuple[str, str]]] = {}

    def put(self, bibtex: str, csl: str | Path, pandoc_html: str) -> None:
        data = _csl_bytes(csl)
        if data is not None:
            self._found[(bibtex, data)] = parse_references(pandoc_html)

    def finish(self) -> None:
        self._done.set()

    def run(self, footnotes, *args):
        """``footnotes(*args, self)``, then :meth:`finish` whatever happens (a waiting
        :meth:`get` never outlives the run)."""
        try:
            return footnotes(*args, self)
        finally:
            self.finish()

    def get(self, bibtex: str, csl: str | Path) -> dict[str, tuple[str, str]] | None:
        self._done.wait()
        data = _csl_bytes(csl)
        return None if data is None else self._found.get((bibtex, data))


_SHARED: SharedReferences | None = None


class sharing:
    """``with sharing() as shared:`` run the footnotes as ``shared.run(prewarm, ...)``;
    :func:`format_references` looks in ``shared`` first until the block ends."""

    def __enter__(self) -> SharedReferences:
        global _SHARED
        _SHARED = SharedReferences()
        return _SHARED

    def __exit__(self, *exc) -> None:
        global _SHARED
        if _SHARED is not None:
            _SHARED.finish()
        _SHARED = None
