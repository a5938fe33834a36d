"""The one seam around mkdocs-bibtex (archived upstream): fixes of its output.

mkdocs-bibtex pastes pandoc's Markdown for each reference into a footnote.
Pandoc's writer escapes ``_`` inside autolinks (``<https://...\\_story.html>``)
and Python-Markdown keeps that backslash in the link text, so a reader would
see a URL that is not the link's target. :func:`fix_footnote_links` rewrites
such link texts to their href. Tests: ``tests/test_bibtex_seam.py`` and the
build tests that read the footnotes of the real site.

Two setup costs of mkdocs-bibtex that grow with the library are cut here too,
neither changing a byte it produces: :func:`speed_up_pybtex` (pybtex's plugin
look-up, once per .bib file) and, in :func:`prewarm`, the BibTeX text of all
entries that its pandoc run reads (both kept in the one cache, :mod:`policy_reader.cache`).
Its footnotes' run, which also formats the bibliography page, formats for a note style the
bibliography's entries alone, in batches (:func:`_entries_only_run`): the notes it would also
write are never read, and a run holds a batch of entries, not the library.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from pathlib import Path

from policy_reader import cache
from policy_reader.site.citations import parsed
# pybtex's parse as JSON: one code for the cache's entries and the converter's records.
from policy_reader.site.citations.parsed import from_json as bib_data_from_json, to_json as bib_data_to_json

LINK = re.compile(r'<a href="(?P<href>[^"]+)">(?P<text>[^<]+)</a>')


def fix_footnote_links(page_html: str) -> str:
    def sub(m: re.Match) -> str:
        text = m["text"]
        unescaped = re.sub(r"\\([_*\[\]()#~])", r"\1", html.unescape(text))
        if "\\" in html.unescape(text) and unescaped == html.unescape(m["href"]):
            return f'<a href="{m["href"]}">{html.escape(unescaped, quote=False)}</a>'
        return m[0]

    return _clean_footnotes(LINK.sub(sub, page_html))


FOOTNOTES = re.compile(r'<div class="footnote">.*?</div>', re.S)
TEXT = re.compile(r"(?<=>)[^<]+|^[^<]+")
#: Pandoc's Markdown that Python-Markdown prints literally: bracketed spans with a class
#: (``[Ship-to-Ship]{.nocase}``) and backslash escapes of characters it does not escape.
SPAN = re.compile(r"\[([^\[\]]*)\]\{\.[A-Za-z-]+\}")
ESCAPE = re.compile(r"\\(?=[$^~|@\"'<>=]|&amp;|&lt;|&gt;|&quot;|&#x27;)")


def _clean_footnotes(page_html: str) -> str:
    """No pandoc markup in a footnote's text (the tags around it are left alone)."""

    def clean_text(m: re.Match) -> str:
        return ESCAPE.sub("", SPAN.sub(r"\1", m[0]))

    return FOOTNOTES.sub(lambda m: TEXT.sub(clean_text, m[0]), page_html)


def prewarm(config, pages_markdown: list[str], shared=None) -> int:
    """Format every citation of every paper in one pandoc run.

    mkdocs-bibtex formats the new keys of each page as it meets the page: one
    pandoc process per paper with notes. Handing it all the pages' citation
    blocks first fills its cache in a single run, so the page events find
    everything formatted. Returns the number of citation blocks (0 when the
    bibtex plugin is absent or has no pandoc registry).

    ``shared`` (a :class:`.citeproc.SharedReferences`): that run also formats the
    bibliography page's entries (:func:`share_footnote_run`), and the library's CSL
    JSON is made beside it (the plugin calls this through ``shared.run``).
    """
    csl_json_job = None
    try:
        plugin = config.plugins.get("bibtex")
        registry = getattr(plugin, "registry", None)
        if registry is None:
            return 0
        from mkdocs_bibtex.citation import CitationBlock

        blocks = []
        seen = set()
        for markdown in pages_markdown:
            for block in CitationBlock.from_markdown(markdown):
                if str(block) not in seen:
                    seen.add(str(block))
                    blocks.append(block)
        library = use_library_bibtex(config, registry)
        if shared is not None:
            _load_records(config)  # the converter's records of the works (site/citations/records.py)
        if shared is not None and library is not None:
            csl_json_job = _start_csl_json(library)
        if blocks:
            _remember_bibtex(registry)
            # A note style's footnotes read only the bibliography's entries (mkdocs-bibtex's
            # inline_text reads its notes for author-date styles only): see _entries_only_run.
            with _footnote_run_shared_with(shared, notes_unread=getattr(registry, "_is_inline", True) is False):
                registry.validate_citation_blocks(blocks)
        return len(blocks)
    finally:
        if csl_json_job is not None:
            csl_json_job.join()
        from policy_reader.site.citations import records

        records.clear_works()  # both runs done: the records are let go (none is held past this build)


