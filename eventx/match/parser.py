"""Recursive-descent parser for token patterns (``docs/writing-rules.md``) into :mod:`eventx.match.ast`.

Grammar (whitespace is free between items; ``#`` outside brackets and quotes starts a comment)::

    alt     := seq ('|' seq)*
    seq     := item*
    item    := atom ('=trigger')? quant?
    atom    := '[' cexpr? ']' | '@' NAME | '${' NAME '}' | '^' | '$' | '(' group ')'
    group   := '?:' alt | '?<' NAME '>' alt | '?=' alt | '?!' alt | '?<=' alt | '?<!' alt | alt
    quant   := ('?' | '*' | '+' | '{' n? (',' m?)? '}') ('?' | '+')?
    cexpr   := cand ('|' cand)*          # inside [...]
    cand    := cnot ('&' cnot)*
    cnot    := '!' cnot | '(' cexpr ')' | 'num' | FIELD '=' values
    values  := value ('|' value)*        # a '|' before NAME '=', '!', '(' or 'num' starts a new cexpr term
    value   := '/' regex '/' | '"' chars '"' | '@' NAME | bare    # '@' NAME: a word list

The parser stops at the first syntax error of a pattern and raises :class:`PatternError`
with the offset; semantic checks (undefined names, empty matches, triggers) live in the compiler.
"""

from __future__ import annotations

import dataclasses

import regex

from eventx import codes
from eventx.match.ast import (
    FIELDS,
    Alt,
    And,
    Anchor,
    Constraint,
    FieldEquals,
    FieldRegex,
    Group,
    IsNumber,
    LexiconRef,
    Node,
    Not,
    Or,
    PatternError,
    Repeat,
    Seq,
    TokenNode,
    VarRef,
)
from eventx.errors import did_you_mean

_NAME = regex.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE_VALUE = regex.compile(r"""[^\s\]|&=!/"()]+""")  # a value starting '@' + name is a word list
_INT = regex.compile(r"\d+")
_MAX_REPEAT = 10_000
QUOTED = "'{}'"


_PARSED_KEPT = 2_000  # trees kept by text (the shipped pack has ~250 pattern and var texts)
_parsed: dict[str, Node] = {}


def parse_pattern(text: str) -> Node:
    """Parse a whole pattern; raise :class:`PatternError` on the first syntax error.

    Trees are immutable, so the tree of a text parsed before is given again (``eventx serve``
    compiles every rule using an edited var again, their own texts unchanged)."""
    node = _parsed.get(text)
    if node is None:
        node = _parse(text)
        if len(_parsed) >= _PARSED_KEPT:
            del _parsed[next(iter(_parsed))]  # the oldest
        _parsed[text] = node
    return node


