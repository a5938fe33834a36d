"""Python-Markdown's inline step without trying patterns that cannot match.

Python-Markdown's inline step (``markdown.treeprocessors.InlineProcessor``) tries
every inline pattern (code, escapes, footnotes, links, images, autolinks, line
breaks, HTML, entities, emphasis: 15 here) on every text of the page, one Python
call each, even on a paragraph that holds none of their characters. At 1,000
papers that was about 1.1 million calls, a third of Python-Markdown's time.

Each of those patterns' regular expressions needs a literal character to match:
a link needs ``[``, HTML ``<``, an entity ``&``, emphasis one of its delimiters
(``*``, ``_``). :class:`SkippingInlineProcessor` is Python-Markdown's own step
with one test added: a pattern whose needed text is nowhere in the text at hand
is passed over. A pattern that is tried and finds nothing gives exactly what
passing over it gives (the next pattern, from the text's start), and a pattern
whose expression finds no match never reaches its ``handleMatch`` (so stateful
ones such as emphasis see the same calls), so the tree is the same, node for
node. Only patterns whose expression is known, character for character, are
passed over (:data:`NEEDS`, taken from Python-Markdown's own constants); any
other pattern, or one an extension changed, is tried as before.
tests/test_inline_skip.py renders texts with every construct both ways.
"""

from __future__ import annotations

import re

from markdown import inlinepatterns, util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

# A pattern's expression -> texts one of which any match contains.
NEEDS: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),
    inlinepatterns.ESCAPE_RE: ("\\",),
    r"\[\^([^\]]*)\]": ("[^",),  # markdown.extensions.footnotes (set inside its extendMarkdown)
    inlinepatterns.LINK_RE: ("[",),  # also REFERENCE_RE and the short reference
    inlinepatterns.IMAGE_LINK_RE: ("![",),  # also IMAGE_REFERENCE_RE and the short image reference
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
}


def needs(pattern) -> tuple[str, ...] | None:
    """Texts one of which a match of ``pattern`` contains; None: unknown, always try it."""
    if not isinstance(pattern, inlinepatterns.InlineProcessor):
        return None
    if isinstance(pattern, inlinepatterns.DelimiterProcessor):
        # Its expression is its tokens, escaped and joined by "|" (DelimiterProcessor.add).
        tokens = tuple(pattern.tokens)
        if tokens and pattern.compiled_re.pattern == "|".join(re.escape(t) for t in tokens):
            return tokens
        return None
    return NEEDS.get(pattern.getCompiledRegExp().pattern)


class SkippingInlineProcessor(InlineProcessor):
    """``InlineProcessor`` that passes over a pattern whose needed text is not in the text."""

    def run(self, tree, ancestors=None):
        # The patterns and what each needs, once per page (the registry sorts on each access).
        self._patterns = [self.inlinePatterns[i] for i in range(len(self.inlinePatterns))]
        self._needs = [needs(p) for p in self._patterns]
        try:
            return super().run(tree, ancestors)
        finally:
            del self._patterns, self._needs

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # Python-Markdown's __handleInline (3.11) with the test on ``need`` added.
        if not isinstance(data, util.AtomicString):
            startIndex = 0
            patterns, all_needs = self._patterns, self._needs
            count = len(patterns)
            apply = self._InlineProcessor__applyPattern
            while patternIndex < count:
                need = all_needs[patternIndex]
                if need is not None and not any(n in data for n in need):
                    # What a try that finds nothing returns: (data, False, 0).
                    startIndex = 0
                    patternIndex += 1
                    continue
                data, matched, startIndex = apply(patterns[patternIndex], data, patternIndex, startIndex)
                if not matched:
                    patternIndex += 1
        return data


class InlineSkipExtension(Extension):
    """Puts :class:`SkippingInlineProcessor` in place of Python-Markdown's inline step (same
    name and priority) when that step is the stock one; does nothing otherwise."""

    def extendMarkdown(self, md):
        if "inline" in md.treeprocessors and type(md.treeprocessors["inline"]) is InlineProcessor:
            # 20: the inline step's priority (markdown.treeprocessors.build_treeprocessors).
            md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)


def makeExtension(**kwargs) -> InlineSkipExtension:
    """``policy_reader.site.inline_skip`` as a Markdown extension name."""
    return InlineSkipExtension(**kwargs)