def _load_records(config) -> None:
    from policy_reader.site.citations import records

    plugin = config.plugins.get("bibtex")
    bib_dir = getattr(getattr(plugin, "config", None), "bib_dir", None)
    csl = getattr(getattr(plugin, "config", None), "csl_file", None)
    if bib_dir and csl:
        records.load_works(Path(config.config_file_path).parent / bib_dir, csl)


def _start_csl_json(library: str):
    """The library's CSL JSON (bib/library.json; ``citeproc.csl_json``, which keeps it) made in
    a thread beside the footnotes' run, so the bibliography page finds it made. An error is
    left for the page's own call to raise, in its place."""
    import threading

    from policy_reader.site.citations.citeproc import csl_json

    def run():
        try:
            csl_json(library)
        except Exception:  # raised again by the bibliography page's call
            pass

    job = threading.Thread(target=run, name="policy-reader library CSL JSON")
    job.start()
    return job


#: The run of :func:`prewarm` that also formats the bibliography page's entries (one at a time).
_SHARING: dict = {}
_FOOTNOTE_HEAD = "\n---\nlink-citations: false\n---\n"


class _footnote_run_shared_with:
    """``notes_unread``: mkdocs-bibtex reads only the References of the run's output (a note
    style: its ``_is_inline`` is False), so the run may format the entries alone."""

    def __init__(self, shared, notes_unread: bool = False):
        self.shared = shared
        self.notes_unread = notes_unread

    def __enter__(self):
        if self.shared is not None:
            share_footnote_run()
            _SHARING["to"] = self.shared
            _SHARING["notes_unread"] = self.notes_unread

    def __exit__(self, *exc):
        _SHARING.pop("to", None)
        _SHARING.pop("notes_unread", None)


def share_footnote_run() -> None:
    """Let mkdocs-bibtex's footnote run format the bibliography page's entries too (idempotent).

    mkdocs-bibtex calls ``pypandoc.convert_text`` of its module ``mkdocs_bibtex.registry``;
    that name is pointed at :class:`_SharingPypandoc`, which hands every call on unchanged
    except the footnotes' run while :func:`prewarm` shares it (see :func:`_shared_run`).
    """
    import mkdocs_bibtex.registry as registry_module

    if not isinstance(registry_module.pypandoc, _SharingPypandoc):
        registry_module.pypandoc = _SharingPypandoc(registry_module.pypandoc)


