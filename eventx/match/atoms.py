"""Token atoms: the token-level tests of a pack, each encoded as one flag character.

Every distinct test a pattern makes of a single token — a set of values of one field
(``[lower=in|into]``), a field regex (``[word=/[A-Z]+/]``), ``num``, "a phrase of lexicon
*k* starts here", "... with *n* tokens starts here" and "... ends here" — gets one
character from Unicode's private-use areas. A token's record in the encoded stream is the
string of its position character (see :class:`Positions`), the characters of the tests
it passes, and ``\\n``::

    "\\U00100004\\ue003\\ue011\\n"      # token 4, passing atoms 3 and 17
    "\\U00100005\\n"                    # token 5, passing none

so a constraint compiles to ``(?=.*X)`` ("this record holds X"), whatever the number of
values it lists. The tests run in Python once per distinct (word, lemma), by dict lookups
(values) and cached field regexes, and the result is remembered; only lexicon flags depend
on the position. Records carry no text of the document at all, so no input can forge a flag,
and the compiled patterns stay small: the size of a rule's regex no longer grows with the
word lists it uses.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import regex

from eventx.regexstore import compile_regex
from eventx.text.model import Token

FIELDS = ("word", "lower", "lemma", "shape")
_BMP_PRIVATE = (0xE000, 0xF8FF)  # 6,400 characters; then the supplementary private-use planes
_PLANE_15 = 0xF0000
_PLANE_16 = 0x100000  # position characters
_POSITIONS = 0xFFFE  # plane 16 holds 65,534 private-use characters
_CACHE_LIMIT = 50_000  # distinct (word, lemma) records remembered (~150 bytes each)


def flag_char(atom_id: int) -> str:
    """The private-use character that stands for atom ``atom_id`` in a record."""
    low, high = _BMP_PRIVATE
    if atom_id <= high - low:
        return chr(low + atom_id)
    atom_id -= high - low + 1
    if atom_id >= _POSITIONS:
        raise ValueError("more than 71,934 distinct token tests in one rule pack")
    return chr(_PLANE_15 + atom_id)  # plane 15: 65,534 more


class Positions:
    """Position characters: token *i* of a sentence starts its record with ``first(n)[i]``, so that
    a pattern can capture where a multi-token lexicon phrase started and check, at its last
    token, for the end flag that names that start (indices wrap at 65,534, far beyond the
    length of any phrase, so the check stays exact)."""

    def __init__(self) -> None:
        self._chars: list[str] = []

    def first(self, count: int) -> list[str]:
        chars = self._chars
        if len(chars) < count <= _POSITIONS:
            chars.extend(chr(_PLANE_16 + i) for i in range(len(chars), count))
        if count <= len(chars):
            return chars[:count]
        return [chars[i % _POSITIONS] for i in range(count)]


class TokenAtoms:
    """The atoms of one pack, and the records of tokens under them.

    Adding an atom after records were built forgets the remembered records (``eventx
    explain`` compiles pieces of rules against a loaded pack; the pieces reuse the pack's
    atoms, so in practice nothing is added).
    """

    time_left: float | None = None  # see __init__; also the value of packs pickled before it existed

    def __init__(self) -> None:
        self._ids: dict[Any, str] = {}
        # field -> value -> flag characters of the value-set atoms holding that value
        self._by_value: dict[str, dict[str, str]] = {name: {} for name in FIELDS}
        self._regexes: list[tuple[int, "regex.Pattern[str]", str]] = []  # (index in FIELDS, regex, flag)
        self._scans: list[FieldScan] | None = None  # the field regexes grouped per field, built on first use
        self._records: dict[tuple[str, str], str] = {}
        # Seconds the field regexes may still run (None: no limit). The caller sets it from
        # its time budget before matching; every regex call spends it, and past it the
        # ``regex`` module raises TimeoutError ("[word=/(a|a)+/]" on a long token backtracks
        # for minutes).
        self.time_left: float | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def _new(self, key: Any) -> tuple[str, bool]:
        char = self._ids.get(key)
        if char is not None:
            return char, False
        char = self._ids[key] = flag_char(len(self._ids))
        if key[0] != "lexicon":  # a token's remembered record may lack this flag
            self._records.clear()
        return char, True

    def equals(self, field_name: str, values: frozenset[str]) -> str:
        """The flag of "the token's ``field_name`` is one of ``values``" (normalised values)."""
        char, new = self._new(("equals", field_name, values))
        if new:
            table = self._by_value[field_name]
            for value in values:
                table[value] = table.get(value, "") + char
        return char

    def matches(self, field_name: str, source: str) -> str:
        """The flag of "``source`` matches the token's whole ``field_name``"."""
        char, new = self._new(("regex", field_name, source))
        if new:
            self._regexes.append((FIELDS.index(field_name), regex.compile(source), char))
            self._scans = None
        return char

    def number(self) -> str:
        return self._new(("num",))[0]

    def lexicon(self, lexicon: int, length: int | None = None) -> str:
        """The flag of "a phrase of ``lexicon`` (with ``length`` tokens) starts at the token"."""
        return self._new(("lexicon", lexicon, length))[0]

    def lexicon_end(self, lexicon: int) -> str:
        """The flag of "a phrase of ``lexicon`` ends at the token"; in a record it is always
        followed by the position character of the phrase's first token."""
        return self._new(("lexicon", lexicon, "end"))[0]

    def record(self, token: Token) -> str:
        """The flags of everything but lexicons that ``token`` passes (remembered by word and lemma)."""
        key = (token.word, token.lemma)
        found = self._records.get(key)
        if found is None:
            if len(self._records) >= _CACHE_LIMIT:
                self._records.clear()
            # Interned: most tokens share a record with others (on news ~1 distinct in 4), and
            # one string per distinct record is ~1 MiB less of a full cache.
            found = self._records[key] = sys.intern(self._compute(token))
        return found

    def records(self, tokens: list[Token]) -> list[str]:
        get = self._records.get
        return [r if (r := get((t.word, t.lemma))) is not None else self.record(t) for t in tokens]

    def _compute(self, token: Token) -> str:
        values = (token.word, token.lower, token.lemma, token.shape)
        flags = "".join(self._by_value[name].get(value, "") for name, value in zip(FIELDS, values))
        scans = self._scans
        if scans is None:
            scans = self._scans = field_scans(self._regexes)
        limit = self.time_left
        if limit is None:
            for scan in scans:
                flags += scan.flags(values[scan.field_index], None)
        elif scans:
            started = time.monotonic()
            try:
                for scan in scans:
                    flags += scan.flags(values[scan.field_index], max(limit - (time.monotonic() - started), 1e-6))
            finally:
                self.time_left = limit - (time.monotonic() - started)
        if token.is_num:
            num = self._ids.get(("num",))
            if num is not None:
                flags += num
        return flags

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_scans"] = None  # rebuilt on first use: a combined regex is costly to pickle
        return state


