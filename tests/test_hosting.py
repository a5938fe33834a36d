"""Hosting: the GitHub Pages workflow, and a site that works under its public address
(site_url, canonical links, sitemap, 404 page), from one self-contained folder."""

from __future__ import annotations

import re

import yaml

from support import KLINGNER_SLUG, ROOT, mkdocs_build

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
PUBLIC = "https://example.org/policy-reader/"


def test_pages_workflow_builds_with_make_and_deploys_site():
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as True
    assert "push" in triggers and "workflow_dispatch" in triggers
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = flow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in build]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    pages = next(s for s in build if s.get("uses", "").startswith("actions/configure-pages"))
    make = next(s for s in build if s.get("run") == "make build")
    assert make["env"]["SITE_URL"] == "${{ steps.%s.outputs.base_url }}/" % pages["id"]
    upload = next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert build.index(make) < build.index(upload)
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    # `make build` is the target the README documents, and it builds into site/
    assert re.search(r"^build:.*\n\t\$\(BIN\)/mkdocs build --strict$", (ROOT / "Makefile").read_text(), re.M)


def test_site_under_a_public_address(project_copy, tmp_path):
    out = tmp_path / "out"
    result = mkdocs_build(project_copy, out, env={"SITE_URL": PUBLIC})
    assert result.returncode == 0, result.stderr
    for path in ("", f"papers/{KLINGNER_SLUG}/", "bibliography/", "timeline/"):
        page = (out / path / "index.html").read_text(encoding="utf-8")
        assert f'<link rel="canonical" href="{PUBLIC}{path}">' in page, path
        assert '<meta name="description" content="' in page
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("", f"papers/{KLINGNER_SLUG}/", "bibliography/", "timeline/"):
        assert f"<loc>{PUBLIC}{path}</loc>" in sitemap, path
    # the 404 page works at any depth: its assets are addressed from the site's root path
    missing = (out / "404.html").read_text(encoding="utf-8")
    assert 'href="/policy-reader/assets/stylesheets/main.' in missing
    assert re.search(r"<h1>404 - Not found</h1>", missing)


def test_the_site_folder_is_self_contained(built_site):
    """Every local href/src of every page points at a file inside the folder."""
    missing = []
    for page in built_site.rglob("*.html"):
        if page.name == "404.html":
            continue  # root-absolute by design (see above)
        for ref in re.findall(r'(?:href|src)="([^"#?]+)', page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:|//", ref):
                continue
            target = (page.parent / ref).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                missing.append(f"{page.relative_to(built_site)} -> {ref}")
    assert missing == []
