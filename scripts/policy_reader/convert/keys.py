"""The key registry ``bib/keys.yml``: every citation key ever published, bound to its work.

A key, once written, names the same work forever: the registry binds it to the
work's identity (:class:`Work`: DOI, URL and ``surname|year|title`` in a
normalised form), the converter looks every parsed work up there first, and
the registry only ever grows. So keys depend neither on the order of the
source files nor on the other papers: adding, removing or renaming a paper
never changes another paper's keys (nor its files), and a retired key is never
given to another work.

A work seen for the first time gets ``surname-year-two-title-words``
(:func:`policy_reader.convert.bib.make_key`) when no work in the registry holds
that key, else the same key plus ``-`` and four characters of a hash of the
work's identity (longer on the rare clash): derived from the work alone, and
the works new in one run are named in the order of their identities, never of
the files that cite them.

Two citations are the same work when they share a DOI, a URL (scheme,
``www.``, a trailing ``/`` and letter case of the host ignored) or the same
normalised surname, year and title (case, punctuation and accents ignored).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from policy_reader.model import SourceError

PATH = Path("bib") / "keys.yml"
LABEL = PATH.as_posix()
IDENTITY_FIELDS = ("doi", "url", "work")
HEADER = (
    "# Citation keys and the works they name, written by `policy-reader convert`.\n"
    "# A published key names the same work forever: never edit, move or delete a line.\n"
    "# Each work is identified by its DOI, URL or 'surname|year|title' (normalised).\n"
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", "")))


def normal_url(url: str) -> str:
    m = re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//(?:www\.)?([^/?#]+)(.*)$", url.strip(), re.I)
    if not m:
        return url.strip()
    rest = m[2].split("#", 1)[0]
    return m[1].lower() + (rest[:-1] if rest.endswith("/") else rest)


def normal_doi(doi: str) -> str:
    return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi.strip(), flags=re.I).lower()


@dataclass(frozen=True)
class Work:
    """A work's identity: the three ways two citations can name the same work."""

    doi: str = ""
    url: str = ""
    work: str = ""  # surname|year|title, normalised

    @classmethod
    def of(cls, surname: str, year: str, title: str, url: str = "", doi: str = "") -> "Work":
        return cls(normal_doi(doi) if doi else "", normal_url(url) if url else "", f"{_fold(surname)}|{year}|{_fold(title)}")

    def ids(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, name)) for name in IDENTITY_FIELDS if getattr(self, name)]

    def record(self) -> dict[str, str]:
        return dict(self.ids())

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.record(), sort_keys=True).encode("utf-8")).hexdigest()


class Registry:
    """``bib/keys.yml`` in memory: key -> identity, and each identity -> key."""

    def __init__(self, bound: dict[str, dict[str, str]] | None = None):
        self.bound: dict[str, dict[str, str]] = {}
        self._index: dict[tuple[str, str], str] = {}
        for key, record in (bound or {}).items():
            self._bind(key, record)
        self.added: list[str] = []

    def _bind(self, key: str, record: dict[str, str]) -> None:
        self.bound[key] = dict(record)
        for item in record.items():
            self._index.setdefault(item, key)

    def find(self, work: Work) -> str | None:
        """The key bound to ``work`` (by DOI, then URL, then surname|year|title)."""
        for item in work.ids():
            if item in self._index:
                return self._index[item]
        return None

    def assign(self, base: str, work: Work) -> str:
        """The key of ``work``: its registered key, else a new one (see the module docstring)."""
        found = self.find(work)
        if found is not None:
            return found
        key = base
        if key in self.bound:
            digest = work.digest()
            for length in range(4, len(digest) + 1):
                key = f"{base}-{digest[:length]}"
                if key not in self.bound:
                    break
        self._bind(key, work.record())
        self.added.append(key)
        return key

    def assign_all(self, wanted: list[tuple[str, Work]]) -> dict[Work, str]:
        """Keys for many works at once, new ones named in the order of their identities."""
        # A work met twice in one run (by URL in one note, by title in another) finds the key
        # the first one registered: assign looks the registry up first.
        return {work: self.assign(base, work) for base, work in sorted(set(wanted), key=lambda bw: (bw[1].digest(), bw[0]))}

    def text(self) -> str:
        lines = [HEADER]
        for key in sorted(self.bound):
            record = ", ".join(f"{name}: {json.dumps(value, ensure_ascii=False)}" for name, value in sorted(self.bound[key].items()))
            lines.append(f"{key}: {{{record}}}\n")
        return "".join(lines)


def load(root: Path) -> Registry:
    """``bib/keys.yml`` of ``root`` (an empty registry when there is none)."""
    from policy_reader.page.schema import KEY, load_yaml_mapping

    path = root / PATH
    if not path.exists():
        return Registry()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(LABEL, 0, f"cannot read the key registry ({exc}); restore it from git") from None
    data, lines = load_yaml_mapping(text, LABEL)
    for key, record in data.items():
        line = lines.get(key, 0)
        if not KEY.match(str(key)):
            raise SourceError(LABEL, line, f"'{key}' is not a citation key (letters, digits, '_' and '-'); restore the file from git")
        if not isinstance(record, dict) or not record or any(
            name not in IDENTITY_FIELDS or not isinstance(value, str) for name, value in record.items()
        ):
            raise SourceError(LABEL, line, f"'{key}' must hold {{doi, url, work}} text fields; restore the file from git")
    return Registry(data)