class _SharingPypandoc:
    """pypandoc as mkdocs-bibtex's registry module sees it."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name)

    def convert_text(self, source, to, format=None, extra_args=(), **kwargs):
        shared = _SHARING.get("to")
        if shared is not None and not kwargs:
            out = _shared_run(shared, source, to, format, list(extra_args or ()), _SHARING.get("notes_unread", False))
            if out is not None:
                return out
        return self._module.convert_text(source, to, format=format, extra_args=extra_args, **kwargs)


def _shared_run(shared, source, to, format, args, notes_unread=False) -> str | None:
    """The footnotes' run, citing every work and writing the bibliography as HTML too
    (:data:`.citeproc.SHARED_WRITER`); returns what mkdocs-bibtex asked for plus the entries of
    the works it did not cite (it reads only its citations' entries), or None: not this run,
    or a style whose entries depend on each other (then nothing changes).

    ``notes_unread`` (mkdocs-bibtex reads only the References: a note style), and entries
    that stand apart in the BibTeX too (:func:`.citeproc.entry_batches`): :func:`_entries_only_run`."""
    import pypandoc

    from policy_reader.site.citations.citeproc import SHARED_SEPARATOR, entries_stand_alone, entry_batches, shared_writer

    if not (to == "markdown-citations" and format == "markdown" and len(args) == 5
            and args[0] == "--citeproc" and args[1] == "--bibliography" and args[3] == "--csl"
            and isinstance(source, str) and source.startswith(_FOOTNOTE_HEAD)
            and entries_stand_alone(args[4])):
        return None
    try:
        bibtex = Path(args[2]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if notes_unread:
        batches = entry_batches(bibtex)
        if batches is not None:
            return _entries_only_run(shared, bibtex, args, batches)
    doc = source.replace(_FOOTNOTE_HEAD, "\n---\nlink-citations: false\nnocite: '@*'\n---\n", 1)
    out = pypandoc.convert_text(doc, to=str(shared_writer()), format="markdown", extra_args=args, verify_format=False)
    markdown, sep, html_refs = out.partition(SHARED_SEPARATOR)
    if not sep:
        return None
    shared.put(bibtex, args[4], html_refs)
    return markdown


#: The References heading mkdocs-bibtex splits pandoc's output at (``markdown.split("# References")``).
_REFERENCES = "# References"
#: An entries-only run's document: every work of its .bib, no citation.
_ENTRIES_DOC = "\n---\nlink-citations: false\nnocite: '@*'\n---\n\n" + _REFERENCES + "\n\n"
def _entries_only_run(shared, bibtex: str, args: list[str], batches: list[str]) -> str:
    """The footnotes' run for a style whose notes mkdocs-bibtex does not read and whose entries
    stand alone: citeproc formats the bibliography only (no notes: the paragraphs' citations
    are left out), one pandoc run per batch of entries with only that batch's entries in its
    .bib (so a run holds a batch, not the library: the build's peak memory). Each entry is what
    one run of the whole library gives (entries that stand alone; tests/test_shared_citeproc.py).
    Returns a Markdown document whose References mkdocs-bibtex reads as that one run's, and puts
    the entries as HTML into ``shared``."""
    import tempfile

    import pypandoc

    from policy_reader.site.citations.citeproc import SHARED_SEPARATOR, shared_writer

    from policy_reader.site.citations import records

    references: list[str] = []
    html_refs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="policy-reader-entries-") as tmp:
        for i, batch in enumerate(batches):
            recorded = records.batch_output(batch)  # every entry recorded by the converter
            if recorded is not None:
                references.append(recorded[0])
                html_refs.append(recorded[1])
                continue
            bib = Path(tmp) / f"batch-{i}.bib"
            bib.write_text(batch, encoding="utf-8")
            run_args = [args[0], args[1], str(bib), *args[3:]]
            out = pypandoc.convert_text(_ENTRIES_DOC, to=str(shared_writer()), format="markdown",
                                        extra_args=run_args, verify_format=False)
            markdown, sep, html_part = out.partition(SHARED_SEPARATOR)
            head, found, refs = markdown.partition(_REFERENCES)
            if not sep or not found or _REFERENCES in refs or head.strip():
                raise ValueError(f"pandoc's output for the bibliography's entries is not as expected ({out[:200]!r})")
            references.append(refs)
            html_refs.append(html_part)
    shared.put(bibtex, args[4], "".join(html_refs))
    return _REFERENCES + "".join(references)


def release(config) -> None:
    """Let go of mkdocs-bibtex's library once every page has its footnotes (the plugin's ``on_env``).

    mkdocs-bibtex reads its registry (pybtex's parse of every .bib file, about 29 MiB at 1,000
    papers, and the formatted references) only in ``on_config`` and ``on_page_markdown``, but keeps
    it to the end of the build, which is when the build's Python process is largest (the search
    shards). Dropping it there, and the bibliography's formatted entries and CSL JSON that
    :mod:`.citeproc` keeps for the process, lowers that peak. ``last_configured`` is reset with it,
    so a rebuild under ``mkdocs serve`` makes its registry again (from the ``bibparse`` cache) as a
    first build does, instead of keeping the one it made before.
    """
    from policy_reader.site.citations import citeproc

    from policy_reader.site.citations import records

    citeproc.format_references.cache_clear()
    citeproc.csl_json.cache_clear()
    records.clear_works()
    plugin = config.plugins.get("bibtex")
    if plugin is not None and getattr(plugin, "registry", None) is not None and hasattr(plugin, "last_configured"):
        plugin.registry = None
        plugin.last_configured = None


def use_library_bibtex(config, registry) -> str | None:
    """Give mkdocs-bibtex's pandoc run the library's own BibTeX (site/citations/bibliography.py).

    mkdocs-bibtex writes its entries back to BibTeX with pybtex for pandoc, and pybtex's
    writer LaTeX-encodes values that already are BibTeX: ``AT\\&T`` becomes ``AT\\\\&T``
    (a line break before "&T") and ``50\\%`` becomes ``50\\\\%`` (a comment: the rest of
    the title is lost). The same entries as the converter wrote them, each work once
    (chosen by content, not by file order), avoid both. Sets the cached property, so
    nothing else of mkdocs-bibtex changes. Returns the library's BibTeX as written
    (``bibliography.library_bib``), or None when it was left as it was.
    """
    from policy_reader.site.citations.bibliography import library_bib, library_entries
    from policy_reader.site.citations.citeproc import for_pandoc

    plugin = config.plugins.get("bibtex")
    bib_dir = getattr(getattr(plugin, "config", None), "bib_dir", None)
    if not bib_dir or "bib_data_bibtex" in vars(registry):
        return None
    folder = Path(config.config_file_path).parent / bib_dir
    try:
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.bib"))]
    except (OSError, UnicodeDecodeError):
        return None  # left to mkdocs-bibtex, which reports it
    library = library_bib(library_entries(texts))
    vars(registry)["bib_data_bibtex"] = for_pandoc(library)
    return library


def speed_up_pybtex() -> None:
    """Memoise pybtex's entry-point look-ups for the process (idempotent).

    mkdocs-bibtex parses each .bib file with ``pybtex.database.parse_file``,
    which finds its parser with ``pybtex.plugin.find_plugin``; that calls
    ``importlib.metadata.entry_points(group=..., name=...)``, which reads the
    metadata of every installed distribution, on every call: a few ms per .bib
    file, seconds for a library of 1,000 papers. The answer depends only on the
    installed packages, which a build does not change, so it is kept per
    selection. Plugins registered at run time (``pybtex.plugin.register_plugin``)
    are still looked up first by pybtex, as before; the classes returned are
    the same objects. Must run before mkdocs-bibtex's ``on_config`` (see the
    plugin's ``_on_config_first``).
    """
    try:
        import pybtex.plugin as pybtex_plugin
    except ImportError:  # pragma: no cover - mkdocs-bibtex requires pybtex
        return
    original = getattr(pybtex_plugin, "entry_points", None)
    if original is None or getattr(original, "policy_reader_memo", False):
        return
    found: dict = {}

    def entry_points(**params):
        if not params:  # everything (not what pybtex asks for): not kept
            return original()
        key = tuple(sorted(params.items()))
        if key not in found:
            found[key] = original(**params)  # an immutable EntryPoints tuple
        return found[key]

    entry_points.policy_reader_memo = True
    pybtex_plugin.entry_points = entry_points


@functools.lru_cache(maxsize=None)
def _pybtex_version() -> str:
    """pybtex's version (importlib.metadata reads every installed distribution: ms a call)."""
    from importlib.metadata import version

    return version("pybtex")


