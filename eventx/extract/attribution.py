"""Attribution: who reports an event ("..., the defence minister said").

:func:`find_attribution` looks for a reporting frame *outside* the event's match span and
returns the token range of its source noun phrase:

- trailing, after a comma or closing quote: "..., state media reported", "..., officials told
  Reuters on Monday", "..., said a spokesman for the ministry", '"...," the minister said';
- leading, governing the span: "The ministry said (that) ...", "NATO says ...";
- "according to NATO" / "according to a statement from the ministry" on either side.

The source keeps its determiners and post-modifiers ("a spokesman for the ministry") but not
time expressions ("on Monday") or an apposition after a comma ("John Smith, a spokesman" ->
"John Smith"). Pronouns are kept ("he said" -> "he"): they still mark the event as reported,
and resolving them is a later stage's job. Passive reports ("it was reported") and participial
frames (", saying ...") have no source in the sentence and give ``None``.

The reporting-verb test lives here because modality uses the same frames as clause
boundaries (a cue in "Officials who could not be named said ..." does not reach the event).
"""

from __future__ import annotations

from eventx.text.model import Sentence, Token

__all__ = [
    "QUOTES",
    "REPORTING_LEMMAS",
    "find_attribution",
    "is_comma_or_quote",
    "is_punct",
    "is_reporting_verb",
    "parenthetical_frame",
]

# Verbs that introduce reported content, as lemmas.
REPORTING_LEMMAS = frozenset(
    {"say", "tell", "report", "announce", "state", "claim", "confirm", "add", "declare", "warn",
     "insist", "quote", "stress", "acknowledge", "admit", "reiterate", "emphasize", "explain"}
)
# Reporting verbs that also take "object + to-infinitive" ("told residents to leave", "warned
# them to stay away", "said to be massing"); then they are orders or hearsay, not frames.
CONTROL_REPORTING_LEMMAS = frozenset({"tell", "warn", "say", "report"})

QUOTES = frozenset({'"', "''", "``", "'"})
# Words that end the search for a leading frame: content after them is a new clause.
CLAUSE_BREAKS = frozenset({";", "but", "while", "whereas", "although", "though"})
# Openers of a subordinate clause: "While officials said talks would go on, troops ..."
SUBORDINATORS = frozenset(
    {"while", "although", "though", "whereas", "as", "when", "after", "before", "because",
     "since", "if", "unless", "until", "once"}
)
# Tokens allowed between a source and its verb ("the ministry has also said").
FRAME_AUXILIARIES = frozenset(
    {"has", "have", "had", "was", "were", "is", "are", "also", "later", "earlier", "separately",
     "again", "been", "already"}
)
CLAUSE_STARTS = frozenset({"that", "will", "would", "had", "has"})  # "told Reuters that"
BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been", "being"})
TIME_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday",
     "today", "tonight", "tomorrow", "earlier", "later", "late", "last", "this", "overnight"}
)
# A source noun phrase may run on through these ("a spokesman for the ministry").
NP_PREPOSITIONS = frozenset({"of", "for", "from"})
# Words that cannot be part of a source noun phrase.
NOT_IN_NP = frozenset(
    {"that", "who", "which", "whom", "whose", "where", "when", "to", "in", "on", "at", "by",
     "with", "after", "before", "during", "about", "citing", "quoting", "adding", "saying",
     "but", "or", "if", "not", "n't", "there", "will", "would", "could", "may", "might", "can",
     "should", "did", "do", "does", "had", "has", "have", "was", "were", "is", "are", "be",
     "been", "being"}
) | SUBORDINATORS | TIME_WORDS
DETERMINERS = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our",
     "my", "your", "any", "some", "no", "every", "each"}
)
# Words before a reporting-lemma token that make it a noun ("a report", "despite claims").
NOUN_CONTEXT = DETERMINERS | frozenset(
    {"of", "in", "on", "by", "with", "from", "despite", "amid", "after", "following", "for"}
)
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "who"})
VERB_CONTEXT = frozenset(  # words that make a base form a verb ("did not say", "to confirm")
    {"to", "not", "n't", "did", "do", "does", "will", "wo", "would", "could", "can", "ca",
     "may", "might", "should", "must", "never", "also"}
)
RELATIVES = frozenset({"who", "which", "whose"})
EXPLETIVES = frozenset({"it", "there"})
MAX_NP = 10  # tokens in a source noun phrase
# Tokens searched before and after an event for its clause's scope (here and in modality): a
# frame or cue farther away is taken to lie in another clause. Real clauses are far shorter;
# the bound makes a run-on "sentence" (a dump with no punctuation) cost linear time.
MAX_SCOPE = 200


