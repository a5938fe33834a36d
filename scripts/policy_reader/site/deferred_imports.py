"""Modules a build imports but does not use, loaded at their first use instead of at import.

mkdocs-bibtex imports ``requests`` at the top of ``mkdocs_bibtex.utils`` (about 0.17 s:
urllib3, charset_normalizer, email...) for one thing: downloading a ``bib_file`` or
``csl_file`` given as a URL, which this project never does (a build fetches nothing).
:func:`defer` puts the module in ``sys.modules`` with its import attributes only
(``__spec__``, ``__path__``, ``__file__``...): the ``import`` statement binds it at once,
and the module's code runs in that same module object the first time an attribute it
defines is read, so a build that uses it still gets the real module, and one that does
not never loads it. (``importlib.util.LazyLoader`` would not do: on Python 3.11 the
``import`` statement itself reads ``__spec__``, which loads such a module at once.) The plugin module calls :func:`defer_unused` when MkDocs loads it,
which is before mkdocs-bibtex's (plugins load in mkdocs.yml's order; in another order the
module is simply imported as usual). tests/test_deferred_imports.py checks both sides.
"""

from __future__ import annotations

import importlib.util
import sys
import types

#: Imported by a plugin we use, needed only for what our builds never do.
UNUSED = ("requests",)


class _Deferred(types.ModuleType):
    """A module whose code has not run yet; reading an attribute it lacks runs it."""

    def __getattr__(self, attr: str):
        self.__class__ = types.ModuleType  # from now on a plain module (no second run)
        self.__spec__.loader.exec_module(self)
        return getattr(self, attr)


def defer(name: str) -> bool:
    """Make ``import name`` lazy, unless it is imported already or cannot be found;
    True when a deferred module was put in place."""
    if name in sys.modules:
        return False
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return False
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules[name] = module
    return True


def defer_unused() -> None:
    for name in UNUSED:
        defer(name)
