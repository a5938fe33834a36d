"""Generated HTML from Jinja templates (site/fragments.py, site/templates/fragments/policy-reader/):
a template of the same name under the project's custom_dir replaces ours in a real build, the
cache of generated pages notices it, and every value from outside is escaped where it lands."""

from __future__ import annotations

import html

from policy_reader.site import fragments as F
from policy_reader.site.library import byline, facets_form, library_summary, papers_list
from policy_reader.site.timeline import Event, Mention, render as render_timeline
from support import LOCAL_SITE_URL, copy_project, mkdocs_build

OURS = F.TEMPLATES_DIR / "fragments" / "policy-reader"
HOSTILE = "<script>alert('x')</script> & \"quoted\""


def test_an_override_in_custom_dir_replaces_a_generated_block(tmp_path):
    project = copy_project(tmp_path / "project")
    env = {"SITE_URL": LOCAL_SITE_URL}
    first = mkdocs_build(project, tmp_path / "site1", env=env)  # fills the cache (topic pages included)
    assert first.returncode == 0, first.stderr
    topic = next((tmp_path / "site1" / "topics").glob("*/index.html"))
    assert "topic-passage" in topic.read_text(encoding="utf-8")
    assert "overridden-passage" not in topic.read_text(encoding="utf-8")

    overrides = project / "docs" / "overrides" / "fragments" / "policy-reader"
    overrides.mkdir(parents=True)
    passage = (OURS / "topic-paper.html").read_text(encoding="utf-8")
    assert 'class="topic-passage"' in passage
    (overrides / "topic-paper.html").write_text(passage.replace('class="topic-passage"', 'class="topic-passage overridden-passage"'), encoding="utf-8")
    # The paper pages' ¶ link, Cite button and topic chips (paragraph-link.html, topic-chips.html).
    link = (OURS / "paragraph-link.html").read_text(encoding="utf-8")
    assert 'class="pr-link"' in link and 'class="pr-cite"' in link
    (overrides / "paragraph-link.html").write_text(
        link.replace('class="pr-link"', 'class="pr-link overridden-link"').replace('class="pr-cite"', 'class="pr-cite overridden-cite"'),
        encoding="utf-8")
    chips = (OURS / "topic-chips.html").read_text(encoding="utf-8")
    assert 'class="topic-chip"' in chips
    (overrides / "topic-chips.html").write_text(chips.replace('class="topic-chip"', 'class="topic-chip overridden-chip"'), encoding="utf-8")
    timeline = (OURS / "timeline.html").read_text(encoding="utf-8")
    (overrides / "timeline.html").write_text(timeline.replace('<ol class="timeline">', '<ol class="timeline overridden-timeline">'), encoding="utf-8")

    second = mkdocs_build(project, tmp_path / "site2", env=env)  # same cache: the override must win
    assert second.returncode == 0, second.stderr
    site = tmp_path / "site2"
    built = topic.relative_to(tmp_path / "site1")
    text = (site / built).read_text(encoding="utf-8")
    assert text.count("overridden-passage") == text.count("topic-passage-link") > 0
    assert 'class="timeline overridden-timeline"' in (site / "timeline" / "index.html").read_text(encoding="utf-8")
    paper = next((tmp_path / "site1" / "papers").glob("*/index.html")).relative_to(tmp_path / "site1")
    before = (tmp_path / "site1" / paper).read_text(encoding="utf-8")
    after = (site / paper).read_text(encoding="utf-8")  # the paper-page cache keys on the templates too
    assert "overridden" not in before
    assert after.count('class="pr-link overridden-link"') == before.count('class="pr-link"') > 0
    assert after.count('class="pr-cite overridden-cite"') == before.count('class="pr-cite"') > 0
    assert after.count('class="topic-chip overridden-chip"') == before.count('class="topic-chip"') > 0
    # Undo the classes the override added: the rest of the paper page is the same bytes.
    undone = after.replace(" overridden-link", "").replace(" overridden-cite", "").replace(" overridden-chip", "")
    assert undone == before
    # Blocks that were not overridden are as before.
    assert (site / "bibliography" / "index.html").read_bytes() == (tmp_path / "site1" / "bibliography" / "index.html").read_bytes()


def test_paragraph_link_and_chip_macros_escape_as_the_html_they_replace():
    """The macros give the bytes the f-strings of panels.py and TopicChips gave, values escaped."""
    frag = F.for_config()
    link = frag.macro("paragraph-link.html", "link")
    assert link("p-3", "https://x.org/?a=1&b=\"2\"#p-3", "¶ 3", "¶ 3") == (
        '<a class="pr-link" href="#p-3" data-permalink="https://x.org/?a=1&amp;b=&quot;2&quot;#p-3" '
        'title="Copy the link to ¶ 3" aria-label="¶ 3: copy link">¶ 3</a>')
    assert frag.macro("paragraph-link.html", "cite")("kt-2", "key takeaway 2") == (
        ' <button type="button" class="pr-cite" aria-expanded="false" aria-controls="cite-kt-2" '
        'aria-label="Cite key takeaway 2">Cite</button>')
    chip = frag.macro("topic-chips.html", "chip")(HOSTILE, "t-1", HOSTILE)
    assert chip == (f'<a class="topic-chip" href="{html.escape(HOSTILE, quote=True)}" '
                    f'data-topic="t-1">{html.escape(HOSTILE)}</a>')
    chips = F.Markup(chip)  # the chips' HTML, built by chip(): not escaped again
    assert frag.macro("topic-chips.html", "paragraph")(chips) == (
        f' <span class="topic-chips"><span class="topic-chips-label">Topics:</span> {chip}</span>')
    assert frag.macro("topic-chips.html", "header")(chips) == (
        f'<p class="paper-topics"><span class="topic-chips-label">Topics in this paper:</span> {chip}</p>')
    assert frag.macro("topic-chips.html", "chip") is frag.macro("topic-chips.html", "chip")  # fetched once


