"""A small project whose every user-controlled field holds hostile text (importable by tests).

:func:`write_hostile_project` adds, to a copy of the project, one paper whose
title, authors, summary, publisher, section heading, paragraphs and endnote
parts, a glossary entry, a topic in the vocabulary and a timeline event are
built from the pieces given; :func:`serve` serves a built site on 127.0.0.1.
Every piece is meant to be shown as the characters it is, never to act.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import yaml

from support import BIN, ROOT

SLUG = "hostile-2021-paper"
TOPIC = "zq-hostile-topic"

# Each of these must stay text. Those that would run set window.__pwned.
SCRIPTY = [
    "<script>window.__pwned=1</script>", "<img src=x onerror=window.__pwned=1>",
    '"><svg onload=window.__pwned=1>', "'><iframe src=javascript:window.__pwned=1>",
    "</title><script>window.__pwned=1</script>", "<a href=javascript:window.__pwned=1>x</a>",
    "[x](javascript:window.__pwned=1)", "data:text/html,<script>window.__pwned=1</script>",
    "javascript:window.__pwned=1", "</script><script>window.__pwned=1</script>",
    "<style>body{display:none}</style>", "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=javascript:window.__pwned=1>",
]
PLAIN_HOSTILE = [
    "&lt;b&gt;", "&amp;", "&#60;script&#62;", "{{ 7 }}", "{% if 1 %}x{% endif %}", "<!--", "-->", "]]>",
    "'", '"', "`", "@x", "[@key]", "\u2028", "«»", "\u00a0", "%", "#", "onmouseover=alert(1)",
]
# Characters a glossary entry may not hold (the build refuses them: tests/test_input_checks.py).
GLOSSARY_PIECES = [p for p in PLAIN_HOSTILE + ["javascript:window.__pwned=1"] if "<" not in p and ">" not in p]


def fresh_project(folder: Path) -> Path:
    """A copy of the project's inputs (sources, bib, docs, mkdocs.yml) in ``folder``."""
    dest = folder / "project"
    dest.mkdir(parents=True)
    for name in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def one_line(text: str) -> str:
    """Hostile text as a single line (a title, a byline, a YAML scalar)."""
    return " ".join(text.replace("\u2028", " ").split())


def write_hostile_project(project: Path, title: str, authors: str, summary: str, publisher: str,
                          heading: str, paragraph: str, note: str, glossary: str, topic: str, event: str) -> dict:
    """Write the hostile paper and data into ``project``; return the raw texts to look for."""
    title = "Zqtitle " + one_line(title)
    authors = "Mallory " + one_line(authors).replace(",", " ").replace(" and ", " ")
    heading = "Zqhead " + one_line(heading).replace("*", "")
    paragraph = "Alpha zqbody " + one_line(paragraph) + " zqgloss end."
    source = (
        f"# {title}\n\n*{authors}*\n\n"
        f"**{heading}.** {paragraph}<sup>1</sup>\n\nSecond zqbody paragraph.\n\n"
        f"## Endnotes\n\n1. Jane {one_line(note)} Roe, \u201cZqnote {one_line(note)},\u201d "
        f"{one_line(note)} Press, January 2, 2021, https://example.org/note.\n"
    )
    (project / "sources" / "hostile-2021.txt").write_text(source, encoding="utf-8")
    meta = {
        "publisher": "Zqpub " + one_line(publisher), "kind": "report", "summary": "Zqsum " + one_line(summary),
        "date": "2021-01-01", "slug": SLUG, "url": "https://example.org/hostile?a=1&b=2#c",
        # Given in the sidecar (it wins): the quality gate would rightly refuse such names read from
        # the text as furniture; given here, they are the paper's facts and must stay text everywhere.
        "title": title, "authors": [authors],
        "allow": ["leftover-marker"],  # the hostile text really prints markup and entities
    }
    (project / "sources" / "hostile-2021.yml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")

    glossary_text = one_line(glossary)
    with (project / "docs" / "includes" / "glossary.md").open("a", encoding="utf-8") as fh:
        fh.write(f"*[zqgloss]: Zqglossary {glossary_text}\n")

    vocabulary_path = project / "docs" / "topics" / "vocabulary.yml"
    vocabulary = yaml.safe_load(vocabulary_path.read_text(encoding="utf-8"))
    topic_text = one_line(topic)
    vocabulary["topics"].append({
        "slug": TOPIC, "title": "Zqtopic " + topic_text, "description": "Zqdesc " + topic_text,
        "threshold": 2, "rules": [{"match": ["zqbody"], "weight": 2}],
    })
    vocabulary_path.write_text(yaml.safe_dump(vocabulary, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # Comparisons are notes bound to the papers they discuss (docs/topics/notes.yml).
    notes_path = project / "docs" / "topics" / "notes.yml"
    notes = yaml.safe_load(notes_path.read_text(encoding="utf-8")) or []
    notes.append({"topic": TOPIC, "papers": [SLUG], "kind": "note", "text": "Zqcompare " + topic_text})  # a note on one paper
    notes_path.write_text(yaml.safe_dump(notes, allow_unicode=True, sort_keys=False), encoding="utf-8")

    timeline_path = project / "docs" / "timeline.yml"
    events = yaml.safe_load(timeline_path.read_text(encoding="utf-8"))
    event_text = one_line(event)
    events.append({
        "date": "2021-12-31", "title": "Zqevent " + event_text, "description": "Zqevdesc " + event_text,
        "mentions": [{"paper": SLUG, "para": "p-2", "quote": "Second zqbody paragraph"}],
    })
    timeline_path.write_text(yaml.safe_dump(events, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {"title": title, "authors": authors, "heading": heading, "topic": "Zqtopic " + topic_text,
            "event": "Zqevent " + event_text, "summary": "Zqsum " + one_line(summary)}


def convert(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "policy-reader"), "convert", "--root", str(project)],
                          capture_output=True, text=True, timeout=300)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site: Path):
    """Serve ``site`` over http on a free port of 127.0.0.1; yields the base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()
