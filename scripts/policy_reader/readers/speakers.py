"""Transcripts: a speaker's turn opens with a label ("Mr. Smith.", "Ambassador Lee.").

The label is kept as the paragraph's ``speaker`` (model field) and the turn stays
paragraph text, never a section heading; the paragraphs after it, up to the
next label, are the same turn and keep their own paragraphs.
"""

from __future__ import annotations

import re


#: A transcript's speaker label opening a paragraph: an honorific or office, a name, a full
#: stop ("Mr. Smith.", "Ambassador Lee.", "Chairman SMITH.", "Senator Jane Roe.").
SPEAKER_RE = re.compile(
    r"^(?P<speaker>(?:The\s+)?(?:Mr|Mrs|Ms|Miss|Dr|Sen|Senator|Rep|Representative|Ambassador|Chairman|Chairwoman|Chair|"
    r"Secretary|General|Gen|Admiral|Adm|Governor|Gov|Judge|Professor|Prof|Dean|Director|Commissioner|Vice Chairman|Ranking Member)"
    r"\.?(?:\s+(?:[A-Z][A-Za-z'’\-]+|[A-Z]\.|de|van|von))+|The\s+(?:CHAIRMAN|CHAIRWOMAN|CHAIR|PRESIDING OFFICER|Chairman|Chair))"
    r"\.\s+(?P<rest>\S.*)$",
    re.S,
)


def split_speaker(text: str) -> tuple[str, str]:
    """``"Mr. Smith. Thank you."`` -> ("Mr. Smith", "Thank you."); ("", text) otherwise."""
    m = SPEAKER_RE.match(text)
    if not m:
        return "", text
    return " ".join(m["speaker"].split()), m["rest"]


