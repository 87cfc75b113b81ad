"""YAML with positions: compose a document into nodes and map nodes back to file places.

pyyaml's composer (``yaml.compose`` with ``SafeLoader``) keeps a start mark on every node,
which is all we need for node positions. libyaml's composer (``CSafeLoader``) builds the same
nodes with the same marks much faster (benchmarks/README.md), but only for well-formed files without
some characters (its error messages, and a few corner cases, differ): it is used where it
provably agrees, and the pure-Python composer everywhere else (see :func:`_compose_fast`). Offsets *inside* a scalar need more: folding,
indentation, quotes and escapes make the scalar's value differ from its source text, so
:func:`source_text` aligns the value with the source character by character.
"""

from __future__ import annotations

import bisect
import re
from array import array

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import yaml
else:

    class _Yaml:
        """pyyaml, imported on first use: unpickling a cached pack needs :class:`_Places` only."""

        def __getattr__(self, name: str) -> Any:
            import yaml as module

            globals()["yaml"] = module
            return getattr(module, name)

    yaml = _Yaml()

from eventx.errors import Diagnostic
from eventx import codes
from eventx.rules.model import Pos, SourceText

# pyyaml's Reader counts these as line breaks; marks and our tables must agree.
_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")
_SPACE = " \t\r\n\x85\u2028\u2029\ufeff"
_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}  # backslash + letter + hex digits
_RUN = re.compile(r"\S+|\s+")  # \s is str.isspace()
_BLANKS_BEFORE_TEXT = re.compile(r"\s+(?=\S)")


class YamlSource:
    """One decoded YAML file: its display path, text and line table."""

    def __init__(self, file: str, text: str):
        self.file = file
        # pyyaml skips a byte-order mark without counting a column; dropping it keeps marks
        # and our own index -> (line, col) table in step.
        self.text = text[1:] if text.startswith("\ufeff") else text
        self._line_starts = [0] + [m.end() for m in _BREAK.finditer(self.text)]
        self._texts: dict[yaml.Node, SourceText] = {}  # by node: a source parsed once is read again by `eventx serve`

    def place(self, index: int) -> tuple[int, int]:
        """1-based (line, col) of a character index."""
        row = bisect.bisect_right(self._line_starts, index) - 1
        return row + 1, index - self._line_starts[row] + 1

    def pos(self, node: yaml.Node | None) -> Pos:
        if node is None:
            return Pos(self.file, 0, 0)
        mark = node.start_mark
        return Pos(self.file, mark.line + 1, mark.column + 1)

    def compose(self) -> tuple[yaml.Node | None, list[Diagnostic]]:
        """Compose the single document, turning every failure into a diagnostic."""
        node = _compose_fast(self.text)
        if not isinstance(node, _Slow):
            return node, []
        try:
            return yaml.compose(self.text, Loader=yaml.SafeLoader), []
        except yaml.MarkedYAMLError as error:
            return None, [self._marked_error(error)]
        except yaml.reader.ReaderError as error:
            line, col = self.place(error.position)
            message = f"character {error.character!r} is not allowed in YAML ({error.reason})"
            return None, [Pos(self.file, line, col).diagnostic(codes.YAML_SYNTAX, message)]
        except RecursionError:
            return None, [Pos(self.file, 0, 0).diagnostic(codes.YAML_SYNTAX, "YAML nesting is too deep")]
        except yaml.YAMLError as error:
            return None, [Pos(self.file, 0, 0).diagnostic(codes.YAML_SYNTAX, f"invalid YAML: {error}")]

    def _marked_error(self, error: yaml.MarkedYAMLError) -> Diagnostic:
        mark = error.problem_mark or error.context_mark
        pos = Pos(self.file, mark.line + 1, mark.column + 1) if mark else Pos(self.file, 0, 0)
        problem = error.problem or error.context or "invalid YAML"
        if "'\\t'" in problem:
            return pos.diagnostic(codes.TAB_INDENT, "tab character in indentation (YAML indents with spaces)")
        message = f"YAML syntax error: {problem}"
        if error.context and error.context_mark and error.problem:
            ctx = error.context_mark
            message += f" ({error.context} at line {ctx.line + 1}, column {ctx.column + 1})"
        return pos.diagnostic(codes.YAML_SYNTAX, message)

    def source_text(self, node: yaml.Node) -> SourceText:
        """The scalar's value with the file place of every character in it (``node`` is a
        validated scalar)."""
        found = self._texts.get(node)
        if found is not None:
            return found
        node = cast(yaml.ScalarNode, node)
        value, style = node.value, node.style or ""
        indices = _align(value, self.text, _content_start(self.text, node), node.end_mark.index, style)
        places = _Places(indices, self._line_starts)
        line, col = places[0] if value else (node.start_mark.line + 1, node.start_mark.column + 1)
        found = self._texts[node] = SourceText(value, Pos(self.file, line, col), style, places)
        return found


