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

Every document is bounded before it is turned into data (:func:`_bounded`): at most
``MAX_BYTES`` of text, and aliases may add at most ``MAX_ALIAS_NODES`` nodes to it
when expanded, so an alias bomb ("billion laughs") is refused with the line of the
alias instead of taking the machine's memory.
"""

from __future__ import annotations

import re

import yaml

C = bool(getattr(yaml, "__with_libyaml__", False))

# A string both emitters write the same way in any position (key or value).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


_TWINS: dict[type, type] = {}

MAX_BYTES = 64 * 1024 * 1024
"""Largest YAML text read (a 1,000-paper docs/permalinks.yml is a few MB)."""

MAX_ALIAS_NODES = 10_000
"""How many nodes aliases (``*name``) may add to a document when expanded."""


class LimitError(yaml.composer.ComposerError):
    """A document over the limits above; a YAMLError with a mark, as callers expect."""


def _children(n) -> list:
    if isinstance(n, yaml.SequenceNode):
        return list(n.value)
    if isinstance(n, yaml.MappingNode):
        return [c for pair in n.value for c in pair]
    return []


def _bounded(text: str, node):
    """``node`` (a composed document) if it is within the limits, else LimitError."""
    if len(text) > MAX_BYTES:
        raise LimitError(None, None, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it", None)
    if node is None:
        return node
    # Composed nodes form a graph in which an alias is the anchored node itself. Count every
    # node once (real) and as often as it is reached (expanded); aliases make the difference.
    real: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) not in real:
            real.add(id(n))
            stack.extend(_children(n))
    limit = len(real) + MAX_ALIAS_NODES
    expanded: dict[int, int] = {}
    work = [(node, False)]
    while work:  # post-order without recursion (a deep document is not a stack overflow)
        n, ready = work.pop()
        if id(n) in expanded:
            continue
        children = _children(n)
        if not ready:
            work.append((n, True))
            work.extend((c, False) for c in children if id(c) not in expanded)
            continue
        total = 1
        for c in children:
            total += expanded.get(id(c), 1)
            if total > limit:
                raise LimitError(
                    None, None,
                    f"aliases (*name) expand this document beyond {MAX_ALIAS_NODES} extra nodes; "
                    "write the values out instead of repeating anchors", n.start_mark,
                )
        expanded[id(n)] = total
    return node


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


def _load(text: str, loader: type):
    """``yaml.load``, with the document checked by :func:`_bounded` before it is constructed."""
    parser = loader(text)
    try:
        node = _bounded(text, parser.get_single_node())
        return parser.construct_document(node) if node is not None else None
    finally:
        parser.dispose()


def _compose(text: str, loader: type):
    parser = loader(text)
    try:
        return _bounded(text, parser.get_single_node())
    finally:
        parser.dispose()


def load(text: str, loader: type = yaml.SafeLoader):
    """``yaml.load(text, Loader=loader)``, parsed by libyaml when PyYAML has it."""
    if len(text) > MAX_BYTES:
        _bounded(text, None)
    fast = twin(loader)
    if fast is not None:
        try:
            return _load(text, fast)
        except LimitError:
            raise
        except Exception:  # noqa: BLE001 - the pure loader below raises the error callers expect
            pass
    return _load(text, loader)


def compose(text: str):
    """``yaml.compose(text, Loader=SafeLoader)``: the node graph, with each node's marks."""
    if len(text) > MAX_BYTES:
        _bounded(text, None)
    fast = twin(yaml.SafeLoader)
    if fast is not None:
        try:
            return _compose(text, fast)
        except LimitError:
            raise
        except Exception:  # noqa: BLE001 - as in load()
            pass
    return _compose(text, yaml.SafeLoader)


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
