"""Lexicon entries (``phrase`` or ``phrase => NORM``) from YAML lists and text files."""

from __future__ import annotations

import re
from typing import Iterable

from eventx.errors import Diagnostic
from eventx import codes
from eventx.rules.model import Lexicon, LexiconEntry, Pos, SourceText

NORM_ARROW = "=>"
# Loading costs about 75 us per entry (each phrase is tokenised and lemmatised) and a few
# hundred bytes of memory: 5 MB is ~250,000 entries, ~20 s, 250x the largest shipped
# lexicon. A 100 MB file would take minutes and gigabytes: it is refused at once.
MAX_LEXICON_CHARS = 5_000_000
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_entry(source: SourceText, errors: list[Diagnostic]) -> LexiconEntry | None:
    """Split ``phrase => NORM``; the entry's position is that of its phrase."""
    phrase, arrow, norm = source.text.partition(NORM_ARROW)
    start = len(phrase) - len(phrase.lstrip())
    phrase, norm = phrase.strip(), norm.strip()
    problem = ""
    if not phrase:
        problem = f"no phrase before '{NORM_ARROW}'"
    elif arrow and not norm:
        problem = f"no norm after '{NORM_ARROW}'"
    if problem:
        message = f"lexicon entry '{source.text.strip()}' has {problem}"
        errors.append(source.position(start).diagnostic(codes.BAD_ENTRY, message))
        return None
    return LexiconEntry(phrase, norm or None, source.position(start))


def parse_lexicon_file(text: str, file: str, errors: list[Diagnostic]) -> list[LexiconEntry]:
    """Entries of a lexicon text file: one per line, '#' comment lines and blank lines skipped.

    A file longer than ``MAX_LEXICON_CHARS`` is an error (E119), and none of it is parsed."""
    if len(text) > MAX_LEXICON_CHARS:
        message = (f"lexicon file is {len(text) / 1e6:,.1f} MB, over the limit of {MAX_LEXICON_CHARS / 1e6:g} MB"
                   " (split it, or keep only the phrases the rules need)")
        errors.append(Pos(file, 1, 1).diagnostic(codes.LEXICON_TOO_LARGE, message))
        return []
    entries = []
    for number, line in enumerate(_LINE_BREAK.split(text.removeprefix("\ufeff")), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            entry = parse_entry(SourceText(line, Pos(file, number, 1)), errors)
            if entry is not None:
                entries.append(entry)
    return entries


def make_lexicon(
    name: str,
    entries: Iterable[LexiconEntry],
    *,
    case_sensitive: bool,
    pos: Pos,
    source: str | None,
    warnings: list[Diagnostic],
) -> Lexicon:
    """Build a lexicon, dropping repeated phrases with a warning (first one wins)."""
    first: dict[str, LexiconEntry] = {}
    for entry in entries:
        key = " ".join(entry.phrase.split())
        key = key if case_sensitive else key.casefold()
        if key in first:
            earlier = first[key]
            differs = f", with a different norm '{earlier.norm}'" if earlier.norm != entry.norm else ""
            message = (f"duplicate entry '{entry.phrase}' in lexicon '{name}' is ignored"
                       f" (first at {earlier.pos.seen_from(entry.pos)}{differs})")
            warnings.append(entry.pos.diagnostic(codes.DUPLICATE_ENTRY, message, severity="warning"))
        else:
            first[key] = entry
    if not first:
        message = f"lexicon '{name}' has no entries"
        warnings.append(pos.diagnostic(codes.EMPTY_LEXICON, message, severity="warning"))
    return Lexicon(name, tuple(first.values()), case_sensitive, pos, source)
