"""A Content-Security-Policy for every page, as a ``<meta http-equiv>`` tag.

Static hosts (GitHub Pages among them) cannot set response headers, so the
policy travels in the page. Scripts may come from the site itself and, for
the few inline scripts Material writes into each page, only with the exact
SHA-256 hash of their text, computed here from the finished page; anything
injected later (or by a hostile source) has no hash and does not run. Styles,
images, fonts, connections and workers are limited to the site's own origin.
"""

from __future__ import annotations

import base64
import hashlib
import re

INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s+[^>]*)?)>(?P<body>.*?)</script>", re.S)
META_CHARSET = re.compile(r"<meta charset=[^>]*>", re.I)

# Types the browser does not execute: their text needs no hash.
DATA_TYPES = ("application/json", "application/ld+json")


def inline_script_hashes(page_html: str) -> list[str]:
    hashes = []
    for m in INLINE_SCRIPT.finditer(page_html):
        attrs = m["attrs"] or ""
        if "src=" in attrs or any(t in attrs for t in DATA_TYPES):
            continue
        digest = hashlib.sha256(m["body"].encode("utf-8")).digest()
        token = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if token not in hashes:
            hashes.append(token)
    return hashes


def policy(page_html: str) -> str:
    scripts = " ".join(["'self'", *inline_script_hashes(page_html)])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def add_csp(page_html: str) -> str:
    """Insert the policy right after ``<meta charset>`` (before any script)."""
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy(page_html)}">'
    m = META_CHARSET.search(page_html)
    if not m:
        return page_html
    return page_html[: m.end()] + "\n    " + tag + page_html[m.end() :]