def cache_bib_parsing() -> None:
    """Keep pybtex's parse of each .bib file in the ``bibparse`` namespace of the one cache (idempotent).

    mkdocs-bibtex parses every file of ``bib_dir`` with ``pybtex.database.parse_file``
    in its ``on_config``, in pure Python: half a second for 1,000 papers, on every
    build. A .bib whose converter's record is valid is rebuilt from it
    (:mod:`.parsed`, ``bib/parsed/<slug>.json``: a cold build parses nothing the
    converter wrote); any other file goes through the cache. The parse is a
    function of the file's bytes and of pybtex's version, so it is stored as JSON (:func:`bib_data_to_json`, nothing is unpickled) under a
    key of both, and rebuilt from there on the next build. A file that cannot be
    read is left to pybtex; a parse in pybtex's non-strict mode (errors printed, not
    raised) is not kept, so its messages come back on every build.
    tests/test_bibtex_seam.py checks that a stored parse writes the same BibTeX.
    """
    import mkdocs_bibtex.registry as registry_module

    original = registry_module.parse_file
    if getattr(original, "policy_reader_memo", False):
        return

    def parse_file(path, *args, **kwargs):
        if args or kwargs:
            return original(path, *args, **kwargs)
        import pybtex.errors

        try:
            data = Path(path).read_bytes()
        except OSError:
            return original(path)
        recorded = parsed.read(Path(path), data)  # the converter's record (site/citations/parsed.py)
        if recorded is not None:
            return recorded
        store = cache.store("bibparse")
        if not store.enabled:
            return original(path)
        key = store.key(_pybtex_version(), data)
        found = store.get(key, bib_data_from_json)
        if found is not None:
            return found
        found = original(path)
        if pybtex.errors.strict:
            try:
                store.put(key, bib_data_to_json(found))
            except (TypeError, ValueError):  # a value the JSON cannot hold: not kept
                pass
        return found

    parse_file.policy_reader_memo = True
    registry_module.parse_file = parse_file