def is_punct(token: Token) -> bool:
    """True for a token without any letter or digit."""
    return not any(ch.isalnum() for ch in token.word)


def is_comma_or_quote(token: Token) -> bool:
    """True for the marks that open or close a reporting frame."""
    return token.word == "," or token.word in QUOTES


def is_reporting_verb(tokens: list[Token], i: int) -> bool:
    """Whether ``tokens[i]`` is a reporting verb that frames a clause.

    Noun readings ("a report", "state media", "despite claims") and control readings ("told
    residents to leave", "said to be massing") are not frames.
    """
    tok = tokens[i]
    if tok.lemma not in REPORTING_LEMMAS:
        return False
    before = tokens[i - 1] if i > 0 else None
    prev = before.lower if before else ""
    w = tok.lower
    if w == tok.lemma:  # base form: a verb only after "to", an auxiliary or a negation
        verbal = prev in VERB_CONTEXT
    elif w.endswith("s") and w not in ("says", "tells"):
        # "NATO claims", not "media reports" or "the United States"
        verbal = (
            before is not None
            and (before.shape[:1] == "X" or prev in PRONOUNS)
            and tok.shape[:1] != "X"
        )
    elif w.endswith("ing"):  # "is saying", ", adding", "as saying"; not "without warning"
        verbal = prev in VERB_CONTEXT or prev in BE_FORMS or prev in (",", "as", "while", "by")
    else:  # said, reported: verbs unless a determiner makes them adjectives ("the reported")
        verbal = prev not in NOUN_CONTEXT
    return verbal and not _is_control_use(tokens, i)


def _is_control_use(tokens: list[Token], i: int) -> bool:
    if tokens[i].lemma not in CONTROL_REPORTING_LEMMAS:
        return False
    # "said to be", "reported to have": immediately; "told (all) residents to leave": within 4
    reach = 1 if tokens[i].lemma in ("say", "report") else 5
    for j in range(i + 1, min(len(tokens), i + 1 + reach)):
        tok = tokens[j]
        if tok.lower == "to":  # "to leave", not "to the UN" / "to Iraq"
            nxt = tokens[j + 1] if j + 1 < len(tokens) else None
            return nxt is not None and nxt.lower not in DETERMINERS and nxt.shape[:1] != "X"
        if is_punct(tok) or tok.lower in BE_FORMS or tok.lower in CLAUSE_STARTS:
            return False
    return False


def find_attribution(sentence: Sentence, span: tuple[int, int]) -> tuple[int, int] | None:
    """Token range ``[first, last)`` of the source of a reporting frame covering ``span``.

    Only frames outside ``span`` count (a rule that matched "X said it would send troops" has
    already consumed its frame), and the source never overlaps the span. The frame closest
    to the span wins: a leading "X said" before a trailing "..., Y reported".
    """
    tokens = sentence.tokens
    first, last = span
    found = _leading_source(tokens, first) or _trailing_source(tokens, last)
    if found and (found[1] <= first or found[0] >= last):
        return found
    return None


