"""Version guards for the third-party internals we patch or read.

The build reaches into a few private corners of other packages (each listed in
:data:`PATCHES` with where and why). Such corners change without notice, so the
plugin checks, once at the start of every build, that each package is a version
the patch was tested with; on any other version the build stops with one line
that says what to do, instead of failing somewhere later or, worse, publishing
something else.

To move to a new version: bump the pin in requirements.txt, run ``make test``
(the tests of each patch are named below), and add the version here.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata


@dataclass(frozen=True)
class Patch:
    package: str  # distribution name, as pip knows it
    tested: frozenset[str]  # versions the patch was tested with
    what: str  # the internal we touch
    where: str  # our module that touches it
    tests: str  # the tests that prove the patch


PATCHES: tuple[Patch, ...] = (
    Patch("mkdocs", frozenset({"1.6.1"}), "Page.render and Page._title_from_render; File._content",
          "site/page_cache.py, site/source_texts.py", "tests/test_page_cache.py, tests/test_source_texts.py"),
    Patch("properdocs", frozenset({"1.6.7"}), "Page.render and Page._title_from_render; File._content (ProperDocs runs as mkdocs)",
          "site/page_cache.py", "tests/test_properdocs.py"),
    Patch("mkdocs-material", frozenset({"9.8.2"}),
          "templates: partials/javascripts/*.html (the inline scripts the CSP allows) and block htmltitle",
          "site/csp.py, docs/overrides/main.html", "tests/browser/test_csp.py, tests/browser/test_hostile_site.py"),
    Patch("mkdocs-bibtex", frozenset({"4.4.0"}),
          "mkdocs_bibtex.registry (parse_file, validate_citation_blocks, the bib_data_bibtex property, "
          "its pypandoc name, _process_with_pandoc's document head and output parsing, and _is_inline: "
          "a note style's footnotes read only the References)",
          "site/citations/bibtex_seam.py", "tests/test_bibtex_seam.py, tests/test_library.py and tests/test_shared_citeproc.py"),
    Patch("pybtex", frozenset({"0.26.1"}), "pybtex.plugin.entry_points",
          "site/citations/bibtex_seam.py", "tests/test_bibtex_seam.py"),
    Patch("pypandoc", frozenset({"1.17"}), "pypandoc.convert_text and its version probe",
          "site/citations/pandoc_cache.py", "tests/test_pandoc_cache.py"),
)


class UnknownVersion(Exception):
    """A patched package at a version its patch was not tested with."""


def running_engine() -> str:
    """'mkdocs' or 'properdocs': ProperDocs installs itself as the ``mkdocs`` module."""
    import mkdocs

    return "properdocs" if mkdocs.__name__ == "properdocs" else "mkdocs"


def installed(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def problems(versions: dict[str, str | None] | None = None, engine: str | None = None) -> list[str]:
    """One line per patched package found at a version its patch was not tested with.

    ``versions`` maps a package to its version (default: what is installed); ``engine``
    is the program running the build (default: :func:`running_engine`). Only the
    engine that runs is checked of mkdocs/properdocs.
    """
    engine = engine or running_engine()
    out = []
    for patch in PATCHES:
        if patch.package in ("mkdocs", "properdocs") and patch.package != engine:
            continue
        version = versions.get(patch.package) if versions is not None else installed(patch.package)
        if version is None:
            continue  # not installed: nothing of it is patched (its plugin is absent)
        if version not in patch.tested:
            tested = ", ".join(sorted(patch.tested))
            out.append(
                f"{patch.package} {version} is not a version policy-reader was tested with ({tested}): "
                f"{patch.where} patches its {patch.what}. Pin {patch.package}=={sorted(patch.tested)[-1]} "
                f"in requirements.txt, or run {patch.tests} on {version} and add it to "
                "scripts/policy_reader/site/compat.py"
            )
    return out


def check() -> None:
    """Raise :class:`UnknownVersion` with the first problem line (the build's one-line error)."""
    found = problems()
    if found:
        raise UnknownVersion(found[0])