def bibtex_key(bib_data) -> str:
    """A hash of everything pybtex's BibTeX writer reads from ``bib_data``.

    ``BibliographyData.to_string("bibtex")`` writes the preamble, then per
    entry its key, ``original_type``, each role's persons (five name parts as
    text) and each field, in order, LaTeX-encoded in pybtex's default encoding.
    The text is a function of these and of the versions of pybtex and
    latexcodec (its encoder), which are hashed with them.
    """
    from importlib.metadata import version

    import pybtex.io

    parts = ("first", "middle", "prelast", "last", "lineage")
    doc = [
        version("pybtex"), version("latexcodec"), pybtex.io.get_default_encoding(), bib_data.preamble,
        [
            [
                key, entry.original_type,
                [[role, [[p.get_part_as_text(t) for t in parts] for p in persons]] for role, persons in entry.persons.items()],
                [[name, value] for name, value in entry.fields.items()],
            ]
            for key, entry in bib_data.entries.items()
        ],
    ]
    # json.dumps raises TypeError on anything but plain text, lists and numbers.
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False).encode("utf-8")).hexdigest()


def _remember_bibtex(registry) -> None:
    """Hand mkdocs-bibtex the BibTeX text of all its entries from the previous build.

    Its pandoc registry writes ``bib_data_bibtex`` (``bib_data.to_string("bibtex")``,
    a cached property) to a temporary .bib file for every pandoc run, and our
    pandoc cache reads that file, so the text is computed even when the cache
    answers: over a second for 1,000 papers, mostly LaTeX-encoding every field
    character by character. The text is kept (exactly, as a JSON string) in the
    ``bibtex`` namespace of the one cache under :func:`bibtex_key` and set as the
    property's value; a miss computes it with mkdocs-bibtex's own property and
    stores it.
    """
    store = cache.store("bibtex")
    prop = getattr(type(registry), "bib_data_bibtex", None)
    if not store.enabled or not isinstance(prop, functools.cached_property) or "bib_data_bibtex" in vars(registry):
        return
    try:
        key = store.key(bibtex_key(registry.bib_data))
    except (TypeError, ValueError, AttributeError):  # data the key cannot cover: as usual
        return

    def text(value) -> str:
        if not isinstance(value, str):
            raise TypeError("the BibTeX text is text")
        return value

    known = store.get(key, text)
    if known is not None:
        vars(registry)["bib_data_bibtex"] = known
        return
    store.put(key, registry.bib_data_bibtex)  # computed and kept by the property itself