def _leading_source(tokens: list[Token], first: int) -> tuple[int, int] | None:
    """The source of "X said (that) <span>" or "According to X, <span>".

    A frame that closes the previous clause also covers a contrast clause after it:
    "Canada has no plans ..., the prime minister said, although Ottawa is considering ...".
    """
    for v in range(first - 1, max(-1, first - 1 - MAX_SCOPE), -1):
        tok = tokens[v]
        if tok.lower in CLAUSE_BREAKS or (
            tok.word == "," and v + 1 < first and tokens[v + 1].lower in ("and", "but")
        ):
            return _frame_ending_at(tokens, v if tok.word == "," else v - 1)
        if tok.lower == "according" and v + 1 < len(tokens) and tokens[v + 1].lower == "to":
            return _np_forward(tokens, v + 2, stop=first)
        if is_reporting_verb(tokens, v):
            source = _source_before_verb(tokens, v)
            if source is None:
                return None
            # "While officials said talks would go on, troops ...": the frame's clause is over
            opener = tokens[source[0] - 1].lower if source[0] > 0 else ""
            if opener in SUBORDINATORS and any(t.word == "," for t in tokens[v + 1 : first]):
                return None
            return source
    return None


def _trailing_source(tokens: list[Token], last: int) -> tuple[int, int] | None:
    """The source of "<span>, X said", '"<span>," said X' or "<span>, according to X"."""
    for p in range(last, min(len(tokens), last + MAX_SCOPE)):
        tok = tokens[p]
        if tok.lower == ";":
            return None
        if tok.lower == "according" and p + 1 < len(tokens) and tokens[p + 1].lower == "to":
            return _np_forward(tokens, p + 2)
        if not is_comma_or_quote(tok):
            continue
        if p + 1 < len(tokens) and is_comma_or_quote(tokens[p + 1]):
            continue  # the frame starts after the last of several marks: ,"
        if source := _frame_at(tokens, p + 1):
            return source[0]
    return None


def _frame_at(tokens: list[Token], q: int) -> tuple[tuple[int, int], int] | None:
    """A frame starting right after a comma or quote: (source, index of the reporting verb)."""
    if q < len(tokens) and is_reporting_verb(tokens, q):  # '..., said a spokesman'
        source = _np_forward(tokens, q + 1)
        return (source, q) if source else None
    source = _np_forward(tokens, q)  # '..., the minister said'
    if source and (verb := _verb_follows(tokens, source[1])) is not None:
        return source, verb
    return None


def _frame_ending_at(tokens: list[Token], comma: int) -> tuple[int, int] | None:
    """The source of a frame ", X said (on Monday)" that ends at the comma ``comma``."""
    if comma < 1 or tokens[comma].word != ",":
        return None
    for p in range(comma - 1, max(-1, comma - 2 * MAX_NP), -1):
        if is_comma_or_quote(tokens[p]):
            found = _frame_at(tokens, p + 1)
            if found and _skip_frame_modifiers(tokens, max(found[0][1], found[1]) + 1) >= comma:
                return found[0]
            return None
    return None


def parenthetical_frame(tokens: list[Token], v: int) -> int | None:
    """Start of a frame set off by commas around the reporting verb at ``v``, else None.

    In "If the storm worsens, officials said, the evacuation could be extended" the frame
    interrupts the clause instead of ending it, so modality looks through it.
    """
    if not is_reporting_verb(tokens, v):
        return None
    start = _frame_ending_at(tokens, _skip_frame_modifiers(tokens, v + 1))
    if start is None:
        return None
    return start[0] - 1 if start[0] < v else v - 1


def _verb_follows(tokens: list[Token], i: int) -> int | None:
    """Index of an active reporting verb after ``i``, past auxiliaries and time words."""
    j = _skip_frame_modifiers(tokens, i)
    if j >= len(tokens) or not is_reporting_verb(tokens, j):
        return None
    if tokens[j].lemma != "quote" and j > i and tokens[j - 1].lower in BE_FORMS:
        return None  # "it was reported": passive ("was quoted as saying" is active)
    return j


def _is_frame_modifier(tokens: list[Token], i: int) -> bool:
    """Auxiliaries, adverbs and time words between a source and its verb."""
    w = tokens[i].lower
    return w in FRAME_AUXILIARIES or w in TIME_WORDS or (w.endswith("ly") and w != "only")


def _skip_frame_modifiers(tokens: list[Token], i: int) -> int:
    while i < len(tokens):
        w = tokens[i].lower
        if _is_frame_modifier(tokens, i):
            i += 1
        elif w == "on" and i + 1 < len(tokens) and tokens[i + 1].lower in TIME_WORDS:
            i += 2
        else:
            break
    return i


