"""Matches -> event records (:class:`eventx.record.Event`): overlap resolution, arguments,
normalisation, modality, attribution and stable ids.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Iterable

from eventx.extract.attribution import find_attribution
from eventx.extract.modality import detect_modality
from eventx.match.lexicon import LexiconHit
from eventx.match.matcher import Match, RulePack
from eventx.record import Argument, Event, TextSpan, make_event
from eventx.rules.model import TypeDecl
from eventx.text.dates import normalise_date
from eventx.text.model import Document, Sentence, Token
from eventx.text.numbers import parse_quantity

_DETERMINERS = frozenset({"the", "a", "an"})
# Heads of a reporting source that reports, not acts ("a UN spokesman", "the official").
_REPORTERS = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "spokesmen", "spokeswomen", "spokespeople", "source", "sources",
     "official", "officials", "analyst", "analysts", "envoy", "envoys", "aide", "aides", "diplomat", "diplomats", "correspondent",
     "reporter", "reporters", "witness", "witnesses", "senator", "senators", "lawmaker", "lawmakers", "legislator",
     "legislators", "expert", "experts", "observer", "observers", "media", "agency", "newspaper", "report", "reports"}
)
# Verbs that ask someone else for the event: its reporter is not its actor.
_REQUESTS = frozenset(
    {"request", "requests", "requested", "requesting", "ask", "asks", "asked", "asking", "seek", "seeks", "sought",
     "seeking", "urge", "urges", "urged", "urging", "appeal", "appealed", "appealing", "call", "calls", "called",
     "calling", "want", "wants", "wanted", "welcome", "welcomed", "welcomes"}
)
# A lexicon norm naming a party: an ISO 3166 alpha-3 code or an organisation acronym.
_PARTY = re.compile(r"[A-Z][A-Z0-9_]{1,}")
# What may join two verbs of one subject: "ordered the departure of X and (has) authorized ...".
_AND = "and"
_CHAIN_WORDS = frozenset(
    {"has", "have", "had", "will", "would", "is", "are", "was", "were", "be", "been", "being",
     "also", "then", "later", "now", "already", "quickly", "immediately", "subsequently", "since"}
)
# A time between the first verb's match and "and": "ordered the departure of X on Thursday and".
_TIME_WORDS = frozenset(
    {"on", "last", "this", "early", "late", "overnight", "yesterday", "today", "tonight", "week",
     "weekend", "month", "morning", "afternoon", "evening", "night", "monday", "tuesday",
     "wednesday", "thursday", "friday", "saturday", "sunday"}
)
_GAP_WORDS = _TIME_WORDS | _CHAIN_WORDS | {_AND}  # every word between two coordinated matches
# A pronoun subject right before a match ("After Lisbon approved the plan, it sent 700 soldiers",
# "so that they could evacuate"), with the auxiliaries and adverbs that may follow it, and the mention labels of
# the pack that may be its antecedent: "it" an actor, "they" an actor or a force.
_PRONOUN_ANTECEDENTS = {"it": ("Actor",), "they": ("Actor", "Force"), "its": ("Actor",), "their": ("Actor", "Force")}
# possessives determine the event noun the match starts with ("applauded X for its deployment
# of 380 troops"): nothing may stand between
_POSSESSIVES = frozenset({"its", "their"})
# What may stand before an antecedent in subject position: nothing (the sentence starts), a
# conjunction, punctuation, or "by" (a passive's agent). After a verb or another preposition
# it is an object ("advised nationals to leave South Sudan and said it ...": not South Sudan).
_SUBJECT_OPENERS = frozenset(
    {"and", "but", "while", "as", "that", "because", "when", "after", "since", "if", "though", "although",
     "by", ",", ";", ":", "(", "-", "--", "–", "—", '"', "“", "‘", "'"}
)
# ... or what may follow it there: a finite verb group ("expect the sailors will reach ...")
_SUBJECT_FOLLOWERS = frozenset(
    {"is", "are", "was", "were", "has", "have", "had", "will", "would", "could", "can", "may", "might",
     "should", "must", "said", "says", "announced", "confirmed"}
)
# What stands before a gerund whose understood subject is the clause's subject: "Oslo
# responded by sending 400 troops", "Oslo raised its alert level on Monday, sending ...",
# "Oslo closed the border before deploying ..."
_PARTICIPLE_OPENERS = frozenset({"by", ",", "after", "before", "while"})
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
# "on the orders of X", "under orders from X", "at the command of X": X ordered the event
_ORDER_NOUNS = frozenset({"order", "orders", "instruction", "instructions", "command", "direction"})
_PRONOUN_CHAIN = _CHAIN_WORDS | frozenset(
    {"will", "would", "could", "can", "may", "might", "should", "must", "shall", "still", "reportedly",
     "'s", "'ll", "'d", "'ve", "'re", "to", "help", "need", "needed", "plan", "planned", "going", "able"}
)


def resolve_overlaps(matches: Iterable[Match]) -> list[Match]:
    """Keep, among overlapping matches of the same type, the one with the highest priority,
    then the longest span, then the earliest rule; matches of different types may overlap."""
    ranked = sorted(matches, key=lambda m: (-m.rule.priority, -(m.end - m.start), m.rule.order, m.start))
    kept: list[Match] = []
    for match in ranked:
        if not any(
            k.rule.type == match.rule.type and k.start < match.end and match.start < k.end for k in kept
        ):
            kept.append(match)
    return kept


def _balance_quotes(tokens: list[Token], first: int, last: int) -> tuple[int, int]:
    """An argument's tokens [first, last) grown by the quote mark that closes (or opens) a
    quotation it holds only one side of: 'on a "heightened state of alert"' gives the level
    'a "heightened state of alert"', not 'a "heightened state of alert'. (Tokens hold curly
    quotes straightened.)"""
    if sum(1 for token in tokens[first:last] if token.word == '"') % 2 == 0:
        return first, last
    if last < len(tokens) and tokens[last].word == '"':
        return first, last + 1
    if first > 0 and tokens[first - 1].word == '"':
        return first - 1, last
    return first, last


def _span_argument(text: str, tokens: list[Token], first: int, last: int, norm: str | None) -> Argument:
    """The argument of tokens ``first`` to ``last`` inclusive, with ``norm`` when given."""
    start, end = tokens[first].start, tokens[last].end
    arg = Argument(text=text[start:end], start=start, end=end)
    if norm is not None:
        arg["norm"] = norm
    return arg


def _overlaps_an_argument(event: Event, arg: Argument) -> bool:
    return any(other["start"] < arg["end"] and arg["start"] < other["end"] for other in event["args"].values())


def _add_argument(event: Event, role: str, arg: Argument) -> None:
    """Give ``event`` the argument ``arg`` as ``role``, its arguments kept in text order."""
    args = {**event["args"], role: arg}
    event["args"] = dict(sorted(args.items(), key=lambda item: (item[1]["start"], item[0])))


def event_id(doc_id: str, event_type: str, start: int, end: int, rule_id: str) -> str:
    digest = hashlib.sha256(f"{doc_id}\x00{event_type}\x00{start}\x00{end}\x00{rule_id}".encode()).hexdigest()
    return "ev-" + digest[:16]


#: The normaliser of each role kind (eventx.rules.schema.ROLE_KINDS) that is not "lexicon".
KIND_NORMALISERS = {"quantity": "number", "date": "date"}


def role_normaliser(role: str, norms: dict[str, str], kind: str = "other") -> str:
    """The rule's ``norms`` for ``role`` if it names one, else what the role's kind implies."""
    if role in norms:
        return norms[role]
    return KIND_NORMALISERS.get(kind, "lexicon")


def lexicon_norm(sentence: Sentence, hits: list[LexiconHit], first: int, last: int) -> str | None:
    """The norm of a lexicon phrase that is exactly the argument (a leading article aside)."""
    starts = {first}
    if sentence.tokens[first].lower in _DETERMINERS and last - first > 1:
        starts.add(first + 1)
    best: LexiconHit | None = None
    for hit in hits:
        if hit.norm is not None and hit.start in starts and hit.start + hit.length == last:
            if best is None or hit.length > best.length:
                best = hit
    return best.norm if best else None


class EventBuilder:
    """Turns the matches of one sentence into event records."""

    def __init__(self, pack: RulePack):
        self.pack = pack
        names = pack.lexicons.names
        # pronoun -> ids of the mention labels its antecedent may be (labels the pack defines)
        self._antecedents = {
            pronoun: frozenset(i for i, name in enumerate(names) if name in labels)
            for pronoun, labels in _PRONOUN_ANTECEDENTS.items()
        }
        self._force_label = frozenset(i for i, name in enumerate(names) if name == "Force")
        self._actor_label = frozenset(i for i, name in enumerate(names) if name == "Actor")

    def build(
        self, doc: Document, sentence: Sentence, matches: list[Match], hits: list[LexiconHit]
    ) -> list[Event]:
        return self.records(doc, sentence, resolve_overlaps(matches), hits)

    def records(self, doc: Document, sentence: Sentence, kept: list[Match], hits: list[LexiconHit]) -> list[Event]:
        """Event records of matches that survived overlap resolution, in their order."""
        text = doc.text
        tokens = sentence.tokens
        events = []
        sources: list[tuple[int, int] | None] = []
        for match in kept:
            span_start, span_end = tokens[match.start].start, tokens[match.end - 1].end
            trig_start, trig_end = tokens[match.trigger[0]].start, tokens[match.trigger[1] - 1].end
            args = self._args(doc, sentence, match, hits)
            modality = match.rule.modality or detect_modality(
                sentence, match.trigger, (match.start, match.end)
            )
            attribution: TextSpan | None = None
            source = find_attribution(sentence, (match.start, match.end))
            sources.append(source)
            if source is not None:
                a_start, a_end = tokens[source[0]].start, tokens[source[1] - 1].end
                attribution = {"text": text[a_start:a_end], "start": a_start, "end": a_end}
            events.append(
                make_event(
                    doc_id=doc.id,
                    id=event_id(doc.id, match.rule.type, span_start, span_end, match.rule.id),
                    type=match.rule.type,
                    rule=match.rule.id,
                    trigger={"text": text[trig_start:trig_end], "start": trig_start, "end": trig_end},
                    span={"text": text[span_start:span_end], "start": span_start, "end": span_end},
                    sentence={"index": sentence.index, "start": sentence.start, "end": sentence.end},
                    args=args,
                    modality=modality,
                    attribution=attribution,
                    rules_version=self.pack.version,
                )
            )
        if len(kept) > 1:
            self._share_subjects(tokens, kept, events)
        if hits:
            self._pronoun_subjects(doc.text, tokens, kept, events, hits)
            self._participle_subjects(doc.text, tokens, kept, events, hits)
            self._orderer_actors(doc.text, tokens, kept, events, hits)
            self._source_actors(doc.text, tokens, kept, events, sources, hits)
        return events

    def _source_actors(
        self,
        text: str,
        tokens: list[Token],
        kept: list[Match],
        events: list[Event],
        sources: list[tuple[int, int] | None],
        hits: list[LexiconHit],
    ) -> None:
        """Give an event of a type declared ``reported_actor`` without an actor the named actor
        that reports it, when it reports its own side's action.

        "Madrid announced that 250 Spanish soldiers were flown to Latvia", "Australian
        commandos remain on standby, Canberra said": a passive or a state has no
        actor in its match, and the government or official announcing it is the one who acts
        (as the pack's evacuation rules already take "..., the sheriff's office said"). The
        source of the event's reporting frame (:func:`find_attribution`) counts when an
        ``@Actor`` mention (among those the sentence's candidate rules needed) covers its head (its last word: "a spokesman for the ministry" is
        a spokesman: no reporter may stand before the mention) and the head is no reporter ("a
        UN spokesman", "the official", "officials"), the mention is a name (a capitalised word, or a party code: not
        "officials", not "he"), and the parties it names (upper-case lexicon norms: countries,
        demonyms, organisations) share one with the event's forces and parties, or those name
        none: "Moscow said Ukrainian troops were sent" is not Moscow's deployment (places do
        not count: "Moscow said troops were sent to Ukraine" is). Not a source after "according
        to" (it only reports), nor for an event asked of someone else ("said it would request
        the deployment of allied units": a request, ask, call, appeal, wish or welcome up to
        three words before the match).
        """
        ruleset = self.pack.ruleset
        if ruleset is None:
            return
        starts: list[int] | None = None  # token offsets, for the token range of an argument
        ends: list[int] = []
        for match, event, source in zip(kept, events, sources):
            if source is None:
                continue
            decl = ruleset.type_decl(match.rule.type)
            if not decl.reported_actor:
                continue
            actor_role = decl.actor_role
            if actor_role is None or actor_role in event["args"]:
                continue
            head = source[1] - 1
            if tokens[head].lower in _REPORTERS or (source[0] >= 1 and tokens[source[0] - 1].lower == "to"):
                continue  # a reporter, or "according to X": a source, not an actor
            if any(t.lower in _REQUESTS for t in tokens[max(0, match.start - 3) : match.start]):
                continue  # "considering whether to request the deployment of": someone else's
            mention: LexiconHit | None = None
            for hit in hits:
                if hit.lexicon in self._actor_label and source[0] <= hit.start and hit.start + hit.length == head + 1:
                    if mention is None or hit.length > mention.length:
                        mention = hit
            if mention is None or any(t.lower in _REPORTERS for t in tokens[source[0] : mention.start]):
                continue  # "a spokesman for the regional bloc SADC" reports for it
            words = tokens[mention.start : mention.start + mention.length]
            if words[0].lower in _PRONOUN_ANTECEDENTS or not (
                any(t.word[:1].isupper() for t in words[1:])
                or (words[0].word[:1].isupper() and mention.start > 0)
                or (mention.norm and _PARTY.fullmatch(mention.norm))
            ):
                continue
            theirs = self._parties(hits, mention.start, mention.start + mention.length)
            ours: set[str] = set()
            for role, arg in event["args"].items():
                if decl.kind(role) not in ("force", "party"):
                    continue
                if starts is None:
                    starts, ends = [t.start for t in tokens], [t.end for t in tokens]
                first = bisect_left(starts, arg["start"])
                last = bisect_left(ends, arg["end"]) + 1
                ours |= self._parties(hits, first, last)
            if ours and not (ours & theirs):
                continue
            mention_last = mention.start + mention.length - 1
            _add_argument(event, actor_role, _span_argument(text, tokens, mention.start, mention_last, mention.norm))

    @staticmethod
    def _parties(hits: list[LexiconHit], first: int, last: int) -> set[str]:
        """Party codes (upper-case lexicon norms) of the phrases inside tokens ``first:last``."""
        return {h.norm for h in hits if h.norm and first <= h.start and h.start + h.length <= last and _PARTY.fullmatch(h.norm)}

    def _nearest_before(
        self, tokens: list[Token], hits: list[LexiconHit], labels: frozenset[int], at: int, any_position: bool = False
    ) -> LexiconHit | None:
        """The mention of one of ``labels`` that ends last before token ``at`` (then the longest),
        in subject position unless ``any_position``: a pronoun's antecedent, a clause's subject."""
        best: LexiconHit | None = None
        for hit in hits:
            end = hit.start + hit.length
            if hit.lexicon in labels and end <= at and (any_position or self._subject_position(tokens, hit.start, end)):
                if best is None or (end, hit.length) > (best.start + best.length, best.length):
                    best = hit
        return best

    def _pronoun_subjects(
        self, text: str, tokens: list[Token], kept: list[Match], events: list[Event], hits: list[LexiconHit]
    ) -> None:
        """Give an event without an actor the antecedent of the pronoun before it.

        "After Lisbon approved the plan, it sent 700 soldiers to the delta": the match starts
        at its verb, after the subject pronoun "it" (auxiliaries and adverbs may stand between:
        "they would then", "so that they could", "they need to help"); "praised Estonia for its deployment of 120
        soldiers": it starts at its event noun, right after a possessive ("its", "their").
        The actor is the pronoun's antecedent in the same sentence: the nearest mention before
        it that is an ``@Actor`` ("it", "its"), or an ``@Actor`` or ``@Force`` ("they",
        "their"; a force only for a type without a force role, where it is the actor: troops
        that evacuate people); for a subject pronoun the antecedent must stand in subject
        position itself (first in the sentence, after a conjunction, punctuation or a
        passive's "by", or before a finite verb group: not the object of a verb or of another
        preposition). Nothing when another such mention stands between the two (an ambiguous
        reference), when a singular pronoun would refer to a coordination ("Athens and Sofia
        ... its"; a plural one takes the whole coordination), or when the antecedent is an
        argument of the event already: an argument the sentence does not support is left out
        rather than guessed.
        """
        ruleset = self.pack.ruleset
        if ruleset is None:
            return
        for match, event in zip(kept, events):
            decl = ruleset.type_decl(match.rule.type)
            actor_role = decl.actor_role
            if actor_role is None or actor_role in event["args"]:
                continue
            at = match.start - 1
            if at >= 0 and tokens[at].lower not in _POSSESSIVES:
                while at >= 0 and tokens[at].lower in _PRONOUN_CHAIN:
                    at -= 1
                if at >= 0 and tokens[at].lower in _POSSESSIVES:
                    continue
            if at < 0 or tokens[at].lower not in self._antecedents:
                continue
            possessive = tokens[at].lower in _POSSESSIVES
            candidates = self._antecedents[tokens[at].lower]
            labels = candidates
            if any(kind == "force" for kind in decl.roles.values()):
                labels = labels - self._force_label
            best = self._nearest_before(tokens, hits, labels, at, any_position=possessive)
            if best is None:
                continue
            # another candidate between the antecedent and the pronoun, even an object, makes
            # the reference ambiguous ("pushed Iranian forces out of positions they held")
            best_end = best.start + best.length
            if any(hit.lexicon in candidates and hit.start >= best_end and hit.start + hit.length <= at for hit in hits):
                continue
            first = best.start
            # a coordinated antecedent ("Athens and Sofia ... their"): the whole coordination
            # for a plural pronoun, none for a singular one
            while first >= 2 and tokens[first - 1].lower in ("and", ","):
                joined = [h for h in hits if h.lexicon in candidates and h.start + h.length == first - 1]
                if not joined:
                    break
                first = min(h.start for h in joined)
            if first != best.start and tokens[at].lower in ("it", "its"):
                continue
            norm = best.norm if first == best.start else None  # a coordination has none
            arg = _span_argument(text, tokens, first, best.start + best.length - 1, norm)
            if not _overlaps_an_argument(event, arg):
                _add_argument(event, actor_role, arg)

    def _participle_subjects(
        self, text: str, tokens: list[Token], kept: list[Match], events: list[Event], hits: list[LexiconHit]
    ) -> None:
        """Give an event without an actor the subject of the clause its verb hangs on.

        A gerund: "Oslo responded by sending 400 troops to the border", "Oslo raised its alert
        level on Monday, ordering residents to leave": the match starts with a gerund right
        after "by" (not a passive's: "were killed by shelling"), a comma, "after", "before" or
        "while". A second verb of one subject: "Oslo closed
        the crossing and has deployed 300 guards": the match starts at its trigger, after "and"
        and auxiliaries only (when the first verb is an event of its own,
        :meth:`_share_subjects` has given its actor already). The actor is the subject of the
        clause: the nearest ``@Actor`` before it in subject position (as for a pronoun's
        antecedent). Nothing when another ``@Actor`` or ``@Force`` stands between the two — for
        a gerund any (an object may be the one who acts: "urged Helsinki to act, sending ..."),
        for a second verb one in subject position ("Oslo said Helsinki had closed the crossing
        and sent ...") —, or when that actor is an argument of the event already.
        """
        ruleset = self.pack.ruleset
        if ruleset is None:
            return
        actors = self._antecedents["it"]
        rivals = actors | self._force_label
        for match, event in zip(kept, events):
            trigger = match.trigger[0]
            at = match.start - 1
            if at >= 1 and tokens[at].lower in _PARTICIPLE_OPENERS:
                gerund = tokens[match.start]
                if not (gerund.lower.endswith("ing") and gerund.word[:1].islower()):
                    continue
                if tokens[at].lower == "by" and any(t.lower in _BE for t in tokens[max(0, at - 3) : at]):
                    continue  # a passive's agent: "were killed by shelling"
                coordinated = False
            else:
                if not tokens[trigger].word[:1].islower() or any(
                    tokens[i].lower not in _CHAIN_WORDS for i in range(match.start, trigger)
                ):
                    continue
                while at >= 1 and tokens[at].lower in _CHAIN_WORDS:
                    at -= 1
                if at < 1 or tokens[at].lower != _AND:
                    continue
                coordinated = True
            actor_role = ruleset.type_decl(match.rule.type).actor_role
            if actor_role is None or actor_role in event["args"]:
                continue
            best = self._nearest_before(tokens, hits, actors, at)
            if best is None:
                continue
            best_end = best.start + best.length
            if any(
                hit.lexicon in rivals
                and best_end <= hit.start < at
                and (not coordinated or self._subject_position(tokens, hit.start, hit.start + hit.length))
                for hit in hits
            ):
                continue
            arg = _span_argument(text, tokens, best.start, best_end - 1, best.norm)
            if not _overlaps_an_argument(event, arg):
                _add_argument(event, actor_role, arg)

    def _orderer_actors(
        self, text: str, tokens: list[Token], kept: list[Match], events: list[Event], hits: list[LexiconHit]
    ) -> None:
        """Give an event without an actor the one on whose orders it happens, for the types
        declared ``reported_actor`` (whose labelled data name who orders as the actor).

        "On the orders of President Roe, 3,000 troops were sent to the border", "Troops were
        deployed under orders from the defence ministry": the ``@Actor`` right after "on", "under"
        or "at" (the) orders, instructions, command or direction "of"/"from", when the sentence
        has one such phrase and the actor is no argument of the event already.
        """
        ruleset = self.pack.ruleset
        if ruleset is None:
            return
        wanting = []
        for match, event in zip(kept, events):
            decl = ruleset.type_decl(match.rule.type)
            actor_role = decl.actor_role
            if decl.reported_actor and actor_role is not None and actor_role not in event["args"]:
                wanting.append((event, actor_role))
        if not wanting:
            return
        phrase_ends = [
            i + 1
            for i in range(1, len(tokens) - 1)
            if tokens[i].lower in _ORDER_NOUNS
            and tokens[i + 1].lower in ("of", "from")
            and (
                tokens[i - 1].lower in ("on", "under", "at")
                or (i >= 2 and tokens[i - 1].lower == "the" and tokens[i - 2].lower in ("on", "under", "at"))
            )
        ]
        if len(phrase_ends) != 1:
            return
        first = phrase_ends[0] + 1
        actors = self._antecedents["it"]
        orderer: LexiconHit | None = None
        for hit in hits:
            if hit.lexicon in actors and hit.start == first and (orderer is None or hit.length > orderer.length):
                orderer = hit
        if orderer is None:
            return
        arg = _span_argument(text, tokens, first, first + orderer.length - 1, orderer.norm)
        for event, actor_role in wanting:
            if not _overlaps_an_argument(event, arg):
                _add_argument(event, actor_role, arg.copy())  # one dict per event, as each event owns its arguments

    def _share_subjects(self, tokens: list[Token], kept: list[Match], events: list[Event]) -> None:
        """Give an event without an actor the subject of the event it is coordinated with.

        In "The ministry ordered the departure of staff and authorized the departure of
        families" both events have the ministry as actor, but the second match cannot take it:
        the first match has consumed it. An event gets the actor of an earlier event of the
        sentence when only "and" lies between the two matches (a time before it: "on Thursday
        and"; auxiliaries or adverbs after it: "and has since"), the earlier actor is its event's subject (before its trigger), the
        later match starts with a lower-case word that is no argument (a verb: "and troops were
        sent" has a subject of its own), and the later type declares exactly one actor role.
        """
        ruleset = self.pack.ruleset
        if ruleset is None:
            return
        order = sorted(range(len(kept)), key=lambda n: kept[n].start)
        for pos, n in enumerate(order):
            match, event = kept[n], events[n]
            actor_role = ruleset.type_decl(match.rule.type).actor_role
            if actor_role is None or actor_role in event["args"]:
                continue
            first = tokens[match.start]
            if not first.word[:1].islower() or any(g[0] == match.start for g in match.groups.values()):
                continue
            # an earlier match can only qualify if it ends inside the run of time words, "and"
            # and chain words just before this one (a cheap test: a run-on "sentence" of
            # thousands of tokens has hundreds of matches)
            reach = match.start
            while reach > 0 and tokens[reach - 1].lower in _GAP_WORDS:
                reach -= 1
            for m in order[:pos]:
                before = kept[m]
                if not reach <= before.end < match.start:
                    continue
                gap = [t.lower for t in tokens[before.end : match.start]]
                if _AND not in gap:
                    continue
                at = gap.index(_AND)
                if any(w not in _TIME_WORDS for w in gap[:at]) or any(w not in _CHAIN_WORDS for w in gap[at + 1 :]):
                    continue
                subject = self._subject(ruleset.type_decl(before.rule.type), events[m])
                if subject is not None:
                    _add_argument(event, actor_role, Argument(**subject))
                break

    @staticmethod
    def _subject_position(tokens: list[Token], start: int, end: int) -> bool:
        """Whether tokens ``start:end`` stand where a subject does: first in the sentence, after
        a conjunction, punctuation or a passive's "by", or before a finite verb group."""
        return (
            start == 0
            or tokens[start - 1].lower in _SUBJECT_OPENERS
            or (end < len(tokens) and tokens[end].lower in _SUBJECT_FOLLOWERS)
        )

    @staticmethod
    def _subject(decl: TypeDecl, event: Event) -> Argument | None:
        """The event's actor argument when it stands before the trigger (its subject)."""
        for role, kind in decl.roles.items():
            arg = event["args"].get(role)
            if kind == "actor" and arg is not None and arg["end"] <= event["trigger"]["start"]:
                return arg
        return None

    def _args(self, doc: Document, sentence: Sentence, match: Match, hits: list[LexiconHit]) -> dict[str, Argument]:
        tokens = sentence.tokens
        args: dict[str, Argument] = {}
        ruleset = self.pack.ruleset
        decl = ruleset.type_decl(match.rule.type) if ruleset is not None else TypeDecl(match.rule.type)
        for role, (first, last) in sorted(match.groups.items(), key=lambda item: (item[1], item[0])):
            first, last = _balance_quotes(tokens, first, last)
            start, end = tokens[first].start, tokens[last - 1].end
            arg: Argument = {"text": doc.text[start:end], "start": start, "end": end}
            kind = role_normaliser(role, match.rule.norms, decl.kind(role))
            if kind == "number":
                quantity = parse_quantity(arg["text"])
                if quantity is not None and quantity.value is not None:
                    arg["value"] = quantity.value
                    arg["qualifier"] = quantity.qualifier
                    if quantity.unit:
                        arg["unit"] = quantity.unit
            elif kind == "date":
                norm = normalise_date(arg["text"], doc.date)
                if norm:
                    arg["norm"] = norm
            elif kind == "lexicon":
                norm = lexicon_norm(sentence, hits, first, last)
                if norm:
                    arg["norm"] = norm
            args[role] = arg
        return args

