"""site/deferred_imports.py: a module a build does not use is not loaded, and one it uses is whole."""

import subprocess
import sys
import textwrap


def run(code: str, path=None) -> str:
    env_path = [] if path is None else [str(path)]
    prelude = f"import sys; sys.path[:0] = {env_path!r}\n"
    out = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_module_runs_at_its_first_attribute_and_only_once(tmp_path):
    pkg = tmp_path / "deferpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("import sys\nsys.ran = getattr(sys, 'ran', 0) + 1\nVALUE = 42\nfrom . import sub\n")
    (pkg / "sub.py").write_text("WORD = 'sub'\n")
    got = run("""
        from policy_reader.site import deferred_imports
        assert deferred_imports.defer("deferpkg")
        import deferpkg
        print(getattr(sys, "ran", 0))
        print(deferpkg.VALUE, deferpkg.sub.WORD, deferpkg.VALUE)
        print(sys.ran, type(deferpkg).__name__)
        try:
            deferpkg.missing
        except AttributeError:
            print("AttributeError")
        print(deferred_imports.defer("deferpkg"), deferred_imports.defer("no_such_module_here"))
    """, tmp_path)
    assert got.split("\n") == ["0", "42 sub 42", "1 module", "AttributeError", "False False"]


def test_the_plugin_defers_requests_and_requests_still_works():
    got = run("""
        import policy_reader.site.plugin
        import mkdocs_bibtex.plugin  # imports requests (for URLs we never give it)
        print("urllib3" in sys.modules)
        import requests
        print(callable(requests.get), issubclass(requests.exceptions.RequestException, OSError), "urllib3" in sys.modules)
    """)
    assert got.split("\n") == ["False", "True True True"]


def test_loading_the_topic_model_does_not_import_the_stemmers_until_a_word_is_stemmed():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    got = run(f"""
        from pathlib import Path
        from policy_reader.topics import model, rules
        vocab = rules.load_vocabulary(Path({str(root)!r}))
        print(vocab.model is not None, "snowballstemmer" in sys.modules)
        print(sorted(model.features("The sanctions were sanctioned")), "snowballstemmer" in sys.modules)
    """)
    assert got.split("\n") == ["True False", "['sanction'] True"]