class _Places:
    """``SourceText.places`` computed on demand: (line, col) of the source index of each character.

    Only diagnostics and ``explain`` ever ask for a place, so a scalar keeps its source
    indices (a ``range`` when it stands verbatim in the file, else a compact array) and the
    file's line table, which all its scalars share, instead of a tuple per character.
    """

    __slots__ = ("_indices", "_line_starts")

    def __init__(self, indices: list[int], line_starts: list[int]):
        first = indices[0]
        if indices[-1] - first == len(indices) - 1 and indices == list(range(first, first + len(indices))):
            self._indices: range | array = range(first, first + len(indices))
        else:
            self._indices = array("q", indices)
        self._line_starts = line_starts

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, offset: int) -> tuple[int, int]:
        index = self._indices[offset]
        row = bisect.bisect_right(self._line_starts, index) - 1
        return row + 1, index - self._line_starts[row] + 1


class _Slow:
    """_compose_fast()'s answer "use the pure-Python composer"."""


_SLOW = _Slow()
# Where libyaml and pyyaml's Python reader disagree on positions or on what is allowed: tabs,
# CR and the Unicode line breaks (line counting), a byte-order mark inside the text (pyyaml
# does not count it as a column), and characters the Python reader rejects.
_PYTHON_ONLY: list[re.Pattern[str]] = []  # built with pyyaml's own class of characters, on first use


def _python_only() -> re.Pattern[str]:
    if not _PYTHON_ONLY:
        _PYTHON_ONLY.append(re.compile(r"[\t\r\x85\u2028\u2029\ufeff]|" + yaml.reader.Reader.NON_PRINTABLE.pattern))
    return _PYTHON_ONLY[0]

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "seq", "map", "int", "float", "bool", "null", "timestamp", "binary", "set", "omap",
                 "pairs", "merge", "value", "yaml")
)
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*")
_TAGGED = re.compile(r"(?:&\S*\s+)?!")  # a node with an explicit tag (after its anchor)


def _compose_fast(text: str) -> yaml.Node | None | _Slow:
    """The document composed by libyaml when that is exactly what ``SafeLoader`` gives, else _SLOW.

    Checked differentially on random YAML-like text: with a final line break and none of
    ``_python_only()``, both composers build the same nodes (tags, values, scalar styles, marks;
    libyaml says ``''`` for a plain style where pyyaml says None, read here as ``or ""``)
    whenever both succeed. What libyaml accepts and pyyaml rejects is caught afterwards:
    explicit tags, a block scalar header followed directly by ``#``, and ``?`` or ``:`` in a
    plain scalar inside a flow collection (``[a?b]``); and an empty value in a flow
    collection (``{args: }``), whose position differs. Every error
    goes through pyyaml again, for its messages and positions.
    """
    if not text.endswith("\n") or _python_only().search(text) or not hasattr(yaml, "CSafeLoader"):
        return _SLOW
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, RecursionError):
        return _SLOW
    seen: set[int] = set()
    stack = [(node, False)] if node is not None else []
    while stack:
        item, in_flow = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if item.tag not in _STANDARD_TAGS or _TAGGED.match(text, item.start_mark.index):
            return _SLOW
        if isinstance(item, yaml.ScalarNode):
            if item.style in ("|", ">"):
                header = _BLOCK_HEADER.match(text, item.start_mark.index)
                if header is None or text[header.end() : header.end() + 1] not in (" ", "\n"):
                    return _SLOW
            elif in_flow and not item.style and (not item.value or "?" in item.value or ":" in item.value):
                # pyyaml ends a plain scalar in a flow collection at ? and :, libyaml not
                # always; and they place an empty value in one (`{a: }`) differently
                return _SLOW
            continue
        in_flow = in_flow or bool(getattr(item, "flow_style", False))
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                stack += ((key, in_flow), (value, in_flow))
        else:
            stack += ((child, in_flow) for child in item.value)
    return node


