"""Abstract syntax of token patterns (``docs/writing-rules.md``).

Every node keeps ``offset``, its character position in the pattern text it was parsed from,
so that compile errors can point at file:line:col through ``SourceText.position``.
Two layers: *token constraints* (what one token must look like, inside ``[...]``) and
*sequence nodes* (how tokens follow each other).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from eventx import codes

FIELDS = ("word", "lower", "lemma", "shape")


# --- constraints on one token -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldEquals:
    """``field=v1|v2``: the field equals one of the literal values.

    ``lists`` names word lists (``field=@name``, lexicons of single words) whose entries are
    values too, with the offset of each reference; the compiler adds their entries to
    ``values`` and empties ``lists``.
    """

    field: str
    values: tuple[str, ...]
    offset: int
    lists: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class FieldRegex:
    """``field=/regex/``: the whole field matches the regex."""

    field: str
    regex: str
    offset: int


@dataclass(frozen=True, slots=True)
class IsNumber:
    """``num``: a digit-bearing number token."""

    offset: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: "Constraint"
    offset: int


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple["Constraint", ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple["Constraint", ...]
    offset: int


Constraint = Union[FieldEquals, FieldRegex, IsNumber, Not, And, Or]


# --- sequence nodes ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenNode:
    """One token: ``[constraint]``, or ``[]`` (any token) when ``constraint`` is None."""

    constraint: Constraint | None
    offset: int
    trigger: bool = False


@dataclass(frozen=True, slots=True)
class LexiconRef:
    """``@name``: one phrase of a lexicon (several tokens), longest first."""

    name: str
    offset: int
    trigger: bool = False


@dataclass(frozen=True, slots=True)
class VarRef:
    """``${name}``: a macro, replaced by its parsed pattern before compilation; with
    ``trigger`` the var must expand to one token constraint or lexicon, which is marked."""

    name: str
    offset: int
    trigger: bool = False


@dataclass(frozen=True, slots=True)
class Anchor:
    """``^`` (sentence start) or ``$`` (sentence end)."""

    kind: str
    offset: int


@dataclass(frozen=True, slots=True)
class Group:
    """``( ... )``. ``kind``: "group" (non-capturing), "capture" (named), or a lookaround
    ``"ahead" | "not_ahead" | "behind" | "not_behind"``."""

    kind: str
    body: "Node"
    offset: int
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Repeat:
    """A quantified node; ``max`` None means unbounded; ``mode``: greedy|lazy|possessive."""

    body: "Node"
    min: int
    max: int | None
    mode: str
    offset: int


@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple["Node", ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Alt:
    branches: tuple["Node", ...]
    offset: int


Node = Union[TokenNode, LexiconRef, VarRef, Anchor, Group, Repeat, Seq, Alt]

LOOKAROUND = frozenset({"ahead", "not_ahead", "behind", "not_behind"})


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly below ``node`` (items, branches or body; none for tokens, lexicon
    and var references, anchors)."""
    if isinstance(node, Seq):
        return node.items
    if isinstance(node, Alt):
        return node.branches
    if isinstance(node, (Group, Repeat)):
        return (node.body,)
    return ()


@dataclass(slots=True)
class PatternError(Exception):
    """A problem at ``offset`` of the pattern text (mapped to file:line:col by the caller)."""

    message: str
    offset: int
    code: str = codes.PATTERN_SYNTAX
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.message} (at offset {self.offset})"