def _source_before_verb(tokens: list[Token], v: int) -> tuple[int, int] | None:
    """The subject of the reporting verb at ``v`` ("The ministry on Monday said")."""
    if tokens[v].lower == "saying" and v >= 2 and tokens[v - 1].lower == "as":
        return _source_before_verb(tokens, v - 2)  # "was quoted as saying"
    end = v
    while end > 0:
        w = tokens[end - 1].lower
        if _is_frame_modifier(tokens, end - 1):
            end -= 1
        elif w == "on" and end < v and tokens[end].lower in TIME_WORDS:
            end -= 1
        else:
            break
    if tokens[v].lemma != "quote" and end < v and tokens[v - 1].lower in BE_FORMS:
        return None  # passive: "it was announced"
    if end > 0 and tokens[end - 1].word == ",":
        # ", saying ...": a participial frame whose subject is far away; an apposition
        # "John Smith, a spokesman, said" keeps the head before the first comma.
        if tokens[v].lower.endswith("ing"):
            return None
        opening = _matching_comma(tokens, end - 1)
        if opening is None:
            return None
        end = opening
    # "Officials who could not be named said": the source is the head before the relative
    for j in range(end - 1, max(-1, end - MAX_NP), -1):
        if tokens[j].lower in RELATIVES:
            end = j
            break
        if is_punct(tokens[j]):
            break
    start = end
    while start > 0 and end - start < MAX_NP and (
        _in_np(tokens, start - 1) or _is_np_location(tokens, start - 1)
    ):
        if tokens[start - 1].lower == "and" and not _joins_names(tokens, start - 1):
            break
        start -= 1
    while start < end and (tokens[start].lower in NP_PREPOSITIONS | {"in", "at"}):
        start += 1
    if start == end or (end - start == 1 and tokens[start].lower in EXPLETIVES and v > end):
        return None
    return (start, end)


def _is_np_location(tokens: list[Token], i: int) -> bool:
    """"in"/"at" inside a source: "Officials in Seoul said", "a spokesman at the embassy"."""
    return tokens[i].lower in ("in", "at") and i > 0 and _in_np(tokens, i - 1) \
        and tokens[i - 1].lower not in TIME_WORDS


def _matching_comma(tokens: list[Token], close: int) -> int | None:
    """Index of the comma opening an apposition that ``close`` ends, if one does."""
    for j in range(close - 1, max(-1, close - MAX_NP), -1):
        if tokens[j].word == ",":
            return j if j > 0 and _in_np(tokens, j - 1) else None
        if not _in_np(tokens, j):
            return None
    return None


def _joins_names(tokens: list[Token], i: int) -> bool:
    """'and' inside a source: "Britain and France said", not "sent troops and officials said"."""
    before = tokens[i - 1] if i > 0 else None
    return before is not None and before.shape[:1] == "X" and (
        i < 2 or is_punct(tokens[i - 2]) or tokens[i - 2].lower in DETERMINERS
    )


def _in_np(tokens: list[Token], i: int) -> bool:
    tok = tokens[i]
    if tok.lower in NOT_IN_NP or is_reporting_verb(tokens, i):
        return False
    if tok.word == "'":  # "the officers' commander"
        return i > 0 and tokens[i - 1].lower.endswith("s") and i + 1 < len(tokens) \
            and not is_punct(tokens[i + 1])
    return not is_punct(tok) or tok.word == "&"


def _np_forward(tokens: list[Token], start: int, stop: int | None = None) -> tuple[int, int] | None:
    """The noun phrase starting at ``start``: "a spokesman for the ministry" (not "on Monday")."""
    limit = min(len(tokens), stop if stop is not None else len(tokens), start + MAX_NP)
    end = start
    while end < limit and _in_np(tokens, end):
        if tokens[end].lower == "and" and not _joins_names(tokens, end):
            break
        end += 1
    while end > start and tokens[end - 1].lower in NP_PREPOSITIONS | DETERMINERS | {"and"}:
        end -= 1
    return (start, end) if end > start else None