def _content_start(src: str, node: yaml.ScalarNode) -> int:
    """Index of the first source character that can belong to the value (past tags and anchors)."""
    at, end = node.start_mark.index, node.end_mark.index
    style = node.style or ""
    if style in "|>" and style:
        brk = _BREAK.search(src, at, end)
        return brk.end() if brk else end
    if style in ("'", '"'):
        quote = src.find(style, at, end)
        return quote + 1 if quote >= 0 else at
    while at < end and src[at] in "&!":  # node properties before a plain scalar
        while at < end and src[at] not in _SPACE:
            at += 1
        while at < end and src[at] in _SPACE:
            at += 1
    return at


def _skip_continuations(src: str, at: int, end: int) -> int:
    """Skip double-quoted line continuations (a backslash ending a line) and the indentation after."""
    while at + 1 < end and src[at] == "\\" and (brk := _BREAK.match(src, at + 1)):
        at = brk.end()
        while at < end and src[at] in " \t":
            at += 1
    return at


def _align(value: str, src: str, at: int, end: int, style: str) -> list[int]:
    """Source index of every character of ``value`` plus one past its end.

    Every non-blank value character is found literally in the source, in order, with only
    indentation and line breaks in between -- except escapes (double-quoted) and doubled
    quotes (single-quoted), which are stepped over explicitly. Blanks that folding made up
    are placed where the folded line break was. Unknown territory falls back to stepping
    one character, so the result is always defined (exact for everything but odd escapes).
    """
    out: list[int] = []
    escapes = {'"': "\\", "'": "'"}.get(style)
    for run in _RUN.finditer(value):
        chunk = run.group()
        # A run that stands verbatim in the source: the loop below would step through it one
        # source character per value character (spaces skipped before a non-blank run only).
        probe = at
        if not chunk[0].isspace():
            while probe < end and src[probe] in _SPACE:
                probe += 1
        if (
            probe + len(chunk) <= end
            and src.startswith(chunk, probe)
            and not (escapes and escapes in chunk)
            and not (style == '"' and src[probe] == "\\")
            and "\ufeff" not in chunk  # skipped like a blank in the source, though not isspace()
        ):
            out.extend(range(probe, probe + len(chunk)))
            at = probe + len(chunk)
            continue
        at = _align_chars(chunk, src, at, end, style, out)
    out.append(at)
    _pull_blanks_to_next(value, src, out)
    return out


def _align_chars(value: str, src: str, at: int, end: int, style: str, out: list[int]) -> int:
    """:func:`_align` one character at a time; appends to ``out`` and returns the next index."""
    for ch in value:
        if style == '"':
            at = _skip_continuations(src, at, end)
        probe = at
        if not ch.isspace():
            while probe < end and src[probe] in _SPACE:
                probe += 1
        if style == '"' and probe < end and src[probe] == "\\":
            out.append(probe)
            at = probe + _ESCAPE_LENGTH.get(src[probe + 1 : probe + 2], 2)
        elif style == "'" and ch == "'" and src.startswith("''", probe):
            out.append(probe)
            at = probe + 2
        elif probe < end and src[probe] == ch:
            out.append(probe)
            at = probe + 1
        elif ch.isspace():  # made up by line folding: stands where the break was
            out.append(at)
        else:
            out.append(at)
            at += 1
    return at


def _pull_blanks_to_next(value: str, src: str, out: list[int]) -> None:
    """Re-anchor runs of blanks on the character after them when the source has them right there.

    Greedy alignment eats indentation for the spaces of a more-indented line; this moves
    such spaces next to the text they precede (never across a line break, so spaces made
    up by folding stay where the break was).
    """
    for run in _BLANKS_BEFORE_TEXT.finditer(value):
        i = run.end() - 1
        target = out[i + 1] - 1
        while (
            i >= 0
            and value[i] in " \t"
            and target >= 0
            and src[target] == value[i]
            and not _BREAK.search(src, min(out[i], target), max(out[i], target) + 1)
        ):
            out[i] = target
            i, target = i - 1, target - 1
