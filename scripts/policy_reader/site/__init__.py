"""Everything MkDocs-facing. Nothing outside this sub-package imports MkDocs."""
