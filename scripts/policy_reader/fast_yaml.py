"""PyYAML through libyaml (its C parser and emitter) where that changes nothing but speed.

Pure-Python PyYAML reads ``docs/permalinks.yml`` of a 1,000-paper library in
seconds; libyaml does it in a fraction. The C classes share the Python
constructors, representers and resolver with the pure ones, so a document
both parse gives equal data. Where they differ is in what they do with bad
input (libyaml words its errors and places its marks its own way), so every
function here falls back to the pure-Python class on any error: the exception
a caller sees, message and line, is the one it saw before. Without libyaml
(``yaml.__with_libyaml__`` false) the pure classes are used throughout.

Emitting is narrower: libyaml chooses scalar styles and line breaks with its
own code, so :func:`safe_dump` uses it only for data whose every string is a
plain token (letters, digits, ``_ . -``), for which the two emitters are
checked to write the same bytes (tests/test_fast_yaml.py), and the pure
emitter for anything else.
"""

from __future__ import annotations

import re

import yaml

C = bool(getattr(yaml, "__with_libyaml__", False))

# A string both emitters write the same way in any position (key or value).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


_TWINS: dict[type, type] = {}


def twin(loader: type) -> type | None:
    """The libyaml class for a pure loader class (``yaml.SafeLoader``, ``yaml.BaseLoader`` or a
    subclass with its own constructors): libyaml's parser with the same constructors and
    resolvers, so both build the same data with the same marks. None without libyaml."""
    if not C:
        return None
    if loader not in _TWINS:
        base = yaml.CBaseLoader if issubclass(loader, yaml.BaseLoader) else yaml.CSafeLoader
        _TWINS[loader] = type(f"C{loader.__name__}", (base,), {
            "yaml_constructors": dict(loader.yaml_constructors),
            "yaml_multi_constructors": dict(loader.yaml_multi_constructors),
            "yaml_implicit_resolvers": loader.yaml_implicit_resolvers,
        })
    return _TWINS[loader]


def load(text: str, loader: type = yaml.SafeLoader):
    """``yaml.load(text, Loader=loader)``, parsed by libyaml when PyYAML has it."""
    fast = twin(loader)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except Exception:  # noqa: BLE001 - the pure loader below raises the error callers expect
            pass
    return yaml.load(text, Loader=loader)


def compose(text: str):
    """``yaml.compose(text, Loader=SafeLoader)``: the node graph, with each node's marks."""
    fast = twin(yaml.SafeLoader)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except Exception:  # noqa: BLE001 - as in load()
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _tokens_only(data) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if type(item) is dict:  # exact types: subclasses are represented otherwise, or not at all
            for key, value in item.items():
                if not (type(key) is str and _TOKEN.match(key)):
                    return False
                stack.append(value)
        elif not (type(item) is str and _TOKEN.match(item)):
            return False
    return True


def safe_dump(data, **kwargs) -> str:
    """``yaml.safe_dump(data, **kwargs)`` to a string, byte for byte (see the module doc)."""
    if C and _tokens_only(data):
        return yaml.dump(data, Dumper=yaml.CSafeDumper, **kwargs)
    return yaml.safe_dump(data, **kwargs)
