"""Python-Markdown's tables, with a cheap test for the blocks that cannot start a table.

MkDocs always loads the ``tables`` extension. Its block processor tests every
block of two lines or more by splitting the first line into cells (a regular
expression over the whole line), and every paragraph of a paper page is such a
block: its words, then the ``{: #p-3 .para ... }`` line under them. That test
was a tenth of the Markdown time of a paper page. A block whose first line holds
no ``|`` is never a table (a header row of one cell needs a ``|`` at an edge, of
more cells a ``|`` between them), so :class:`FastTableProcessor` answers no at
once for it and asks tables' own test otherwise: the same tables, the same HTML.
tests/test_fast_tables.py checks that on tables and on the paper pages.

Added by the plugin in ``on_config`` (after MkDocs' own extensions, so after
``tables``); it replaces only tables' own processor and does nothing without it.
"""

from __future__ import annotations

from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor


class FastTableProcessor(TableProcessor):
    def test(self, parent, block: str) -> bool:
        if "|" not in block.split("\n", 1)[0]:
            return False
        return super().test(parent, block)


class FastTablesExtension(Extension):
    def extendMarkdown(self, md):
        if "table" in md.parser.blockprocessors:
            table = md.parser.blockprocessors["table"]
            if type(table) is TableProcessor:
                # 75: tables' documented priority (its extendMarkdown's table).
                fast = FastTableProcessor(md.parser, table.config)
                md.parser.blockprocessors.register(fast, "table", 75)


def makeExtension(**kwargs) -> FastTablesExtension:
    """``policy_reader.site.fast_tables`` as a Markdown extension name."""
    return FastTablesExtension(**kwargs)
