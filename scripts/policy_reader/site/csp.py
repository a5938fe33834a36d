"""A Content-Security-Policy for every page, as a ``<meta http-equiv>`` tag.

Static hosts (GitHub Pages among them) cannot set response headers, so the
policy travels in the page. Scripts may come from the site itself and, inline,
only with the SHA-256 hash of a script that the theme's own templates emit.
Those hashes are computed at build start from the templates
(:class:`TemplateScripts`: every ``partials/javascripts/*.html`` of the theme
and of ``custom_dir``, rendered for the page's ``base_url``, the only value they
take from a page), never from the finished page: a script that reached a page
any other way (a hostile source, a data file) has no hash, does not run, and is
reported by :func:`unlisted_scripts` so that a ``--strict`` build fails. Styles,
images, fonts, connections and workers are limited to the site's own origin.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re

INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s+[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
META_CHARSET = re.compile(r"<meta charset=[^>]*>", re.I)
META_CSP = re.compile(r'\n?[ \t]*<meta http-equiv="Content-Security-Policy"[^>]*>', re.I)
# Where META_CSP can match (it can match nowhere else): searched first, as META_CSP's optional
# white space before the tag makes it try every position of the page (~2 ms a paper page).
META_CSP_START = re.compile(r'<meta http-equiv="Content-Security-Policy"', re.I)

# Types the browser does not execute: their text needs no hash.
DATA_TYPES = ("application/json", "application/ld+json")

# Templates whose inline scripts the policy allows (Material's layout; an override in custom_dir
# with the same name replaces Material's, a new file there adds its scripts).
SCRIPT_TEMPLATES = re.compile(r"^partials/javascripts/[^/]+\.html$")

log = logging.getLogger("mkdocs.plugins.policy_reader")


def _executable(attrs: str) -> bool:
    attrs = attrs or ""
    return "src=" not in attrs and not any(t in attrs for t in DATA_TYPES)


def script_hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_script_hashes(page_html: str) -> list[str]:
    """Hashes of the executable inline scripts in ``page_html``, in order, each once."""
    hashes = []
    for m in INLINE_SCRIPT.finditer(page_html):
        if _executable(m["attrs"]):
            token = script_hash(m["body"])
            if token not in hashes:
                hashes.append(token)
    return hashes


class TemplateScripts:
    """The inline scripts the theme's templates emit, rendered per ``base_url``.

    ``env`` is the theme's Jinja environment (``on_env``), ``config`` MkDocs' config.
    A template that cannot be rendered outside a page contributes nothing (its
    scripts, if any, are then blocked, and reported, never allowed by accident).
    """

    def __init__(self, env, config):
        self.env = env
        self.config = config
        self.names = sorted(n for n in env.list_templates() if SCRIPT_TEMPLATES.match(n))
        self._hashes: dict[str, tuple[str, ...]] = {}

    def hashes(self, base_url: str) -> tuple[str, ...]:
        if base_url not in self._hashes:
            context = {
                "config": self.config, "base_url": base_url, "page": None,
                "features": self.config.theme.get("features") or [],
            }
            found: list[str] = []
            for name in self.names:
                try:
                    text = self.env.get_template(name).render(context)
                except Exception as exc:  # noqa: BLE001 - a template that needs a page: no hash
                    log.debug("CSP: %s not rendered outside a page (%s)", name, exc)
                    continue
                for token in inline_script_hashes(text):
                    if token not in found:
                        found.append(token)
            self._hashes[base_url] = tuple(found)
        return self._hashes[base_url]


def policy(script_hashes) -> str:
    scripts = " ".join(["'self'", *script_hashes])
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


def unlisted_scripts(page_html: str, allowed) -> int:
    """How many executable inline scripts of the page no template emits."""
    allowed = set(allowed)
    return sum(
        1 for m in INLINE_SCRIPT.finditer(page_html)
        if _executable(m["attrs"]) and script_hash(m["body"]) not in allowed
    )


def add_csp(page_html: str, script_hashes) -> str:
    """The page with exactly one policy, right after ``<meta charset>`` (before any script).

    A policy already in the page (a page finished twice) is replaced, never doubled.
    """
    if META_CSP_START.search(page_html):
        page_html = META_CSP.sub("", page_html)
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy(script_hashes)}">'
    m = META_CHARSET.search(page_html)
    if not m:
        return page_html
    return page_html[: m.end()] + "\n    " + tag + page_html[m.end() :]
