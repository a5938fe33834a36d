"""Each paper's Markdown read from disk once while the plugin's ``on_files`` runs, not once per reader.

MkDocs' ``File.content_string`` opens and decodes the file on every call. During
``on_files`` the library index, the permalink registry check, the citations'
warm-up, the bibliography, the timeline and the topic pages each read every paper
(nine reads of each paper at 300 papers). :func:`pin` keeps each paper's text on its
``File`` (MkDocs' own ``_content``, which ``content_string`` returns when set; the file
keeps its ``abs_src_path``) and :func:`unpin` drops it again when ``on_files`` is done,
so the build holds no more text than before while the pages render. MkDocs reads the
page again when it renders it, as always. tests/test_source_texts.py checks that the
files read during ``on_files`` are the ones on disk and that nothing stays held.
"""

from __future__ import annotations


def pin(files, papers_dir: str) -> list:
    """Read every page under ``papers_dir`` once and keep its text on its File until :func:`unpin`."""
    prefix = papers_dir.strip("/") + "/"
    pinned = []
    for f in files.documentation_pages():
        if f.src_uri.startswith(prefix) and f._content is None and f.abs_src_path is not None:
            f._content = f.content_string
            pinned.append(f)
    return pinned


def unpin(pinned: list) -> None:
    for f in pinned:
        f._content = None  # content_string reads the file again (abs_src_path is unchanged)
    pinned.clear()
