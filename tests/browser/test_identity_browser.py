"""Old permalinks after a paragraph is inserted, deleted or edited, in a real browser.

Each scenario copies the real project into tmp_path, changes one paper's source
text as a maintainer would, runs `policy-reader convert`, `policy-reader
permalinks --update` and `mkdocs build --strict`, serves the site and opens
every permalink the paper had before the change: each lands on the same words,
or (a removed paragraph) on the notice naming its successor, with the
successor marked below it.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import threading

import pytest
from playwright.sync_api import expect

from policy_reader.convert.identity import THRESHOLD, similarity
from policy_reader.page.markdown import read_blocks
from support import BIN, GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build

pytestmark = pytest.mark.browser

INSERTED = ("This paragraph was written for the insertion test; it stands between the eleventh "
            "and the twelfth paragraph and says nothing about the paper.")


def published(root, slug) -> dict[str, str]:
    """id -> words of every permalinked block of a paper page (takeaways and paragraphs)."""
    text = (root / "docs" / "papers" / f"{slug}.md").read_text(encoding="utf-8")
    return {b.id: b.words for b in read_blocks(text) if b.kind in ("para", "takeaway")}


def _without_block(text: str, words_start: str) -> str:
    start = text.index(words_start)
    assert text.count(words_start) == 1
    return text[:start] + text[text.index("\n\n", start) + 2:]


def _insert(text: str, before: dict) -> str:
    start = before["p-12"][:50]
    assert text.count(start) == 1
    return text.replace(start, INSERTED + "\n\n" + start, 1)


def _delete(text: str, before: dict) -> str:
    return _without_block(text, before["p-6"][:50])


def _edit(text: str, before: dict) -> str:
    old = "heavy on symbolism but light on substance"
    assert old in before["p-2"] and text.count(old) == 1
    return text.replace(old, "heavy on symbolism and rather light on substance", 1)


SCENARIOS = {
    # name: (paper slug, source file, change)
    "insert": (KLINGNER_SLUG, "klingner-2019-heritage-ib5022.txt", _insert),
    "delete": (GOMEZ_SLUG, "gomez-2019-cato-oped.txt", _delete),
    "edit": (GOMEZ_SLUG, "gomez-2019-cato-oped.txt", _edit),
}


def _run(project, *args):
    result = subprocess.run([str(BIN / "policy-reader"), *args, "--root", str(project)],
                            cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def changed_site(request, tmp_path_factory):
    """(scenario, slug, ids/words before, ids/words after, `permalinks --update` output, site dir, base URL)."""
    name = request.param
    slug, source, change = SCENARIOS[name]
    project = tmp_path_factory.mktemp(name) / "project"
    project.mkdir()
    for folder in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / folder, project / folder)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    before = published(project, slug)
    src = project / "sources" / source
    src.write_text(change(src.read_text(encoding="utf-8"), before), encoding="utf-8")
    _run(project, "convert")
    update = _run(project, "permalinks", "--update")
    _run(project, "permalinks", "--check")
    site = project.parent / "site"
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield name, slug, before, published(project, slug), update, site, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


READ_WORDS = """el => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('.pr-link, .pr-cite, sup, .topic-chips').forEach(n => n.remove());
  return copy.textContent.replace(/\\s+/g, ' ').trim();
}"""


def test_every_old_permalink_lands_on_its_words_or_on_the_notice(page, changed_site):
    name, slug, before, after, update, _, base = changed_site
    retired = sorted(set(before) - set(after))
    assert retired == (["p-6"] if name == "delete" else [])
    for pid, words in before.items():
        page.goto(f"{base}papers/{slug}/#{pid}")
        if pid in after:
            target = page.locator(f"#{pid}")
            expect(target).to_have_class(re.compile(r"\bpr-target\b"))
            expect(target).to_be_in_viewport()
            shown = target.evaluate(READ_WORDS)
            assert shown == after[pid], pid
            if name == "edit" and pid == "p-2":
                assert shown != words and similarity(shown, words) >= THRESHOLD
            else:
                assert shown == words, pid  # the very same words as before the change
            expect(page.locator("#pr-notice")).to_have_count(0)
        else:
            notice = page.locator("#pr-notice")
            expect(notice).to_be_visible()
            expect(notice).to_have_text("This paragraph (¶ 6) was removed; the nearest is ¶ 7.")
            expect(notice).to_be_in_viewport()
            successor = page.locator("#p-7")
            expect(successor).to_have_class(re.compile(r"\bpr-target\b"))
            # the notice sits right above its successor and links to it
            assert notice.evaluate("n => n.nextElementSibling.id") == "p-7"
            notice.get_by_role("link", name="¶ 7").click()
            page.wait_for_url(re.compile(r"#p-7$"))
            expect(page.locator("#pr-notice")).to_have_count(0)
            expect(successor).to_have_class(re.compile(r"\bpr-target\b"))


def test_the_change_is_printed_and_labels_stay_on_their_words(page, changed_site):
    name, slug, before, after, update, site, base = changed_site
    expected = {
        "insert": f"{KLINGNER_SLUG}: ¶ 11a (p-11a) is new",
        "delete": f"{GOMEZ_SLUG}: ¶ 6 (p-6) was removed: its links now open ¶ 7 (p-7) with a notice",
        "edit": f"{GOMEZ_SLUG}: ¶ 2 (p-2) was edited",
    }[name]
    assert expected in update
    page.goto(f"{base}papers/{slug}/")
    labels = page.locator("p.para a.pr-link").all_inner_texts()
    old_labels = ["¶ " + pid[2:] for pid in before if pid.startswith("p-")]
    if name == "insert":
        assert after["p-11a"] == INSERTED
        assert labels == old_labels[:11] + ["¶ 11a"] + old_labels[11:]
        expect(page.locator("#p-11a a.pr-link")).to_have_text("¶ 11a")
    elif name == "delete":
        assert labels == [label for label in old_labels if label != "¶ 6"]  # a gap, no renumbering
    else:
        assert labels == old_labels


def test_search_entries_and_bibliography_back_links_follow_the_words(changed_site, built_site):
    """Search entries and bibliography back-links are made from the pages: the ids they
    link to are the ids of the same words (the real site, built unchanged, for comparison)."""
    import html as html_lib
    from policy_reader.page.markdown import label
    from policy_reader.site.search import shards

    name, slug, before, after, _, site, _ = changed_site
    entries = {}
    for doc in shards.load_docs(site):
        if doc["location"].startswith(f"papers/{slug}/#"):
            entries[doc["location"].split("#", 1)[1]] = (doc["location"], doc["title"], doc["text"])
    assert set(after) <= set(entries)
    assert not set(before) - set(after) & set(entries)  # no entry for a removed paragraph
    for pid, words in after.items():
        location, title, text = entries[pid][:3]
        name_of = label(pid) if pid.startswith("p-") else "Key takeaway " + pid.split("-", 1)[1]
        assert title.startswith(name_of + " · "), (pid, title)
        plain = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", text)).split())
        assert plain.startswith(words[:60]), (pid, plain[:80])

    def back_links(root):
        html = (root / "bibliography" / "index.html").read_text(encoding="utf-8")
        return sorted(set(re.findall(r'href="\.\./papers/([^/]+)/#([\w-]+)"', html)))

    assert back_links(site) == back_links(built_site)
