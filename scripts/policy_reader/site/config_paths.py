"""Paths in mkdocs.yml resolved from mkdocs.yml's folder, whatever the working directory.

MkDocs resolves its own paths (docs_dir, custom_dir) from the configuration file's
folder, and so does our plugin; mkdocs-bibtex's ``csl_file`` and
pymdownx.snippets' ``base_path`` are taken from the working directory. Made
absolute here (before those plugins read them), ``mkdocs build -f
/abs/path/mkdocs.yml`` run from anywhere builds the same site. A URL is never a
path here: mkdocs-bibtex would download it at build time, which this project
refuses (README, "Security").
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.exceptions import PluginError


def resolve(config) -> None:
    root = Path(config.config_file_path).resolve().parent
    bibtex = config.plugins.get("bibtex")
    if bibtex is not None:
        csl = bibtex.config.get("csl_file")
        if csl:
            if "://" in csl:
                raise PluginError(f"mkdocs.yml: bibtex csl_file '{csl}' is a URL (fetched at build time); give a file path")
            bibtex.config["csl_file"] = str(root / csl) if not os.path.isabs(csl) else csl
        bib_file = bibtex.config.get("bib_file")
        if bib_file and "://" in bib_file:
            raise PluginError(f"mkdocs.yml: bibtex bib_file '{bib_file}' is a URL (fetched at build time); give a file path")
    snippets = config.mdx_configs.get("pymdownx.snippets")
    if snippets is not None:
        bases = snippets.get("base_path", ["."])
        bases = [bases] if isinstance(bases, str) else list(bases)
        snippets["base_path"] = [b if os.path.isabs(b) else str(root / b) for b in bases]
