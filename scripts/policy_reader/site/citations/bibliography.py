"""The bibliography page (/bibliography/): every work cited across the papers.

Generated with ``File.generated`` (nothing is written into docs/). Each work is
formatted from ``bib/`` with our CSL note style through :mod:`.citeproc`, and
links back to every paragraph that cites it: a citation ``[@key]`` belongs to
the paragraph whose attribute line (``{: #p-4 .para }``) closes its block. The
``.bib`` files themselves are copied into the site (``bib/<name>.bib``) so a
reader can download them.

Pure helpers (:func:`citations`, over :func:`policy_reader.emit.read_blocks`) know nothing of
MkDocs; :class:`BibliographyPage` is the manager the plugin calls.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from policy_reader.page.markdown import read_blocks
from policy_reader.site.citations.citeproc import CiteprocError, format_references
from policy_reader.site.held_html import HeldHtml

CITE = re.compile(r"\[@([A-Za-z0-9_-]+)\]")
BIB_KEY = re.compile(r"^@\w+\{([^,\s]+),", re.M)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def citations(markdown: str, label: str) -> dict[str, list[str]]:
    """``{key: [paragraph id, ...]}`` for every ``[@key]`` of a paper, in order.

    A citation outside an id-carrying block is an error (nothing could link to it).
    """
    found: dict[str, list[str]] = {}
    covered = set()
    for block in read_blocks(markdown):
        for key in CITE.findall(block.text):
            ids = found.setdefault(key, [])
            if block.id not in ids:
                ids.append(block.id)
        covered.add(block.text)
    body = FRONT_MATTER.sub(lambda m: "\n" * m.group(0).count("\n"), markdown)
    for n, line in enumerate(body.split("\n"), start=1):
        for key in CITE.findall(line):
            if not any(line in text for text in covered):
                raise PluginError(
                    f"{label}:{n}: citation [@{key}] is not inside a paragraph with an id; "
                    "run `make convert` to regenerate the page"
                )
    return found


def paragraph_label(para_id: str) -> str:
    """``p-4`` -> ``¶ 4``, ``kt-2`` -> ``Key takeaway 2``, ``bio`` -> ``About the author``."""
    if para_id.startswith("p-"):
        return f"¶\u00a0{para_id[2:]}"
    if para_id.startswith("kt-"):
        return f"Key takeaway {para_id[3:]}"
    if para_id == "bio":
        return "About the author"
    return para_id


def short_name(meta: dict) -> str:
    """``Klingner 2019`` from a paper's front matter."""
    surname = meta["authors"][0].split()[-1]
    more = " et al." if len(meta["authors"]) > 1 else ""
    return f"{surname}{more} {meta['date'][:4]}"


class BibliographyPage:
    """Builds ``bibliography.md`` and the downloadable ``.bib`` files."""

    src_uri = "bibliography.md"

    def __init__(self, bib_dir: Path, csl_file: Path, papers_dir: str):
        self.bib_dir = bib_dir
        self.csl_file = csl_file
        self.papers_dir = papers_dir

    def bib_files(self) -> list[Path]:
        files = sorted(self.bib_dir.glob("*.bib"))
        if not files:
            raise PluginError(f"{self.bib_dir}: no .bib files; run `make convert`")
        return files

    def add_to(self, files, config, papers: dict[str, dict], held: HeldHtml) -> None:
        """Add the page and the .bib downloads to ``files``.

        ``papers`` maps each paper's src_uri to its validated front matter. The two
        lists grow with the library and are HTML written here: ``held`` keeps them
        out of Python-Markdown (site/held_html.py).
        """
        bibs = self.bib_files()
        bibtex = "\n".join(p.read_text(encoding="utf-8") for p in bibs)
        known = set(BIB_KEY.findall(bibtex))

        cited: dict[str, list[tuple[str, str]]] = {}  # key -> [(src_uri, para id)]
        for src_uri, meta in sorted(papers.items(), key=lambda kv: (kv[1]["date"], kv[0])):
            f = files.get_file_from_path(src_uri)
            label = f"docs/{src_uri}"
            for key, ids in citations(f.content_string, label).items():
                if key not in known:
                    raise PluginError(f"{label}: citation [@{key}] has no entry in {self.bib_dir.name}/*.bib; run `make convert`")
                cited.setdefault(key, []).extend((src_uri, i) for i in ids)

        try:
            refs = format_references(bibtex, str(self.csl_file))
        except (CiteprocError, OSError, RuntimeError) as exc:
            raise PluginError(f"{self.csl_file}: cannot format the bibliography: {exc}") from None

        page_url = File(self.src_uri, "", "", config["use_directory_urls"]).url
        for path in bibs:
            files.append(File.generated(config, f"bib/{path.name}", abs_src_path=str(path)))

        lines = [
            "---",
            "title: Bibliography",
            "---",
            "",
            "# Bibliography",
            "",
            "Every work cited in the papers on this site, formatted from the project's BibTeX files, "
            "with links back to each paragraph that cites it.",
            "",
            "## Works cited",
            "",
        ]
        works = ['<ol class="bibliography">']
        for key in sorted(cited):
            links = []
            for src_uri, para_id in cited[key]:
                target = files.get_file_from_path(src_uri)
                href = get_relative_url(target.url, page_url) + "#" + para_id
                name = short_name(papers[src_uri])
                links.append(
                    f'<a class="cited-in" href="{html.escape(href, quote=True)}">'
                    f"{html.escape(name)}, {paragraph_label(para_id)}</a>"
                )
            works.append(
                f'<li id="ref-{html.escape(key, quote=True)}">'
                f'<span class="reference">{refs[key][0]}</span> '
                f'<span class="cited-by">Cited in {"; ".join(links)}.</span></li>'
            )
        works.append("</ol>")
        lines += [held.hold("\n".join(works)), "## The papers", ""]
        listed = ['<ul class="bibliography">']
        for src_uri, meta in sorted(papers.items(), key=lambda kv: (kv[1]["date"], kv[0])):
            key = meta["bib_key"]
            if key not in refs:
                raise PluginError(f"docs/{src_uri}: bib_key '{key}' has no entry in {self.bib_dir.name}/*.bib; run `make convert`")
            href = get_relative_url(files.get_file_from_path(src_uri).url, page_url)
            listed.append(
                f'<li id="ref-{html.escape(key, quote=True)}"><span class="reference">{refs[key][0]}</span> '
                f'<a class="cited-in" href="{html.escape(href, quote=True)}">Read it here</a>.</li>'
            )
        listed.append("</ul>")
        lines += [held.hold("\n".join(listed)), "## Download the BibTeX", "", '<ul class="bib-downloads">']
        for path in bibs:
            href = get_relative_url(f"bib/{path.name}", page_url)
            lines.append(f'<li><a href="{html.escape(href, quote=True)}" download>{html.escape(path.name)}</a></li>')
        lines += ["</ul>", ""]
        files.append(File.generated(config, self.src_uri, content="\n".join(lines)))
