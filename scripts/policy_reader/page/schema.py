"""The contract between the converter and the build: front matter of a paper page,
and the metadata file beside each source. Declared once, validated on both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from urllib.parse import urlsplit
from typing import Any, Optional

import yaml

from policy_reader import fast_yaml
from policy_reader.model import SourceError

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KEY = re.compile(r"^[A-Za-z0-9_-]+$")

#: Slugs a paper cannot take: ``papers/index.md`` is the list of all papers.
RESERVED_SLUGS = frozenset({"index"})
MAX_SLUG = 100
MAX_TAKEAWAYS = 20
# Characters no URL we publish may hold (white space, quotes, angle brackets, controls).
_URL_BAD = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")


# Control characters (line breaks and tabs included): one field is one line of text, so that
# no value can start a new line in a RIS record, a BibTeX entry or a YAML front matter.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def url_problem(value: str) -> str:
    """Why ``value`` is not an absolute http(s) URL we can publish ('' when it is one)."""
    if _URL_BAD.search(value):
        return "holds white space, a quote, a backslash, an angle bracket or a control character"
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        return f"is not a URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "is not an http:// or https:// address"
    if not parts.hostname:
        return "has no host name"
    return ""


def date_problem(value: str) -> str:
    """Why ``value`` is not a real YYYY-MM-DD calendar date ('' when it is one)."""
    if not ISO_DATE.match(value):
        return "is not YYYY-MM-DD"
    try:
        _date.fromisoformat(value)
    except ValueError:
        return "is not a date in the calendar"
    return ""


@dataclass(frozen=True)
class Field:
    name: str
    kind: type
    required: bool
    doc: str
    pattern: Optional[re.Pattern] = None
    choices: tuple[str, ...] = ()
    check: str = ""  # "url", "date" or "slug": a further check of the value (see _check)


#: Front matter of ``docs/papers/<slug>.md``, in the order it is written.
FRONT_MATTER = (
    Field("title", str, True, "The paper's title as printed."),
    Field("subtitle", str, False, "The subtitle (dek) as printed."),
    Field("authors", list, True, "Author names as printed, in order."),
    Field("date", str, True, "Publication date, YYYY-MM-DD.", ISO_DATE, check="date"),
    Field("publisher", str, True, "Publisher or institution."),
    Field("kind", str, True, "'report' (a numbered brief) or 'article' (an op-ed).", choices=("report", "article")),
    Field("series", str, False, "Report series, e.g. 'Issue Brief'."),
    Field("number", str, False, "Number in the series, e.g. '5022'."),
    Field("source_url", str, False, "Where the paper is published (http:// or https://).", check="url"),
    Field("summary", str, True, "One neutral sentence for the home page."),
    Field("rights", str, False, "The publisher's terms for the reproduced text, shown under the byline."),
    Field("slug", str, True, "URL name: /papers/<slug>/.", SLUG, check="slug"),
    Field("bib_key", str, True, "The paper's own key in bib/.", KEY),
    Field("source", str, True, "Path of the source text, from the project root."),
    Field("paragraphs", int, True, "Number of body paragraphs (ids p-1 .. p-N)."),
    Field("highlights", str, False, "Where each tagged paragraph's topic rules match, written by the converter (page/highlights.py)."),
    Field("generated", str, True, "Marker, hash of the body and seal of the inputs, written by the converter."),
)

#: ``sources/<name>.yml``: facts the source lacks, and corrections of what was read
#: wrongly (optional file; its fields win over what the source says).
SOURCE_META = (
    Field("publisher", str, False, "Publisher or institution, e.g. 'The Heritage Foundation' (required unless the source names it)."),
    Field("kind", str, False, "'report' or 'article' (default: report when a series is given, else article).", choices=("report", "article")),
    Field("summary", str, False, "One neutral sentence for the home page (default: the page's description or the first sentence)."),
    Field("rights", str, False, "Who holds the rights to the text and on what terms it is reproduced, e.g. 'Published by X at URL; all rights remain with X.'"),
    Field("date", str, False, "YYYY-MM-DD; required when the source prints no full date.", ISO_DATE, check="date"),
    Field("series", str, False, "Report series, e.g. 'Issue Brief'."),
    Field("number", str, False, "Number in the series (quote it: \"5022\")."),
    Field("url", str, False, "Where the paper is published (http:// or https://).", check="url"),
    Field("slug", str, False, "URL name; default surname-year-first-title-words.", SLUG, check="slug"),
    Field("takeaways", int, False, "How many KEY TAKEAWAYS items the text prints (default 3)."),
    Field("title", str, False, "The title, when the source's was read wrongly."),
    Field("subtitle", str, False, "The subtitle (dek), when the source's was read wrongly or is missing."),
    Field("authors", list, False, "Author names in order, e.g. [Jane Doe, John Roe], when read wrongly or missing."),
    Field("bib_key", str, False, "The paper's own citation key (default surname-year-two-title-words).", KEY),
    Field("ignore", list, False, "Regular expressions; a body paragraph matching one as a whole is dropped as furniture."),
    Field("allow", list, False, "Quality checks that do not apply to this paper (it really prints such text), e.g. [leftover-marker]."),
)


def _check(fields, data: dict, path: str, lines: dict[str, int], what: str) -> dict:
    known = {f.name: f for f in fields}
    for key in data:
        if key not in known:
            raise SourceError(
                path, lines.get(key, 0),
                f"unknown {what} field '{key}'; known fields: {', '.join(known)}",
            )
    for f in fields:
        if f.name not in data or data[f.name] in (None, ""):
            if f.required:
                raise SourceError(path, 0, f"missing {what} field '{f.name}': {f.doc}")
            continue
        value = data[f.name]
        if f.kind is str and not isinstance(value, str):
            value = str(value) if not isinstance(value, (list, dict)) else value
        if not isinstance(value, f.kind) or (f.kind is int and isinstance(value, bool)):
            raise SourceError(path, lines.get(f.name, 0), f"{what} field '{f.name}' must be a {f.kind.__name__}: {f.doc}")
        if f.pattern and not f.pattern.match(value):
            raise SourceError(path, lines.get(f.name, 0), f"{what} field '{f.name}' is '{value}': {f.doc}")
        where = lines.get(f.name, 0)
        if isinstance(value, str):
            value = value.strip()  # a folded YAML scalar (>) ends in a line break: not part of the value
        texts = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        for text in texts:
            bad = _CONTROL.search(text)
            if bad:
                raise SourceError(
                    path, where,
                    f"{what} field '{f.name}' holds the control character U+{ord(bad[0]):04X} (a line break "
                    "or tab included); write the value on one line as plain text",
                )
        if f.check == "url" and url_problem(value):
            raise SourceError(path, where, f"{what} field '{f.name}' {url_problem(value)}: give an http:// or https:// address")
        if f.check == "date" and date_problem(value):
            raise SourceError(path, where, f"{what} field '{f.name}' is '{value}', which {date_problem(value)}: {f.doc}")
        if f.check == "slug" and (value in RESERVED_SLUGS or len(value) > MAX_SLUG):
            raise SourceError(
                path, where,
                f"{what} field '{f.name}' is '{value}', which is reserved or longer than {MAX_SLUG} characters "
                f"(reserved: {', '.join(sorted(RESERVED_SLUGS))}); choose another slug",
            )
        if f.choices and value not in f.choices:
            raise SourceError(path, lines.get(f.name, 0), f"{what} field '{f.name}' is '{value}'; use one of {', '.join(f.choices)}")
        if f.kind is list and not all(isinstance(v, str) and v for v in value):
            raise SourceError(path, lines.get(f.name, 0), f"{what} field '{f.name}' must list non-empty names")
        data[f.name] = value
    return data


def load_yaml_mapping(text: str, path: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Load a YAML mapping and the line of each top-level key (for messages)."""
    try:
        # libyaml when available; its nodes carry the same line marks, and on an error
        # fast_yaml re-parses with PyYAML's own loaders, so the message below is unchanged.
        node = fast_yaml.compose(text)
        data = fast_yaml.load(text, yaml.BaseLoader) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise SourceError(path, line, f"invalid YAML ({getattr(exc, 'problem', exc)}); fix the syntax") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(path, 1, "expected 'field: value' lines (a YAML mapping)")
    lines = {}
    if node is not None and isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[key_node.value] = key_node.start_mark.line + 1
    return data, lines


def validate_source_meta(data: dict, path: str, lines: dict[str, int]) -> dict:
    if "takeaways" in data:
        try:
            data["takeaways"] = int(data["takeaways"])
        except (TypeError, ValueError):
            raise SourceError(path, lines.get("takeaways", 0), "metadata field 'takeaways' must be a whole number") from None
        if not 1 <= data["takeaways"] <= MAX_TAKEAWAYS:
            raise SourceError(
                path, lines.get("takeaways", 0),
                f"metadata field 'takeaways' is {data['takeaways']}; give the number of KEY TAKEAWAYS "
                f"paragraphs the text prints, 1 to {MAX_TAKEAWAYS} (leave it out when there are none)",
            )
    return _check(SOURCE_META, data, path, lines, "metadata")


def validate_front_matter(data: dict, path: str) -> dict:
    data = dict(data)
    if isinstance(data.get("date"), str) is False and data.get("date") is not None:
        data["date"] = str(data["date"])
    return _check(FRONT_MATTER, data, path, {}, "front matter")
