"""Document-level merging of repeated mentions of one real-world event.

Rules work on one sentence, so news copy that repeats an event — a headline and its lead,
a later "the deployment ..." — yields one record per mention. This module groups, per
document, the records that describe the same event and keeps one record per group: the
**first mention in document order**, unchanged (id, trigger, span, sentence, rule, modality,
attribution), with

* ``mentions``: the later mentions, each ``{"id", "rule", "trigger", "span", "sentence",
  "modality", "contributed"}`` — ``id`` is the record that mention has in a log written with
  merging off, ``contributed`` the argument roles the kept record took from it;
* ``args`` completed from the later mentions: a role the first mention lacks is taken from
  the first later mention that has it, with that mention's own text and offsets (so a
  borrowed argument can lie outside the record's ``span`` and ``sentence``).

Every record carries ``mentions`` (``[]`` when nothing was merged, and always with merging
off), so the record shape does not depend on the data.

What the engine knows of roles comes from the rule pack's ``types:`` declarations
(:class:`~eventx.rules.model.TypeDecl`): only types declared with ``merge: true`` merge; each
role has a *kind* (actor, party, force, place, topic, quantity, date, label, other), and the
tests below are written in kinds. The role names in the examples are the shipped pack's.

When are two mentions the same event?
-------------------------------------
Coreference between event mentions cannot be proven from a few arguments. The test asks
for two things: nothing that *contradicts* (then they are surely different), and something
that *ties* them (else the same type is all they share, and in a long article that is no
evidence: a government offensive and an insurgent ambush are both ``attack``). A missing
argument never contradicts — "US sends troops" and "The 3,000 US troops will ..." merge —
because a re-mention routinely drops or adds detail.

Contradictions (any one keeps two mentions apart):

* **Modality class.** ``negated`` only merges with ``negated``; ``asserted`` only with
  ``asserted``; ``possible`` and ``hypothetical`` (both irrealis) with each other. A
  deployment that was ruled out and one that happened are different claims even about the
  same plan, and so are one that happened and one that might.
* **Direction.** A trigger that raises or imposes ("raised", "imposed") and one that lowers
  or lifts ("lowered", "lifted", "cancelled"): "raised a tsunami alert" ... "the alert was
  lifted" are two changes of state.
* **Parties** (roles of kind actor, party or force: who acts or undergoes). Their identifiers are the codes
  the pack's lexicons give named parties — ISO 3166 alpha-3 countries (also from demonyms
  and capitals) and organisation acronyms, i.e. the upper-case ``norm`` convention of
  ``rules/lexicons`` — found in the argument's text: "British troops" names GBR, "the
  Pakistani president" PAK, "the United States and Russia" both. Disjoint sets conflict:
  "Poland sends troops" and "Germany sends troops" stay two events, as do "US troops" and
  "Iraqi troops".
* **Actors without codes.** Two *actors* (roles of kind actor) that neither name a known party nor share their words
  ("Insurgents" / "the army", "the department" / "Beijing's ministry") are different
  actors. When only one names a party ("Canada" / "the defence minister") it is undecided:
  an official may act for the state.
* **An actor the other sentence leaves out.** One mention names an actor by party code and
  the other has no actor in that role, but its sentence names two or more other parties and
  not that one: "Guyana accused Venezuela ... armoured vehicles massing near the border" is not
  "Brazil said it had reinforced its northern border". (One other party is not enough: "...,
  Ukraine said" after "Russia masses troops" is a source, not a rival actor.)
* **Kinds of force.** Two force descriptions (kind force) whose head nouns differ and are both
  specific ("police trainers" / "transport aircraft", "reservists" / "frigates"); the heads the
  type declares ``generic`` ("troops", "soldiers", "forces", "reinforcements") never conflict:
  copy varies them freely.
* **Quantities** (any argument with a ``value``): the ranges the qualifiers allow must
  overlap — ``exact`` n is n, ``approx`` n is 0.8n–1.25n, ``at_least``/``at_most`` are half
  lines — when both have the same ``unit`` (or none): "about 2,000" and "1,900" agree,
  "two squadrons" and "2,000 soldiers" conflict.
* **Dates** (kind date, with a ``norm``): one ISO date must be a prefix of the other.
* **Labels** (kind label: a sanctions ``action``, impose, lift, ...): equal norms.
* **Places** (kind place, and any other role): only the argument's own ``norm`` counts, and
  only country codes conflict. ``region:`` slugs nest ("Central America" inside "Latin
  America") and the lexicons hold no containment, so two slugs prove nothing; and a
  description ("its eastern border with Belarus") is not an identifier of the place.
* **Coordination.** Two mentions in one sentence joined by "and", "or", a comma ... ("the
  Kashmir talks and the Arab summit") are listed side by side: different events.
* **Another force.** A mention whose force is "other troops" or "another 300 marines" names a
  force apart from those mentioned before: it joins only a group that has its very number
  ("deploys additional 2,000 policemen" / "has deployed another 2,000"), else it starts a
  record of its own (which later mentions may join).

Ties (at least one is needed; only the roles a type lists in ``ties``, every role by
default): an identifier both share (a party code, an overlapping
quantity of about the same size — within a factor of two, so "up to 3,000" ties "3,000" but
not "500", which it merely allows —, a date); the same words for the same role ("embassy staff" / "non-essential
embassy staff", "police reinforcements" / "extra police officers"); or an argument of one
named again in the other's span ("barrier islands" / "... residents of the coastal barrier
islands"). A *bare* mention — no participant, place or quantity of its own ("Evacuations",
"the alert", "a military build-up") — has nothing to tie with, and is taken as a re-mention
when it repeats the event word of the other ("Evacuations" / "evacuate") or stands in the
same sentence ("ordered a readiness check ..., putting 40,000 troops on full alert").

Choosing a group. Mentions are visited in document order; each may join an earlier group
whose every member it is compatible with and tied to (at least one member; a group tied
only through bare mentions as above). When several groups qualify, the one sharing the
most ties wins; when the best is tied (typically a bare "the deployment" after two
different deployments), the referent is ambiguous and the mention stays a record of its
own — a duplicate is a smaller error than an event merged into the wrong one. Comparing
with every member (not only with the kept record) keeps a group consistent: "thousands"
and "3,000" agree, so do "thousands" and "1,500", but once 3,000 is in the group 1,500 is
not.

What this does not try: time ("on Sunday" ... "on Monday" when no date role is captured),
generic versus specific mentions ("terrorist attacks" after "the attack on Iraq"), or
anaphora across types. ``--mentions separate`` (``Extractor(merge_mentions=False)``) gives
one record per sentence mention.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from eventx.record import Event, mention_of
from eventx.rules.model import TypeDecl

__all__ = ["MODALITY_CLASS", "merge_mentions"]

#: Modalities that may describe the same event; different classes never merge.
MODALITY_CLASS = {"asserted": "realis", "possible": "irrealis", "hypothetical": "irrealis", "negated": "negated"}

#: Role kinds naming who acts or undergoes: parties named anywhere in their text identify them.
PARTY_KINDS = frozenset({"actor", "party", "force"})
#: Role kinds whose words, found again in another mention, tie the two mentions together.
ANCHOR_KINDS = PARTY_KINDS | {"place", "topic"}

#: A lexicon norm that names a party: an ISO 3166 alpha-3 code or an organisation acronym.
PARTY_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,}")

_APPROX = (0.8, 1.25)

#: ``parties(start, end)``: the party codes named in ``text[start:end]``.
PartyFinder = Callable[[int, int], frozenset[str]]


def _is_country(code: str) -> bool:
    return len(code) == 3 and code.isalpha() and code.isupper()


def _quantity_range(arg: Mapping[str, Any]) -> tuple[float, float]:
    value = float(arg["value"])
    qualifier = arg.get("qualifier") or "exact"
    if qualifier == "at_least":
        return value, float("inf")
    if qualifier == "at_most":
        return float("-inf"), value
    if qualifier == "approx":
        low, high = sorted((value * _APPROX[0], value * _APPROX[1]))
        return low, high
    return value, value


def _size(low: float, high: float) -> float:
    """The number a quantity range stands for: its finite bound, or its middle."""
    if high == float("inf"):
        return low
    if low == float("-inf"):
        return high
    return (low + high) / 2


@dataclass(frozen=True, slots=True)
class _Key:
    """What identifies one argument, by kind: ``codes`` (a set of party/country codes),
    ``range`` (a quantity), ``date`` (an ISO prefix), ``exact`` (a closed-vocabulary norm)."""

    kind: str
    value: Any
    unit: str | None = None

    def relation(self, other: _Key) -> int:
        """-1 contradicts, 1 agrees, 0 not comparable."""
        if self.kind != other.kind:
            return 0
        if self.kind == "codes":
            return 1 if self.value & other.value else -1
        if self.kind == "range":
            if self.unit != other.unit:
                return 0
            (a_lo, a_hi), (b_lo, b_hi) = self.value, other.value
            if not (a_lo <= b_hi and b_lo <= a_hi):
                return -1
            # an open range ("up to 3,000") holds far smaller numbers too: it ties only a
            # number of its size ("3,000"), and is merely compatible with "500"
            a, b = sorted((_size(a_lo, a_hi), _size(b_lo, b_hi)))
            return 1 if a == b or (a > 0 and b <= 2 * a) else 0
        if self.kind == "date":
            a, b = self.value, other.value
            return 1 if a.startswith(b) or b.startswith(a) else -1
        return 1 if self.value == other.value else -1


def _keys(event: Mapping[str, Any], decl: TypeDecl, parties: PartyFinder | None) -> dict[str, _Key]:
    keys: dict[str, _Key] = {}
    for role, arg in (event.get("args") or {}).items():
        norm = arg.get("norm")
        kind = decl.kind(role)
        if "value" in arg and isinstance(arg["value"], (int, float)):
            keys[role] = _Key("range", _quantity_range(arg), arg.get("unit"))
        elif kind == "date" and isinstance(norm, str):
            keys[role] = _Key("date", norm)
        elif kind == "label" and isinstance(norm, str):
            keys[role] = _Key("exact", norm)
        elif kind in PARTY_KINDS:
            codes = set()
            if isinstance(norm, str) and PARTY_CODE.fullmatch(norm):
                codes.add(norm)
            if parties is not None:
                codes |= parties(arg["start"], arg["end"])
            if codes:
                keys[role] = _Key("codes", frozenset(codes))
        elif isinstance(norm, str) and _is_country(norm):
            keys[role] = _Key("codes", frozenset({norm}))
    return keys


_WORD = re.compile(r"[^\W_]+(?:[-.'][^\W_]+)*\.?")
_STOP = frozenset(
    "the a an its their his her our this that these those of 's and or to in on at for from with by near some about".split()
)
_UP = re.compile(r"(rais|heighten|elevat|increas|upgrad|step|boost|tighten|impos|declar|issu|sound)")
_DOWN = re.compile(r"(lower|lift|reduc|downgrad|eas|relax|cancel|end|suspend|scal|stand|withdr)")
# (a time may stand before the conjunction: "ordered the departure of X on Thursday and authorized ...")
_COORDINATION = re.compile(
    r"(?:(?:on|last|this|early|late)\s+\w+\s+|(?:overnight|yesterday|today)\s+)?(?:and|or|but|while|plus|as well as)\b|[,;]",
    re.IGNORECASE,
)


def _words(text: str) -> frozenset[str]:
    """Content words of a phrase, lower-cased, without plural ``s``."""
    out = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOP:
            continue
        if len(word) > 3 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.add(word)
    return frozenset(out)


def _head(text: str) -> str | None:
    """The head noun of a force description: its last content word before "of"/"from"."""
    text = re.split(r"\b(?:of|from|with|who|that|to)\b", text.lower(), maxsplit=1)[0]
    words = [w for w in _WORD.findall(text) if w not in _STOP]
    if not words:
        return None
    (head,) = _words(words[-1]) or (words[-1],)
    return head


def _stem(trigger: str) -> str:
    """The first five letters of the trigger's last word ("troop deployment" -> "deplo"):
    enough to tie "evacuation" to "evacuated", not "build-up" to "sending"."""
    words = _WORD.findall(trigger.lower())
    return words[-1][:5] if words else ""


def _direction(trigger: str) -> str | None:
    """``up`` (raised, imposed) or ``down`` (lowered, lifted) for change-of-level triggers."""
    word = trigger.lower().split()[0] if trigger.split() else ""
    if _DOWN.match(word):
        return "down"
    if _UP.match(word):
        return "up"
    return None


@dataclass(slots=True)
class _Mention:
    event: dict
    decl: TypeDecl
    keys: dict[str, _Key]
    modality_class: str
    direction: str | None
    arg_words: dict[str, frozenset[str]]  # content words of each anchor argument
    span_words: frozenset[str]
    bare: bool  # no participant, place or quantity of its own: "the evacuation", "Alert"
    stem: str  # the trigger's event word, crudely stemmed: "evacu" for evacuate/evacuation
    sentence_parties: frozenset[str]  # party codes named anywhere in the mention's sentence
    sentence: int  # the sentence's index
    heads: tuple[tuple[str, str | None], ...]  # (role, head noun) of each force argument
    signature: tuple = ()  # everything relation() reads of this mention but where it stands

    def __post_init__(self) -> None:
        self.signature = (
            self.event["type"], self.decl.name, self.modality_class, self.direction, frozenset(self.keys.items()),
            frozenset(self.arg_words.items()), self.span_words, self.bare, self.stem, self.sentence_parties,
            frozenset(self.event.get("args") or ()), self.heads,
        )

    @classmethod
    def of(cls, event: Mapping[str, Any], decl: TypeDecl, parties: PartyFinder | None) -> _Mention:
        args = event.get("args") or {}
        keys = _keys(event, decl, parties)
        anchors = [role for role in args if decl.kind(role) in ANCHOR_KINDS]
        arg_words = {role: _words(args[role].get("text") or "") for role in anchors}
        return cls(
            cast(dict, event),
            decl,
            keys,
            MODALITY_CLASS.get(event.get("modality") or "", "other"),
            _direction(event["trigger"]["text"]),
            {role: words for role, words in arg_words.items() if words},
            _words(event["span"]["text"]),
            not any(role in anchors or role in keys for role in args),
            _stem(event["trigger"]["text"]),
            parties(event["sentence"]["start"], event["sentence"]["end"]) if parties is not None else frozenset(),
            event["sentence"]["index"],
            tuple((role, _head(arg["text"])) for role, arg in args.items() if decl.kind(role) == "force"),
        )

    def actor_elsewhere(self, other: _Mention) -> bool:
        """Whether ``other`` names an actor (by party code) that this mention, having no actor of
        that role, cannot be about: its sentence names two or more other parties and not that one
        ("Guyana accused Venezuela ... vehicles massing near the border" is not "Brazil said it had
        reinforced its northern border")."""
        for role, theirs in other.keys.items():
            if self.decl.kind(role) != "actor" or theirs.kind != "codes" or role in self.event.get("args", {}):
                continue
            if len(self.sentence_parties) >= 2 and self.sentence_parties.isdisjoint(theirs.value):
                return True
        return False

    def relation(self, other: _Mention, text: str | None) -> int:
        """-1 if the two cannot be one event, else the number of things they agree on
        (0: compatible, but nothing ties them together)."""
        if self.event["type"] != other.event["type"] or self.modality_class != other.modality_class:
            return -1
        if self.direction and other.direction and self.direction != other.direction:
            return -1
        if text is not None and _coordinated(self.event, other.event, text):
            return -1
        if self.actor_elsewhere(other) or other.actor_elsewhere(self):
            return -1
        decl = self.decl
        ties = decl.ties
        generic = decl.generic
        agree = 0
        for role in self.keys.keys() | self.arg_words.keys():
            if role not in other.keys and role not in other.arg_words:
                continue
            tie = ties is None or role in ties
            mine, theirs = self.keys.get(role), other.keys.get(role)
            if mine is not None and theirs is not None:
                relation = mine.relation(theirs)
                if relation < 0:
                    return -1
                if relation > 0:
                    agree += tie
                    continue
            kind = decl.kind(role)
            a, b = self.arg_words.get(role, frozenset()), other.arg_words.get(role, frozenset())
            if a and b and (a <= b or b <= a):
                agree += tie
            elif kind == "actor" and mine is None and theirs is None and a and b:
                return -1  # two actors named differently, neither a known party: different actors
            elif kind == "force":
                head_a, head_b = (_head(self.event["args"][role]["text"]), _head(other.event["args"][role]["text"]))
                if (head_a and head_a == head_b) or (a & b) - generic:
                    agree += tie
                elif head_a and head_b and head_a not in generic and head_b not in generic:
                    return -1  # different kinds of force: "police trainers" / "transport aircraft"
        # an argument of one named again in the other's span ("barrier islands" ... "residents
        # of the coastal barrier islands")
        for role, words in self.arg_words.items():
            if role not in other.arg_words and words <= other.span_words and (ties is None or role in ties):
                agree += 1
        for role, words in other.arg_words.items():
            if role not in self.arg_words and words <= self.span_words and (ties is None or role in ties):
                agree += 1
        return agree


_ANOTHER = re.compile(r"\b(?:an)?other\b(?<!each other)(?<!one another)", re.IGNORECASE)


def _another_force(event: Mapping[str, Any], decl: TypeDecl) -> bool:
    """Whether the mention's force (or its count) is set apart from the forces before it
    ("1,500 other troops were sent", "another 300 marines"): a later mention of an event, never."""
    return any(
        (decl.kind(role) == "force" or "value" in arg) and _ANOTHER.search(arg.get("text") or "")
        for role, arg in (event.get("args") or {}).items()
    )


def _coordinated(a: Mapping[str, Any], b: Mapping[str, Any], text: str) -> bool:
    """Whether two mentions in one sentence stand side by side ("the Kashmir talks and the
    Arab summit", "sent troops, and deployed ships"): listed events are different events."""
    if a["sentence"]["index"] != b["sentence"]["index"]:
        return False
    first, second = (a, b) if a["span"]["start"] <= b["span"]["start"] else (b, a)
    if second["span"]["start"] < first["span"]["end"]:
        return True
    # up to the later trigger: a rule's span may begin with the conjunction ("and the Arab summit")
    gap = text[first["span"]["end"] : max(first["span"]["end"], second["trigger"]["start"])].strip()
    return _COORDINATION.match(gap) is not None


@dataclass(slots=True)
class _Group:
    """Mentions of one event. Members are kept by *signature* (everything
    :meth:`_Mention.relation` reads of them apart from where they stand), so that a document
    repeating one sentence costs one comparison per new mention, not one per member."""

    members: list[_Mention] = field(default_factory=list)
    by_signature: dict[tuple, list[_Mention]] = field(default_factory=dict)
    by_sentence: dict[int, list[_Mention]] = field(default_factory=dict)
    #: (role, unit) -> (highest low, lowest high) of the members' quantity ranges: a quantity
    #: outside it contradicts some member, whatever else the members hold
    bounds: dict[tuple[str, str | None], tuple[float, float]] = field(default_factory=dict)

    def add(self, mention: _Mention) -> None:
        self.members.append(mention)
        self.by_signature.setdefault(mention.signature, []).append(mention)
        self.by_sentence.setdefault(mention.sentence, []).append(mention)
        for role, key in mention.keys.items():
            if key.kind == "range":
                low, high = key.value
                old = self.bounds.get((role, key.unit))
                self.bounds[role, key.unit] = (low, high) if old is None else (max(old[0], low), min(old[1], high))

    def counts_the_same(self, mention: _Mention) -> bool:
        """Whether a member has one of the mention's quantities, the very same range."""
        return any(
            member.keys.get(role) == key for role, key in mention.keys.items() if key.kind == "range" for member in self.members
        )

    def contradicts_quantity(self, mention: _Mention) -> bool:
        for role, key in mention.keys.items():
            if key.kind == "range":
                bound = self.bounds.get((role, key.unit))
                if bound is not None and (key.value[0] > bound[1] or key.value[1] < bound[0]):
                    return True
        return False

    def score(self, mention: _Mention, text: str | None, memo: dict[tuple, int]) -> int:
        """-1 if ``mention`` cannot join (it contradicts a member, or nothing ties it to the
        group: see the module doc), else the number of ties it has with the members.

        Members in another sentence than ``mention`` relate to it as their signature does
        (``memo``: one relation per signature); those in its sentence are compared one by one,
        because mentions in one sentence may be coordinated."""
        if self.bounds and self.contradicts_quantity(mention):
            return -1
        total = 0
        same = self.by_sentence.get(mention.sentence, ())
        same_count: dict[tuple, int] = {}
        for member in same:
            relation = member.relation(mention, text)
            if relation < 0:
                return -1
            total += relation
            same_count[member.signature] = same_count.get(member.signature, 0) + 1
        for signature, members in self.by_signature.items():
            others = len(members) - same_count.get(signature, 0)
            if not others:
                continue
            known = memo.get(signature)
            if known is None:
                known = memo[signature] = members[0].relation(mention, None)
            if known < 0:
                return -1
            total += others * known
        if total == 0:
            # nothing ties them: only a bare mention that repeats the event word of the
            # other side ("Evacuations ..." / "... ordered to evacuate") or stands in the
            # same sentence ("ordered a readiness check, putting 40,000 troops on alert")
            if mention.bare:
                if not same and not any(members[0].stem == mention.stem for members in self.by_signature.values()):
                    return -1
            elif not all(
                members[0].bare and (members[0].stem == mention.stem or len(members) == same_count.get(signature, 0))
                for signature, members in self.by_signature.items()
            ):
                return -1
        return total


def _features(mention: _Mention) -> Iterator[tuple]:
    """What a member offers for a later mention to be tied to it (see :func:`_wanted`)."""
    for role, key in mention.keys.items():
        yield from _key_features(role, key)
    for role, words in mention.arg_words.items():
        for word in words:
            yield ("w", role, word)
        yield ("a", min(words))  # its words all in the later mention's span: this one is
    for word in mention.span_words:
        yield ("s", word)
    for role, head in mention.heads:
        if head:
            yield ("h", role, head)
    yield ("stem", mention.stem)
    yield ("sent", mention.sentence)
    if mention.bare:
        yield ("bare-stem", mention.stem)
        yield ("bare-sent", mention.sentence)


def _wanted(mention: _Mention) -> Iterator[tuple]:
    """The features a member must offer to relate to ``mention`` other than by contradiction:
    every way :meth:`_Mention.relation` counts a tie, and the closeness of bare mentions."""
    for role, key in mention.keys.items():
        yield from _key_features(role, key)
    for role, words in mention.arg_words.items():
        for word in words:
            yield ("w", role, word)
        yield ("s", min(words))
    for word in mention.span_words:
        yield ("a", word)
    for role, head in mention.heads:
        if head:
            yield ("h", role, head)
    if mention.bare:  # tied to any member of the same event word or sentence
        yield ("stem", mention.stem)
        yield ("sent", mention.sentence)
    else:  # ... only to a group of bare mentions so placed
        yield ("bare-stem", mention.stem)
        yield ("bare-sent", mention.sentence)


def _key_features(role: str, key: _Key) -> Iterator[tuple]:
    if key.kind == "codes":
        for code in key.value:
            yield ("c", role, code)
    elif key.kind == "range":
        yield ("r", role, key.unit)
    elif key.kind == "date":
        yield ("d", role)
    else:
        yield ("x", role, key.value)


def _record(group: _Group) -> Event:
    first, *later = (m.event for m in group.members)
    if not later:
        return cast(Event, first)
    args = dict(first.get("args") or {})
    mentions = []
    for event in later:
        contributed = []
        for role, arg in (event.get("args") or {}).items():
            if role not in args:
                args[role] = arg
                contributed.append(role)
        mentions.append(mention_of(event, contributed))
    record = dict(first)  # same key order (eventx.record.EVENT_KEYS): only values change
    record["args"] = args
    record["mentions"] = [*(first.get("mentions") or []), *mentions]
    return cast(Event, record)


def merge_mentions(
    events: Iterable[Mapping[str, Any]],
    parties: PartyFinder | None = None,
    text: str | None = None,
    *,
    types: Callable[[str], TypeDecl] | None = None,
    deadline: float | None = None,
) -> list[Event]:
    """Merge the records of one document that mention the same event (see the module doc).

    ``events`` must be in document order (sorted by :func:`eventx.record.sort_key`); the
    result keeps that order. ``types`` gives each event type's declaration (``None``: no type
    is declared, nothing merges); only types declared with ``merge`` merge. ``parties`` finds
    the party codes named in a stretch of the document (``None``: only the arguments' own norms
    identify them); ``text`` is the document text (``None``: mentions in one sentence are not
    checked for coordination). Past ``deadline`` (a :func:`time.monotonic` time) it raises
    TimeoutError.

    A mention is compared only with the groups that offer one of the ties it could have
    (an index of :func:`_features`), and with each group once per signature of its members.
    """
    groups: list[_Group] = []
    index: dict[tuple, set[int]] = {}
    decls: dict[str, TypeDecl] = {}
    for count, event in enumerate(events):
        if deadline is not None and count % 16 == 0 and time.monotonic() > deadline:
            raise TimeoutError("merging mentions took longer than the time budget")
        event_type = event["type"]
        decl = decls.get(event_type)
        if decl is None:
            decl = decls[event_type] = types(event_type) if types is not None else TypeDecl(event_type)
        mention = _Mention.of(event, decl, parties)
        if not decl.merge:
            groups.append(_Group())
            groups[-1].add(mention)
            continue
        candidates = sorted(set().union(*(index.get(f, ()) for f in _wanted(mention))))
        if _another_force(event, decl):
            candidates = [i for i in candidates if groups[i].counts_the_same(mention)]
        memo: dict[tuple, int] = {}
        scored = [(groups[i].score(mention, text, memo), i) for i in candidates]
        scored = [(score, i) for score, i in scored if score >= 0]
        best = max((score for score, _ in scored), default=-1)
        winners = [i for score, i in scored if score == best]
        if len(winners) == 1:
            target = winners[0]
        else:  # nothing compatible, or an ambiguous referent
            target = len(groups)
            groups.append(_Group())
        groups[target].add(mention)
        for feature in _features(mention):
            index.setdefault(feature, set()).add(target)
    return [_record(group) for group in groups]