def _parse(text: str) -> Node:
    parser = _Parser(text)
    node = parser.parse_alt()
    parser.skip_space()
    if not parser.at_end():
        char = parser.peek()
        if char == ")":
            raise PatternError("unbalanced ')': no group to close", parser.pos, codes.UNBALANCED)
        raise PatternError(f"unexpected {char!r}", parser.pos)
    return node


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    # --- low-level helpers -----------------------------------------------------------

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def skip_space(self, *, comments: bool = True) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char.isspace():
                self.pos += 1
            elif comments and char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                break

    def expect(self, literal: str, what: str) -> None:
        if not self.text.startswith(literal, self.pos):
            found = repr(self.peek()) if not self.at_end() else "end of pattern"
            raise PatternError(f"expected {what}, found {found}", self.pos)
        self.pos += len(literal)

    def name(self, what: str) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise PatternError(f"expected {what}", self.pos)
        self.pos = match.end()
        return match.group()

    # --- sequence level ---------------------------------------------------------------

    def parse_alt(self) -> Node:
        start = self.pos
        branches = [self.parse_seq()]
        while True:
            self.skip_space()
            if self.peek() != "|":
                break
            self.pos += 1
            branches.append(self.parse_seq())
        return branches[0] if len(branches) == 1 else Alt(tuple(branches), start)

    def parse_seq(self) -> Node:
        self.skip_space()
        start = self.pos
        items: list[Node] = []
        while True:
            self.skip_space()
            if self.at_end() or self.peek() in "|)":
                break
            items.append(self.parse_item())
        return items[0] if len(items) == 1 else Seq(tuple(items), start)

    def parse_item(self) -> Node:
        start = self.pos
        atom = self.parse_atom()
        if self.text.startswith("=trigger", self.pos):
            if not isinstance(atom, (TokenNode, LexiconRef, VarRef)):
                raise PatternError(
                    "=trigger must follow one token constraint [...], a lexicon @name or a ${var}", self.pos, codes.BAD_TRIGGER
                )
            self.pos += len("=trigger")
            atom = dataclasses.replace(atom, trigger=True)
        elif self.peek() == "=":
            raise PatternError("expected '=trigger'", self.pos)
        quantified = self.parse_quantifier(atom, start)
        if quantified is not atom and _marks_trigger(atom):
            raise PatternError(
                "the trigger must be a required token: it cannot carry a quantifier", start, codes.BAD_TRIGGER
            )
        return quantified

    def parse_quantifier(self, atom: Node, start: int) -> Node:
        char = self.peek()
        if char == "?":
            low, high = 0, 1
            self.pos += 1
        elif char == "*":
            low, high = 0, None
            self.pos += 1
        elif char == "+":
            low, high = 1, None
            self.pos += 1
        elif char == "{":
            low, high = self.parse_braces()
        else:
            return atom
        if isinstance(atom, Anchor):
            raise PatternError("an anchor (^ or $) cannot be quantified", start, codes.BAD_QUANTIFIER)
        if isinstance(atom, Group) and atom.kind not in ("group", "capture"):
            raise PatternError("a lookaround cannot be quantified", start, codes.BAD_QUANTIFIER)
        mode = "greedy"
        if self.peek() == "?":
            mode, self.pos = "lazy", self.pos + 1
        elif self.peek() == "+":
            mode, self.pos = "possessive", self.pos + 1
        if self.peek() in ("?", "*", "+") or (self.peek() == "{" and _INT.match(self.text, self.pos + 1)):
            raise PatternError("multiple quantifiers in a row: group the item first", self.pos, codes.BAD_QUANTIFIER)
        return Repeat(atom, low, high, mode, start)

    def parse_braces(self) -> tuple[int, int | None]:
        open_at = self.pos
        self.pos += 1
        low_match = _INT.match(self.text, self.pos)
        low = int(low_match.group()) if low_match else None
        if low_match:
            self.pos = low_match.end()
        if self.peek() == ",":
            self.pos += 1
            high_match = _INT.match(self.text, self.pos)
            high = int(high_match.group()) if high_match else None
            if high_match:
                self.pos = high_match.end()
            if low is None:
                low = 0
                if high is None:
                    raise PatternError("a quantifier {,} needs a bound", open_at, codes.BAD_QUANTIFIER)
        else:
            if low is None:
                raise PatternError("expected a number in quantifier {...}", self.pos, codes.BAD_QUANTIFIER)
            high = low
        self.expect("}", "'}' closing the quantifier")
        if high is not None and high < low:
            raise PatternError(f"quantifier {{{low},{high}}}: the maximum is below the minimum", open_at, codes.BAD_QUANTIFIER)
        if max(low, high or 0) > _MAX_REPEAT:
            raise PatternError(f"quantifier bound above {_MAX_REPEAT}", open_at, codes.BAD_QUANTIFIER)
        return low, high

    def parse_atom(self) -> Node:
        start = self.pos
        char = self.peek()
        if char == "[":
            return self.parse_token()
        if char == "@":
            self.pos += 1
            return LexiconRef(self.name("a lexicon name after '@'"), start)
        if self.text.startswith("${", self.pos):
            self.pos += 2
            name = self.name("a variable name after '${'")
            self.expect("}", "'}' closing ${...}")
            return VarRef(name, start)
        if char in "^$":
            self.pos += 1
            return Anchor("start" if char == "^" else "end", start)
        if char == "(":
            return self.parse_group()
        if char == "]":
            raise PatternError("unbalanced ']': no '[' to close", start, codes.UNBALANCED)
        if char in "?*+{":
            raise PatternError(f"quantifier {char!r} has nothing to repeat", start, codes.BAD_QUANTIFIER)
        raise PatternError(
            f"unexpected {char!r}: a pattern is made of [constraints], @lexicons, ${{vars}} and (groups)",
            start,
        )

    def parse_group(self) -> Node:
        start = self.pos
        self.pos += 1
        kind, name = "group", None
        if self.peek() == "?":
            head = self.text[self.pos : self.pos + 3]
            if head.startswith("?:"):
                self.pos += 2
            elif head.startswith("?<=") or head.startswith("?<!"):
                kind = "behind" if head[2] == "=" else "not_behind"
                self.pos += 3
            elif head.startswith("?="):
                kind, self.pos = "ahead", self.pos + 2
            elif head.startswith("?!"):
                kind, self.pos = "not_ahead", self.pos + 2
            elif head.startswith("?<") or head.startswith("?P<"):
                self.pos += 3 if head.startswith("?P<") else 2
                kind = "capture"
                name = self.name("a capture name after '(?<'")
                self.expect(">", "'>' after the capture name")
            else:
                raise PatternError("unknown group syntax after '(?'", start, codes.PATTERN_SYNTAX)
        body = self.parse_alt()
        self.skip_space()
        if self.at_end():
            raise PatternError("unbalanced '(': group is never closed", start, codes.UNBALANCED)
        self.expect(")", "')'")
        if isinstance(body, Seq) and not body.items:
            raise PatternError("empty group", start, codes.EMPTY_GROUP)
        return Group(kind, body, start, name)

    # --- token constraints ------------------------------------------------------------

    def parse_token(self) -> TokenNode:
        start = self.pos
        self.pos += 1
        self.skip_space(comments=False)
        if self.peek() == "]":
            self.pos += 1
            return TokenNode(None, start)
        constraint = self.parse_cor()
        self.skip_space(comments=False)
        if self.at_end():
            raise PatternError("unbalanced '[': token constraint is never closed", start, codes.UNBALANCED)
        self.expect("]", "']' closing the token constraint")
        return TokenNode(constraint, start)

    def parse_cor(self) -> Constraint:
        return self._joined("|", self.parse_cand, Or)

    def parse_cand(self) -> Constraint:
        return self._joined("&", self.parse_cnot, And)

    def _joined(self, separator: str, parse_term, combine) -> Constraint:
        """``term (separator term)*`` inside [...]; one term stays itself."""
        start = self.pos
        terms = [parse_term()]
        while True:
            self.skip_space(comments=False)
            if self.peek() != separator:
                break
            self.pos += 1
            terms.append(parse_term())
        return terms[0] if len(terms) == 1 else combine(tuple(terms), start)

    def parse_cnot(self) -> Constraint:
        self.skip_space(comments=False)
        start = self.pos
        char = self.peek()
        if char == "!":
            self.pos += 1
            return Not(self.parse_cnot(), start)
        if char == "(":
            self.pos += 1
            inner = self.parse_cor()
            self.skip_space(comments=False)
            self.expect(")", "')' closing the constraint group")
            return inner
        match = _NAME.match(self.text, self.pos)
        if not match:
            found = "end of pattern" if self.at_end() else repr(char)
            raise PatternError(f"expected a constraint such as lemma=deploy, found {found}", start, codes.BAD_CONSTRAINT)
        name = match.group()
        after = match.end()
        rest = self.text[after:].lstrip()
        if name == "num" and not rest.startswith("="):
            self.pos = after
            return IsNumber(start)
        if name not in FIELDS:
            raise PatternError(
                f"unknown field {name!r}{did_you_mean(name, FIELDS, QUOTED)}; fields are word, lower, lemma, shape (or num)",
                start,
                codes.BAD_CONSTRAINT,
            )
        self.pos = after
        self.skip_space(comments=False)
        self.expect("=", f"'=' after field {name!r}")
        self.skip_space(comments=False)
        if self.peek() == "/":
            return FieldRegex(name, self.parse_regex(name), start)
        values: list[str] = []
        lists: list[tuple[str, int]] = []
        while True:
            if self.peek() == "@" and _NAME.match(self.text, self.pos + 1):  # a word list: field=@name
                at = self.pos
                self.pos += 1
                lists.append((self.name("a word list name after '@'"), at))
            else:
                values.append(self.parse_value())
            if not self._value_alternative_follows():
                break
            self.skip_space(comments=False)
            self.pos += 1  # the '|'
            self.skip_space(comments=False)
        return FieldEquals(name, tuple(values), start, tuple(lists))

    def _value_alternative_follows(self) -> bool:
        """A '|' separates values unless what follows starts a new constraint."""
        probe = self.pos
        text = self.text
        while probe < len(text) and text[probe].isspace():
            probe += 1
        if probe >= len(text) or text[probe] != "|":
            return False
        probe += 1
        while probe < len(text) and text[probe].isspace():
            probe += 1
        if probe >= len(text) or text[probe] in "!(":
            return False
        match = _NAME.match(text, probe)
        if match:
            tail = text[match.end() :].lstrip()
            if tail.startswith("=") or (match.group() == "num" and not tail.startswith("=")):
                return False
        return True

    def parse_value(self) -> str:
        start = self.pos
        if self.peek() == '"':
            return self.parse_quoted()
        match = _BARE_VALUE.match(self.text, self.pos)
        if not match:
            found = "end of pattern" if self.at_end() else repr(self.peek())
            raise PatternError(
                f"expected a value, found {found} (quote values containing ] | & = ! / \" ( ) or spaces)",
                start,
                codes.BAD_CONSTRAINT,
            )
        self.pos = match.end()
        return match.group()

    def parse_quoted(self) -> str:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                out.append(text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(out)
            else:
                out.append(char)
                self.pos += 1
        raise PatternError("unterminated quoted value", start, codes.UNBALANCED)

    def parse_regex(self, field_name: str) -> str:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                nxt = text[self.pos + 1]
                out.append("/" if nxt == "/" else char + nxt)
                self.pos += 2
            elif char == "/":
                self.pos += 1
                source = "".join(out)
                try:
                    regex.compile(source)
                except regex.error as err:
                    raise PatternError(f"bad regex /{source}/ for {field_name}: {err}", start, codes.BAD_REGEX) from None
                return source
            else:
                out.append(char)
                self.pos += 1
        raise PatternError("unterminated regex: expected a closing '/'", start, codes.UNBALANCED)


def _marks_trigger(node: Node) -> bool:
    return isinstance(node, (TokenNode, LexiconRef, VarRef)) and node.trigger
