"""Pages the reading-room browser tests visit (importable as ``reading_room``)."""

from __future__ import annotations

from pathlib import Path

from support import GOMEZ_SLUG, KLINGNER_SLUG

CORE_PAGES = [
    "",
    f"papers/{KLINGNER_SLUG}/",
    f"papers/{GOMEZ_SLUG}/",
    "bibliography/",
    "timeline/",
]


def topic_pages(site: Path) -> list[str]:
    """The topic pages of the built site (another feature generates them under topics/)."""
    return sorted(
        str(p.parent.relative_to(site)).replace("\\", "/") + "/"
        for p in site.glob("topics/*/index.html")
    )


def reading_pages(site: Path) -> list[str]:
    """Home, both papers, bibliography, timeline, the topics index and the first topic page."""
    pages = list(CORE_PAGES)
    if (site / "topics" / "index.html").exists():
        pages.append("topics/")
    pages += topic_pages(site)[:1]
    return pages


def settle(page) -> None:
    """Wait until no CSS transition or animation is running (colours are final)."""
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)"
    )


def use_scheme(page, scheme: str) -> None:
    """Switch Material's palette with its own toggle until ``scheme`` is active."""
    for _ in range(3):
        current = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        if current == scheme:
            settle(page)
            return
        page.locator("form[data-md-component=palette] label:visible").first.click()
    raise AssertionError(f"could not switch the palette to {scheme}")