class FieldScan:
    """Field regexes of one field tested in one regex call.

    Calling ``fullmatch`` once per field regex and token is the cost of a pack with many of
    them (and a ``timeout`` makes each call several times dearer), so the regexes of a field
    are joined into one pattern of optional lookaheads, ``(?:(?=(?:R1)\\Z)())?(?:(?=(?:R2)\\Z)())?...``,
    matched once at the start of the value: the empty group after lookahead *k* is set exactly
    when ``Rk`` matches the whole value (a lookahead backtracks inside itself as ``fullmatch``
    does, and no later part can fail, so no taken branch is undone). A regex that cannot be
    joined safely (inline global flags, named groups, backreferences) is tested on its own.
    """

    def __init__(self, field_index: int, joined: list[tuple[str, str]], alone: list[tuple["regex.Pattern[str]", str]]):
        self.field_index = field_index
        self._alone = alone
        self._joined: "regex.Pattern[str] | None" = None
        self._markers: list[tuple[int, str]] = []
        if joined:
            parts = []
            for number, (source, char) in enumerate(joined):
                parts.append(f"(?:(?=(?:{source})\\Z)(?P<_eventx_{number}>))?")
            self._joined = compile_regex("".join(parts))
            groups = self._joined.groupindex  # a new dict at every access: once, not once per regex
            self._markers = [(groups[f"_eventx_{n}"], char) for n, (_, char) in enumerate(joined)]

    def flags(self, value: str, timeout: float | None) -> str:
        """The flag characters of the regexes that match the whole of ``value``."""
        found = ""
        if self._joined is not None:
            match = self._joined.match(value, timeout=timeout) if timeout is not None else self._joined.match(value)
            if match is not None:
                groups = match.groups()
                found = "".join(char for group, char in self._markers if groups[group - 1] is not None)
        for rx, char in self._alone:
            if (rx.fullmatch(value, timeout=timeout) if timeout is not None else rx.fullmatch(value)):
                found += char
        return found


_PLAIN_FLAGS = regex.compile("").flags
_BACKREFERENCE = regex.compile(r"\\(?:[1-9]|g<)|\(\?P=")


def _joinable(rx: "regex.Pattern[str]") -> bool:
    return rx.flags == _PLAIN_FLAGS and not rx.groupindex and not _BACKREFERENCE.search(rx.pattern)


def field_scans(regexes: list[tuple[int, "regex.Pattern[str]", str]]) -> list[FieldScan]:
    """One :class:`FieldScan` per field that some regex tests, the regexes in pack order."""
    scans = []
    for field_index in range(len(FIELDS)):
        mine = [(rx, char) for index, rx, char in regexes if index == field_index]
        if mine:
            scans.append(FieldScan(
                field_index,
                [(rx.pattern, char) for rx, char in mine if _joinable(rx)],
                [(rx, char) for rx, char in mine if not _joinable(rx)],
            ))
    return scans