def test_filters_escape_as_html_escape_and_python_markdown():
    assert F.text(HOSTILE) == html.escape(HOSTILE, quote=True)
    assert F.md_text(HOSTILE) == html.escape(HOSTILE, quote=False)
    marked = F.md_text("a &lt; b")  # escaped text already (a Markup) is not escaped twice
    assert F.md_text(marked) == marked and F.text(F.Markup('say "hi"')) == "say &quot;hi&quot;"


def _meta(**over):
    meta = {"slug": "x-2019", "title": HOSTILE, "authors": [HOSTILE, "Ann Lee"], "publisher": HOSTILE,
            "date": "2019-07-01", "summary": HOSTILE, "series": HOSTILE, "number": "5",
            "source_url": "https://example.org/?a=1&b=\"2\"", "rights": HOSTILE}
    return {**meta, **over}


def test_library_fragments_escape_every_value():
    meta = _meta()
    topics_of = lambda slug: [("t-1", HOSTILE)]  # noqa: E731
    shown = (byline(meta), papers_list([meta], "papers/", topics_of), facets_form([meta], topics_of))
    for out in (*shown, library_summary([meta], topics_of)):
        assert "<script>" not in out and '"quoted"' not in out
    for out in shown:
        assert html.escape(HOSTILE) in out
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in byline(meta)


def test_timeline_fragment_escapes_every_value():
    event = Event(date="2019-07", title=HOSTILE, description=HOSTILE, line=1,
                  mentions=(Mention(paper="x-2019", para="p-1", quote=HOSTILE),))
    out = render_timeline([event], {"x-2019": _meta()}, {"x-2019": "../papers/x-2019/"})
    assert "<script>" not in out and '"quoted"' not in out
    assert out.count(html.escape(HOSTILE)) == 3  # title, description, quote
    assert "&quot;quoted&quot; et al. 2019, ¶\u00a01" in out  # the first author's surname, escaped


BROKEN = [  # (override, its text, the line the error names, what the error says)
    ("byline.html", "<p>\n{% if %}\n</p>\n", 2, "Expected an expression"),  # a syntax error (paper pages' Markdown)
    ("topic-paper.html", "{% macro head(paper, href) %}\n{% for x in %}{% endmacro %}\n", 2, "Expected an expression"),  # on_files
    ("timeline.html", "<ol>\n{% for e in events %}\n\n{{ e.no_such.value }}{% endfor %}</ol>\n", 4,
     "cannot render the template (UndefinedError: "),  # an undefined value while rendering
    ("paragraph-link.html", '{% import "fragments/policy-reader/no-such.html" as x %}\n', 1,
     "template 'fragments/policy-reader/no-such.html' is not in the theme"),  # TemplateNotFound (¶ links)
]


def test_a_broken_override_fails_the_build_with_one_line_naming_its_file_and_line(tmp_path):
    """A theme override with a syntax error, an undefined value or a missing template: the build
    stops with one line `FILE:LINE: what; how to fix`, no Jinja traceback, and no page of it is written."""
    project = copy_project(tmp_path / "project")
    overrides = project / "docs" / "overrides" / "fragments" / "policy-reader"
    overrides.mkdir(parents=True)
    for name, text, line, what in BROKEN:
        for old in overrides.iterdir():
            old.unlink()
        (overrides / name).write_text(text, encoding="utf-8")
        site = tmp_path / f"site-{name}"
        result = mkdocs_build(project, site, env={"SITE_URL": LOCAL_SITE_URL})
        assert result.returncode == 1, (name, result.stderr)
        assert "Traceback" not in result.stderr and "jinja2" not in result.stderr, result.stderr
        shown = f"docs/overrides/fragments/policy-reader/{name}"
        lines = [ln for ln in result.stderr.splitlines() if shown in ln]
        assert len(lines) == 1, result.stderr
        assert lines[0].split("-", 1)[1].strip().startswith(f"{shown}:{line}: "), lines[0]
        assert what in lines[0] and "; " in lines[0].split(f"{shown}:{line}: ", 1)[1], lines[0]
        assert not list(site.glob("papers/*/index.html")) and not (site / "timeline" / "index.html").exists()


def test_an_error_in_a_fragment_names_the_template_in_one_line(tmp_path):
    """Without a build: a macro an override lacks, a missing template, a render error of ours."""
    import jinja2
    import pytest
    from mkdocs.exceptions import PluginError

    frag = F.Fragments()
    frag.env.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(tmp_path)), frag.env.loader])
    (tmp_path / "fragments" / "policy-reader").mkdir(parents=True)
    (tmp_path / "fragments" / "policy-reader" / "paragraph-link.html").write_text("{% macro link() %}{% endmacro %}\n")
    with pytest.raises(PluginError, match=r"paragraph-link\.html: the template has no macro 'cite'; keep the macros"):
        frag.macro("paragraph-link.html", "cite")
    with pytest.raises(PluginError, match=r"^fragments/policy-reader/no-such\.html: template 'fragments/policy-reader/no-such\.html' is not in the theme; "):
        frag.render("no-such.html")
    with pytest.raises(PluginError, match=r"^fragments/policy-reader/no-such\.html: template .* is not in the theme; "):
        frag.digest(["no-such.html"])
    with pytest.raises(PluginError, match=r"byline\.html:\d+: cannot render the template \(.*\); fix the template") as got:
        F.Fragments().render("byline.html", parts=None)  # ours, given a wrong value
    assert "\n" not in str(got.value)
