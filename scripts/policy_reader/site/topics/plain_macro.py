"""A template's macro that only puts values into its text, filled without a Jinja call.

A topic page holds one passage per tagged paragraph (60,000 at 1,000 papers), each the
``passage`` macro of ``fragments/policy-reader/topic-paper.html`` (site/fragments.py).
Calling a Jinja macro costs far more than the few strings it joins, so when the macro
(ours, or a theme override's) is nothing but its text and its arguments (or their
attributes) put in through ``| text``, ``| md_text``, ``| safe`` or bare (autoescaped), and
constant strings (``{{ ' ' }}``, escaped),
:func:`plain_macro` reads it once from the template's syntax tree and gives a function
that joins the same pieces: the same filters, the same ``environment.getattr``, the same
autoescape, so the same string. Anything else in the macro (a condition, a loop, another
filter, a name from outside it) gives None, and the caller calls the macro as before.
The template stays the one definition of the HTML; tests/test_topic_pages.py compares
both on the papers' passages and checks that an override with a condition is called.
"""

from __future__ import annotations

from typing import Callable

from jinja2 import nodes
from jinja2.filters import do_mark_safe as _SAFE
from markupsafe import Markup, escape

from policy_reader.site import fragments as F

#: Filters a plain macro may use: ours (site/fragments.py) and Jinja's ``safe``, each one argument.
FILTERS = ("text", "md_text", "safe")


def checked_macro(fragments: F.Fragments, template: str, name: str, on_differ: Callable[[], None] | None = None) -> Callable[..., str]:
    """The macro ``name`` of ``template`` as a function: :func:`plain_macro`'s fill when there is
    one, compared with the real macro on its first call; the real macro for every call after a
    difference or an error in the fill (``on_differ`` is told once)."""
    macro = fragments.macro(template, name)  # its errors first
    fill = plain_macro(fragments, template, name)
    if fill is None:
        return macro
    checked = False

    def call(*args):
        nonlocal checked, fill
        if fill is not None:
            try:
                got = fill(*args)
            except Exception:
                got = None
            if checked and got is not None:
                return got
            want = macro(*args)
            if got != want:
                fill = None
                if on_differ is not None:
                    on_differ()
            checked = True
            return want
        return macro(*args)
    return call


def plain_macro(fragments: F.Fragments, template: str, name: str) -> Callable[..., str] | None:
    """A function of the macro's arguments (all given, in order) giving what
    ``fragments.macro(template, name)`` gives; None when the macro is more than that.
    Call ``fragments.macro`` first: its errors (a missing template or macro) come from there."""
    env = fragments.env
    if env.finalize is not None or env.autoescape is not True or env.is_async:
        return None
    try:
        source, _, _ = env.loader.get_source(env, F.PREFIX + template)
        tree = env.parse(source)
    except Exception:  # fragments.macro reports a template that cannot be read
        return None
    if any(True for _ in tree.find_all((nodes.Extends, nodes.Import, nodes.FromImport, nodes.Include))):
        return None
    found = [m for m in tree.body if isinstance(m, nodes.Macro) and m.name == name]
    if len(found) != 1:
        return None
    macro = found[0]
    params = [a.name for a in macro.args]
    pieces: list = []
    for out in macro.body:
        if not isinstance(out, nodes.Output):
            return None
        for node in out.nodes:
            if isinstance(node, nodes.TemplateData):
                pieces.append(node.data)
                continue
            if isinstance(node, nodes.Const) and type(node.value) is str:
                # ``{{ ' ' }}``: Jinja writes a constant escaped (autoescape), as text of the template
                pieces.append(str(escape(node.value)))
                continue
            filt = None
            if isinstance(node, nodes.Filter):
                if (node.node is None or node.name not in FILTERS or node.args or node.kwargs
                        or node.dyn_args is not None or node.dyn_kwargs is not None):
                    return None
                filt = env.filters.get(node.name)
                if filt is None or getattr(filt, "jinja_pass_arg", None) is not None:
                    return None
                node = node.node
            attr = None
            if isinstance(node, nodes.Getattr) and node.ctx == "load":
                attr, node = node.attr, node.node
            if not (isinstance(node, nodes.Name) and node.ctx == "load" and node.name in params):
                return None
            pieces.append((params.index(node.name), attr, filt))
    return _filler(pieces, env.getattr, len(params))


#: Filtered values kept per filler (ids, labels and addresses repeat from passage to passage),
#: for plain strings up to this long, and up to this many before it starts again.
MEMO_CHARS, MEMO_SIZE = 200, 20_000


def _filler(pieces: list, env_getattr, n_args: int) -> Callable[..., str]:
    """``fill(*args)``: Jinja's ``environment.getattr`` (an attribute, else an item, else
    undefined), the filter, then ``escape`` unless the filter gave Markup (Jinja's autoescape)."""
    # The text pieces stay in place in ``template``; each value's place is a slot, with its own memo.
    template = [piece if piece.__class__ is str else None for piece in pieces]
    slots = [(j, *piece, {}) for j, piece in enumerate(pieces) if piece.__class__ is not str]

    def fill(*args) -> str:
        if len(args) != n_args:
            raise TypeError(f"the macro takes {n_args} arguments, not {len(args)}")
        out = template.copy()
        for j, i, attr, filt, memo in slots:
            value = args[i]
            if attr is not None:
                try:
                    value = getattr(value, attr)
                except AttributeError:
                    value = env_getattr(value, attr)
            if value.__class__ is str and len(value) <= MEMO_CHARS:
                got = memo.get(value)
                if got is None:
                    if len(memo) >= MEMO_SIZE:
                        memo.clear()
                    got = memo[value] = str(escape(value if filt is None else filt(value)))
                out[j] = got
                continue
            if value.__class__ is Markup and filt is _SAFE:  # Markup(value): the same text
                out[j] = value
                continue
            value = value if filt is None else filt(value)
            out[j] = value if value.__class__ is Markup else escape(value)
        return "".join(out)
    return fill
