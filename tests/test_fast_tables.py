"""site/fast_tables.py: tables' cheap test gives the HTML of Python-Markdown's own tables."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from policy_reader.site.fast_tables import FastTableProcessor, FastTablesExtension

ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "md_in_html", "footnotes", "abbr"]

SAMPLES = [
    "a | b\n--- | ---\n1 | 2\n",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
    "| one column |\n| --- |\n| row |\n",
    "one column |\n--- |\nrow |\n",
    "|left only\n|---\n|row\n",
    "a \\| b\n--- | ---\n1 | 2\n",
    "`a | b` | c\n--- | ---\n1 | 2\n",
    "not | a table\nsecond line without a separator\n",
    "plain words\n| --- | --- |\n| 1 | 2 |\n",
    "A paragraph of words.\n{: #p-3 .para data-topics=\"sanctions\" }\n",
    "Two lines\nof words, no pipe.\n\n| x | y |\n|---|---|\n| 1 | 2 |\n",
    "> | a | b |\n> |---|---|\n> | 1 | 2 |\n",
    "- item\n\n    | a | b |\n    |---|---|\n    | 1 | 2 |\n",
]


def _html(text: str, fast: bool) -> str:
    exts = EXTENSIONS + ([FastTablesExtension()] if fast else [])
    return markdown.Markdown(extensions=exts).convert(text)


@pytest.mark.parametrize("text", SAMPLES)
def test_same_html_as_tables(text):
    assert _html(text, True) == _html(text, False)


def test_the_samples_hold_tables():
    assert sum("<table>" in _html(t, False) for t in SAMPLES) >= 8  # the samples test tables, not only their absence


def test_same_html_on_the_papers():
    pages = sorted((ROOT / "docs" / "papers").glob("*.md")) + sorted((ROOT / "docs").glob("*.md"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert _html(text, True) == _html(text, False), page.name


def test_replaces_only_tables_own_processor():
    md = markdown.Markdown(extensions=EXTENSIONS + [FastTablesExtension()])
    assert type(md.parser.blockprocessors["table"]) is FastTableProcessor
    md = markdown.Markdown(extensions=["attr_list", FastTablesExtension()])
    assert "table" not in md.parser.blockprocessors
