"""site/source_texts.py: papers read once during on_files, the text let go after."""

from mkdocs.structure.files import File, Files

from policy_reader.site import source_texts


def make_files(tmp_path):
    docs = tmp_path / "docs"
    (docs / "papers").mkdir(parents=True)
    (docs / "papers" / "a.md").write_text("# A\n\nfirst words\n", encoding="utf-8")
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    files = Files([File("papers/a.md", str(docs), str(tmp_path / "site"), True), File("index.md", str(docs), str(tmp_path / "site"), True)])
    generated = File("papers/made.md", None, str(tmp_path / "site"), True)  # as File.generated makes it
    generated.content_string = "# Made\n"
    files.append(generated)
    return docs, files, generated


def test_pinned_papers_are_read_once_and_read_from_disk_again_after(tmp_path):
    docs, files, generated = make_files(tmp_path)
    paper, home = files.get_file_from_path("papers/a.md"), files.get_file_from_path("index.md")
    pinned = source_texts.pin(files, "papers")
    assert pinned == [paper]  # not the home page, not a generated page (its content is its own)
    (docs / "papers" / "a.md").write_text("# A\n\nchanged on disk\n", encoding="utf-8")
    assert paper.content_string == "# A\n\nfirst words\n"  # the text read when pinned
    assert paper.abs_src_path == str(docs / "papers" / "a.md")  # still a file of the docs folder
    source_texts.unpin(pinned)
    assert pinned == []
    assert paper.content_string == "# A\n\nchanged on disk\n"
    assert generated.content_string == "# Made\n"
    assert home.content_string == "# Home\n"
