"""Modality of an extracted event: asserted, negated, possible or hypothetical.

Labels follow the AG News annotation guidelines: announced or scheduled events ("will send",
"plans to", "agreed to", "said it would send") are *asserted*; refused or ruled-out ones are
*negated*; urged, threatened, needed or speculated ones are *possible*; conditional or
undecided ones are *hypothetical*. When several cues apply the strongest wins:
negated > hypothetical > possible > asserted.

A cue only counts when it governs the trigger, which is approximated without a parser:

- Particles (not, n't, never, no longer) and modal auxiliaries (may, could, would, ...) count
  in the trigger's *verb domain*: its auxiliary chain ("will not evacuate") plus the chains of
  the verbs that govern it through "to", a gerund or an object ("could be told to evacuate",
  "may order the evacuation"), up to the first finite auxiliary. "Residents who could not
  leave were evacuated" stops at "were".
- Lexical cues (deny, urge, possible, if, whether, "no" + noun, ...) count between the
  *clause start* and the trigger. Clauses start at the sentence start, ``;``, ``:``, "--",
  "but", ", and", "although"/"though"/"while"/"whereas"/"because"/"when", after a reporting
  verb ("Officials who could not be named said ..."), and after the comma that closes a
  leading subordinate clause ("After talks failed, ..."). A frame set off by commas
  ("If the storm worsens, officials said, the evacuation ...") does not end the clause.
- Verb and noun cues must also *reach* the trigger: no comma (except inside a list of names),
  relative pronoun, subordinator or foreign auxiliary in between, so "Troops who refused to
  fight were deployed" and "No agreement was reached and troops were deployed" stay asserted.
- Nominal triggers also take cues from the rest of their clause ("the deployment could begin",
  "an evacuation is unlikely"); verbal ones only from the rest of the match span.

Cue lists are module-level frozensets of lower-case words or lemmas; a multi-word cue is one
space-separated string ("rule out"). A cue word matches a token's lemma or lower-cased form,
except function words (auxiliaries, particles), which match the lower-cased form only because
lemmas conflate them ("willing" -> "will").
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from eventx.extract.attribution import (
    MAX_SCOPE,
    QUOTES,
    is_comma_or_quote,
    is_punct,
    is_reporting_verb,
    parenthetical_frame,
)
from eventx.text.model import Sentence, Token

__all__ = ["MODALITIES", "detect_modality"]

MODALITIES = ("asserted", "negated", "possible", "hypothetical")
ASSERTED, NEGATED, POSSIBLE, HYPOTHETICAL = MODALITIES
_PRECEDENCE = {NEGATED: 3, HYPOTHETICAL: 2, POSSIBLE: 1, ASSERTED: 0}

# ---- negated ---------------------------------------------------------------------------
# In the verb domain: "did not send", "will never deploy", "no longer deploys".
NEGATION_PARTICLES = frozenset({"not", "n't", "never", "no longer"})
NOT_A_NEGATION_BEFORE = frozenset({"only", "just", "merely", "least"})  # "not only sent troops"
# "no"/"none" + noun phrase that is or governs the event: "has no plans to send troops",
# "no troops will be deployed", "there will be no evacuation".
NEGATIVE_DETERMINERS = frozenset({"no", "none", "not a single", "not one"})
NOT_A_NEGATION_AFTER_NO = frozenset(
    {"doubt", "question", "longer", "matter", "sooner", "less", "exception", "end"}
)
# Verbs that take the event as complement: "denied deploying", "refused to send".
NEGATIVE_VERBS = frozenset(
    {"deny", "refuse", "reject", "dismiss", "refute", "oppose", "decline to", "rule out", "turn down", "veto",
     "cancel", "call off", "scrap", "abandon", "shelve", "back away from", "rebuff",
     "too dangerous to", "too risky to", "too late to", "stop short of", "refrain from"}
)
# A claim whose content is the event, called false after it: "reports that troops had been
# sent to the north are false", "rumours of a troop build-up were denied" (the claim noun, what
# links it to the event, and what refutes it after the event's clause).
CLAIM_NOUNS = frozenset({"report", "claim", "rumour", "rumor", "news", "allegation", "speculation", "suggestion", "story"})
CLAIM_LINKS = frozenset({"that", "of", "about", "claiming", "saying", "suggesting", "alleging"})
CLAIM_LINK_REACH = 8  # tokens from the claim noun to its link ("news circulating on social media claiming")
REFUTING_WORDS = frozenset(
    {"false", "untrue", "baseless", "unfounded", "fake", "incorrect", "groundless", "inaccurate",
     "wrong", "fabricated", "not true", "denied", "rejected", "dismissed"}
)
REFUTING_ADVERBS = frozenset({"completely", "totally", "entirely", "simply", "absolutely", "utterly", "also"})  # "are completely false"
# Adverbs between "and" and a second verb of the subject: "rejected the plan and then sent".
COORDINATED_ADVERBS = frozenset({"then", "also", "later", "instead", "subsequently", "eventually", "soon"})
# Verbs whose denial commits to the event: "would not hesitate to send troops".
COMMITTED_WHEN_DENIED = frozenset({"hesitate"})
# Refusing to talk about an event does not negate it: "declined to comment on the deployment".
NOT_NEGATED_BY = frozenset(
    {"comment", "elaborate", "discuss", "give", "provide", "specify", "disclose", "reveal",
     "detail", "confirm", "say", "speak", "answer", "respond", "name", "identify"}
)
# Nouns that do the same, only for a non-finite event: "opposition to deploying".
NEGATIVE_NOUNS = frozenset(
    {"opposition to", "refusal to", "rejection of", "denial of", "objection to", "veto of"}
)
# Prepositions that negate a gerund right after them: "without sending", "voted against sending".
NEGATIVE_PREPOSITIONS = frozenset({"without", "against", "instead of", "rather than"})
# Verbs that keep their object from the event after "from": "barred the Guard from being
# deployed", "a law that prohibits troops from deploying abroad", "were prevented from leaving".
PREVENTING_VERBS = frozenset({"bar", "ban", "prohibit", "forbid", "prevent", "stop", "block", "keep"})
PREVENTED_REACH = 8  # tokens from the verb to "from" (its object: "the state's National Guard units")

# ---- hypothetical ----------------------------------------------------------------------
CONDITIONALS = frozenset(
    {"if", "unless", "in case", "in the event", "provided that", "on condition that",
     # only if all else fails: "would send troops as a last resort"
     "as a last resort", "as a last option", "in extremis"}
)
NOT_A_CONDITION_AFTER = frozenset({"even", "as"})  # "even if", "as if"
# A condition by inversion, at the start of a sentence and closed by a comma: "Should Russia
# invade, the US would send troops", "Were talks to fail, ...", "Had the talks failed, ...".
INVERTED_CONDITIONS = frozenset({"Should", "Were", "Had"})
# A contingency named by a noun is a possible event, not a condition on another one: "troops
# on standby in case of an evacuation" (the evacuation may happen); "In case of an attack,
# troops will deploy" keeps the deployment hypothetical.
CONTINGENCIES = frozenset({"in case of", "in the event of"})
# After these an "if" asks a question rather than sets a condition ("to see if the ...").
QUESTION_HEADS = frozenset(
    {"see", "check", "ask", "know", "determine", "decide", "wonder", "clear", "unclear", "test",
     "assess", "learn", "verify", "examine"}
)
QUESTIONS = frozenset({"whether"})
NOT_A_QUESTION_AFTER = frozenset({"or not"})  # "Whether or not talks succeed, ..." concedes
# Undecided (guidelines: "had not yet decided on a request for back-up").
UNDECIDED = frozenset({"undecided", "indecision", "yet to decide", "yet to be decided"})
UNDECIDED_VERBS = frozenset({"decide"})  # negated: "has not decided whether to send"
UNDECIDED_NOUNS = frozenset({"decision", "consensus"})  # after "no": "no decision on sending troops"

# ---- possible --------------------------------------------------------------------------
POSSIBLE_MODALS = frozenset({"may", "might", "could", "can", "ca", "should", "would", "'d"})
# "would" is announced future, not speculation, after these in the past: "said it would send".
FUTURE_IN_PAST_LEMMAS = frozenset(
    {"say", "tell", "announce", "state", "confirm", "declare", "add", "report", "insist",
     "claim", "promise", "pledge", "vow", "agree", "decide", "indicate"}
)
POSSIBLE_WORDS = frozenset(
    {"possible", "possibly", "potential", "potentially", "likely", "unlikely", "probable",
     "probably", "perhaps", "maybe", "conceivably", "prospect", "option", "speculation",
     "rumor", "rumour", "contingency", "under consideration"}
)
# A possibility word right after these modifies a noun of its own, not the event before it:
# "raised the level to its highest possible rating", "on alert over a potential strike".
NOT_A_POST_CUE_AFTER = frozenset(
    {"a", "an", "the", "any", "its", "their", "his", "her", "our", "every", "all", "most",
     "least", "maximum", "minimum", "best", "worst"}
)
# Verbs and nouns whose complement is a wanted, feared or proposed event.
POSSIBLE_GOVERNORS = frozenset(
    {"threaten", "threat", "consider", "mull", "weigh", "contemplate", "urge", "call for",
     "call on", "appeal for", "plead", "plea", "ask", "request", "seek", "propose", "proposal",
     "suggest", "recommend", "need", "expect", "prepare", "ready", "allege",
     "alleged", "accuse", "demand", "push for", "press for", "discuss", "explore", "want",
     "hope", "warn", "fear", "advise", "encourage"}
)

# A governor noun that only modifies the next noun governs nothing: "the terror threat level
# was lowered" is no threat of lowering it.
NOT_A_GOVERNOR_BEFORE = frozenset(
    {"level", "levels", "status", "rating", "ratings", "assessment", "assessments", "posture",
     "condition", "scale", "system"}
)

# Words that open an aside narrowing a noun phrase: ", especially the elderly," (at most
# FOCUS_ASIDE_WORDS words to its closing comma).
FOCUS_ASIDE_WORDS = 8
FOCUS_ASIDE_OPENERS = frozenset(
    {"especially", "particularly", "including", "notably", "mainly", "mostly", "chiefly", "primarily"}
)
# A threat right before the event's verb is its subject, as in a headline ("terror threat cut
# to 'moderate'"), not a threat of it.
THREAT_NOUNS = frozenset({"threat", "threats"})
# Nouns through which a preposition's cue reaches an infinitive: "against any move to evacuate".
PLAN_NOUNS = frozenset(
    {"move", "moves", "plan", "plans", "attempt", "attempts", "bid", "bids", "effort", "efforts",
     "proposal", "proposals", "idea", "step", "steps"}
)

# Triggers that only urge, appeal or ask (the guidelines' "urged ... to leave" is possible,
# "ordered ... to leave" asserted; "sought 50 companies of troops"): an event they trigger is
# possible whatever governs them.
POSSIBLE_TRIGGERS = frozenset({"urge", "appeal", "implore", "plead", "seek", "request", "requisition"})

# Predicates that say whether an event takes place ("the deployment could begin next week").
OCCURRENCE_PREDICATES = frozenset(
    {"be", "begin", "start", "come", "happen", "take place", "go ahead", "proceed", "occur",
     "resume", "get under way", "materialize", "follow"}
)

# ---- grammar words -----------------------------------------------------------------------
FINITE_AUXILIARIES = frozenset(
    {"is", "are", "was", "were", "am", "'re", "'m", "has", "have", "had", "'ve", "do", "does",
     "did", "will", "wo", "'ll", "would", "'d", "shall", "should", "can", "ca", "could", "may",
     "might", "must"}
)
BE_FORMS = frozenset({"be", "is", "are", "was", "were", "am", "been", "being", "'re", "'m"})
AUXILIARIES = FINITE_AUXILIARIES | BE_FORMS | frozenset({"having", "to"})
FUTURE_OR_MODAL = POSSIBLE_MODALS | frozenset({"will", "wo", "'ll", "shall", "must", "to"})
CHAIN_ADVERBS = frozenset(
    {"also", "still", "yet", "already", "now", "soon", "then", "just", "even", "further",
     "reportedly", "initially", "finally", "immediately", "quickly", "again", "likely",
     "possibly", "probably", "certainly", "ever", "currently", "previously", "recently",
     "longer", "not", "n't", "never"}
)
# Words that end a verb domain or stop a cue from reaching the trigger.
STOPPERS = frozenset(
    {"which", "who", "whom", "whose", "where", "whether", "if", "when", "while", "as", "after",
     "before", "because", "since", "until", "unless", "than", "but", "although", "though",
     "whereas", "and", "or"}
)
# Clause boundaries: the clause starts after these ...
BOUNDARIES_AFTER = frozenset({";", ":", "but"})
# ... or at these, which open a clause of their own.
BOUNDARIES_AT = frozenset({"although", "though", "while", "whereas", "because", "when"})
# "so" opens a purpose or result clause of its own before these: "put a battalion on
# readiness so they can be deployed if needed" (the condition is the deployment's).
SO_CLAUSE_OPENERS = frozenset({"that", "they", "it", "he", "she", "we", "you", "i"})
# A clause opened by one of these ends at its last comma: "After talks failed, Britain sent".
LEADING_SUBORDINATORS = frozenset(
    {"after", "before", "when", "while", "although", "though", "whereas", "because", "since",
     "as", "once", "until", "despite", "following", "amid", "with", "without", "given",
     "considering", "whether"}
)
PREPOSITIONS = frozenset(
    {"for", "in", "at", "on", "by", "from", "with", "of", "into", "near", "under", "over",
     "during", "to", "about", "against", "without", "through", "across", "amid", "despite"}
)
# Prepositions that take the event as the complement of "no X": "no plans for sending".
COMPLEMENT_PREPOSITIONS = frozenset({"to", "of", "for"})
DETERMINERS = frozenset(
    {"the", "a", "an", "this", "these", "those", "its", "his", "her", "their", "our", "any",
     "some", "no", "more", "further", "new", "possible", "'s"}
)
NOMINAL_SUFFIXES = ("tion", "tions", "ment", "ments", "up", "ups")
MONTH_CONTEXT = frozenset({"in", "on", "since", "by", "until", "of", "last", "next", "early",
                           "late", "mid", "from", "through"})
MAX_GAP = 6  # tokens between a governed verb and the auxiliary chain of its governor
# "as many as 10,000 troops": a number in a governor's object, not a clause (not counted in MAX_GAP)
AS_QUANTIFIERS = frozenset({"many", "much", "few", "little"})
MAX_REACH = 8  # tokens between a lexical cue and the trigger
MAX_HOPS = 3  # governing verbs followed up the verb domain


@dataclass(frozen=True, slots=True)
class _Chain:
    """Auxiliaries, particles and adverbs ``[first, host)`` in front of the word ``host``."""

    first: int
    host: int
    finite: bool


@dataclass(frozen=True, slots=True)
class _Context:
    """What every cue test needs: the tokens, the trigger and the scopes computed once."""

    tokens: list[Token]
    trigger: tuple[int, int]
    clause_start: int
    domain: tuple[_Chain, ...]
    skipped: frozenset[int]  # the domain's chains and parenthetical frames: not in any gap
    nominal: bool
    counted: tuple[int, ...]  # the tokens from the clause start to the trigger not skipped
    event_start: int  # where the match begins, if before the trigger ("putting troops on alert")

    def gap(self, end: int, limit: int, until: int | None = None) -> list[int] | None:
        """The counted tokens from ``end`` to the trigger (or to ``until``), or None when there
        are more than ``limit``."""
        first = bisect_left(self.counted, end)
        last = len(self.counted) if until is None else bisect_left(self.counted, until)
        if last - first > limit:
            return None
        return list(self.counted[first:last])

    @property
    def finite(self) -> bool:
        """Whether the trigger heads its own finite verb group ("troops were deployed")."""
        return self.domain[0].finite


def detect_modality(sentence: Sentence, trigger: tuple[int, int], span: tuple[int, int]) -> str:
    """Modality of the event whose trigger is ``trigger`` inside the match ``span``.

    Both are token ranges ``[first, last)`` into ``sentence.tokens``. Returns one of
    :data:`MODALITIES`.

    Example: "The president said he has no plans to send troops" with trigger "send" is
    ``"negated"``; "Officials who could not be named said the army deployed troops" with
    trigger "deployed" is ``"asserted"``.
    """
    tokens = sentence.tokens
    t0, t1 = trigger
    if not 0 <= t0 < t1 <= len(tokens):
        raise ValueError(f"trigger {trigger} outside the sentence's {len(tokens)} tokens")
    span_end = max(span[1], t1)
    head = t0
    if t0 >= 2 and tokens[t0 - 1].word in QUOTES and tokens[t0 - 2].lower == "to":
        # 'urged villagers to "leave immediately"': the quote opens the order's own words,
        # it ends no clause; the trigger's verb domain starts at "to" as without it
        t0 -= 1
    cs, frames = _clause_start(tokens, t0)
    domain = _verb_domain(tokens, cs, t0)
    chained = frozenset(i for ch in domain for i in range(ch.first, ch.host))
    skipped = chained | frames | _scare_quotes(tokens, cs, t0)
    ctx = _Context(
        tokens=tokens,
        trigger=(t0, t1),
        clause_start=cs,
        domain=domain,
        skipped=skipped,
        nominal=_is_nominal(tokens, head, t1),
        counted=tuple(g for g in range(cs, t0) if g not in skipped),
        event_start=min(span[0], t0),
    )
    found = {m for m, _ in _cues(ctx, span_end)}
    if tokens[head].lemma in POSSIBLE_TRIGGERS:  # the trigger itself only urges: "residents were urged to leave"
        found.add(POSSIBLE)
    return max(found, key=_PRECEDENCE.__getitem__, default=ASSERTED)


# ---- cue search --------------------------------------------------------------------------


def _cues(ctx: _Context, span_end: int) -> Iterator[tuple[str, int]]:
    """Every (modality, token index) cue that governs the trigger."""
    yield from _domain_cues(ctx)
    for k in range(ctx.clause_start, ctx.trigger[0]):
        yield from _lexical_cues(ctx, k)
    post = _post_region(ctx, span_end)
    post_cues = list(_post_cues(ctx, post))
    yield from post_cues
    yield from _refuted_claim(ctx, span_end)
    if any(ctx.tokens[i].lower in FUTURE_OR_MODAL for i in ctx.skipped) or any(
        m == POSSIBLE for m, _ in post_cues
    ):
        yield from _trailing_conditions(ctx)


def _domain_cues(ctx: _Context) -> Iterator[tuple[str, int]]:
    """Negation particles and modals in the trigger's verb domain."""
    tokens = ctx.tokens
    for n, chain in enumerate(ctx.domain):
        for i in range(chain.first, chain.host):
            if _is_negation_particle(tokens, i):
                host = chain.host
                if n == 0:
                    yield NEGATED, i
                elif _match(tokens, host, COMMITTED_WHEN_DENIED):
                    continue
                elif _match(tokens, host, UNDECIDED_VERBS):
                    yield HYPOTHETICAL, i  # "has not yet decided whether to send"
                elif not _match(tokens, host, NEGATIVE_VERBS) and not (
                    _match(tokens, host, PREVENTING_VERBS) and _prevents(ctx, host)
                ):
                    yield NEGATED, i  # "did not plan to send" (a denied denial: see _is_negated)
            elif _is_speculative_modal(tokens, i):
                yield POSSIBLE, i


def _lexical_cues(ctx: _Context, k: int) -> Iterator[tuple[str, int]]:
    """Cues starting at ``k``, between the clause start and the trigger."""
    tokens = ctx.tokens
    prev = tokens[k - 1].lower if k > 0 else ""
    if (end := _match(tokens, k, CONTINGENCIES)) and ctx.nominal and _reaches(ctx, end, "noun"):
        yield POSSIBLE, k
    elif (end := _match(tokens, k, CONDITIONALS)) and prev not in NOT_A_CONDITION_AFTER:
        # a condition scopes over the main clause after it ("If ..., X will evacuate"), but
        # an "if" that asks ("to see if the road was open") must reach the trigger
        if not _match(tokens, k - 1, QUESTION_HEADS) or _reaches(ctx, end, "verb"):
            yield HYPOTHETICAL, k
    if k == 0 and tokens[k].word in INVERTED_CONDITIONS and any(
        _is_barrier_comma(tokens, c) for c in range(k + 2, ctx.trigger[0])
    ):
        yield HYPOTHETICAL, k
    if (end := _match(tokens, k, QUESTIONS)) and not _match(tokens, end, NOT_A_QUESTION_AFTER):
        if _reaches(ctx, end, "verb"):
            yield HYPOTHETICAL, k  # "weighing whether to send"
    if (end := _match(tokens, k, UNDECIDED)) and _reaches(ctx, end, "verb"):
        yield HYPOTHETICAL, k
    if (
        (end := _match(tokens, k, NEGATIVE_VERBS))
        and _reaches(ctx, end, "verb")
        and not _match(tokens, _skip_to(tokens, end), NOT_NEGATED_BY)
        # "refused to rule out sending": it negates the denial, which decides the modality
        and not _match(tokens, _skip_to(tokens, end), NEGATIVE_VERBS)
    ):
        # "did not rule out sending", "refused to rule out": a denied denial leaves it open
        yield (POSSIBLE if _is_negated(ctx, k) else NEGATED), k
    if (end := _match(tokens, k, NEGATIVE_NOUNS)) and _reaches(ctx, end, "noun"):
        yield NEGATED, k
    if (end := _match(tokens, k, NEGATIVE_PREPOSITIONS)) and _reaches(ctx, end, "preposition"):
        yield NEGATED, k
    if _match(tokens, k, PREVENTING_VERBS) and _prevents(ctx, k):
        yield (POSSIBLE if _is_negated(ctx, k) else NEGATED), k  # "did not bar them from deploying"
    if (end := _match(tokens, k, NEGATIVE_DETERMINERS)) and _negative_np_governs(ctx, k, end):
        yield (HYPOTHETICAL if _match(tokens, end, UNDECIDED_NOUNS) else NEGATED), k
    if (end := _match(tokens, k, POSSIBLE_WORDS)) and _reaches(ctx, end, "verb"):
        yield POSSIBLE, k
    if (
        (end := _match(tokens, k, POSSIBLE_GOVERNORS))
        and not _match(tokens, end, NOT_A_GOVERNOR_BEFORE)
        and not _to_noun_phrase(ctx, end)
        and not _coordinated_next(tokens, end)
        and not _subject_noun(tokens, end)
        and not _headline_threat(ctx, k, end)
        and _reaches(ctx, end, "verb")
    ):
        yield POSSIBLE, k


def _post_cues(ctx: _Context, post: range) -> Iterator[tuple[str, int]]:
    """Cues after the trigger: "the deployment could begin", "evacuation was ruled out".

    An auxiliary chain after the trigger counts only when it leads to a predicate of
    occurrence or is passive: in "the deployment could lead to wider operations" the doubt is
    about the consequence, in "the evacuation was not ordered" about the event.
    """
    tokens = ctx.tokens
    k = post.start
    while k < post.stop:
        if not _is_chain_word(tokens, k):
            yield from _post_word_cues(tokens, k)
            k += 1
            continue
        end = k
        while end < post.stop and _is_chain_word(tokens, end):
            end += 1
        passive = any(tokens[i].lower in BE_FORMS for i in range(k, end))  # "was not ordered"
        if end < post.stop and (
            passive
            or _match(tokens, end, OCCURRENCE_PREDICATES)
            or next(_post_word_cues(tokens, end), None)
        ):
            for i in range(k, end):
                if _is_negation_particle(tokens, i):
                    yield NEGATED, i
                elif _is_speculative_modal(tokens, i):
                    yield POSSIBLE, i
        k = end


def _refuted_claim(ctx: _Context, span_end: int) -> Iterator[tuple[str, int]]:
    """A claim noun before the event whose content the event is ("reports that", "claims of",
    "news ... claiming"), refuted by the predicate after the event's clause: "is false", "were
    denied", "are completely baseless"."""
    tokens = ctx.tokens
    t0 = ctx.trigger[0]
    claim = next(
        (
            c for c in range(ctx.clause_start, t0)
            if _match(tokens, c, CLAIM_NOUNS)
            and any(_match(tokens, j, CLAIM_LINKS) for j in range(c + 1, min(t0 + 1, c + 1 + CLAIM_LINK_REACH)))
        ),
        None,
    )
    if claim is None:
        return
    for k in range(span_end, min(len(tokens), span_end + MAX_SCOPE)):
        if tokens[k].lower in BOUNDARIES_AFTER or tokens[k].lower in (".", "!", "?"):
            return
        if tokens[k].lower in BE_FORMS:
            end = k + 1
            while end < len(tokens) and tokens[end].lower in REFUTING_ADVERBS:
                end += 1
            if _match(tokens, end, REFUTING_WORDS):
                yield NEGATED, claim
            return


def _post_word_cues(tokens: list[Token], k: int) -> Iterator[tuple[str, int]]:
    """Lexical cues that may follow the event: "is possible", "was ruled out", "undecided"."""
    if _match(tokens, k, NEGATIVE_VERBS):
        yield NEGATED, k
    elif _match(tokens, k, UNDECIDED):
        yield HYPOTHETICAL, k
    elif _match(tokens, k, POSSIBLE_WORDS) and not _modifies_other_noun(tokens, k):
        yield POSSIBLE, k


def _modifies_other_noun(tokens: list[Token], k: int) -> bool:
    """Whether the possibility word at ``k`` (after the trigger) qualifies a later noun:
    after a determiner or a superlative, before a word ("a potential attack", "the highest
    possible rating"), unlike "the evacuation is possible"."""
    if k == 0 or k + 1 >= len(tokens) or is_punct(tokens[k + 1]):
        return False
    prev = tokens[k - 1].lower
    return prev in NOT_A_POST_CUE_AFTER or (len(prev) > 4 and prev.endswith("est"))


def _trailing_conditions(ctx: _Context) -> Iterator[tuple[str, int]]:
    """A condition after an irrealis event: "will evacuate the town if the river rises"."""
    tokens = ctx.tokens
    for k in range(ctx.trigger[1], min(len(tokens), ctx.trigger[1] + MAX_SCOPE)):
        w = tokens[k].lower
        if w in BOUNDARIES_AFTER or w in BOUNDARIES_AT or (
            w == "," and k + 1 < len(tokens) and tokens[k + 1].lower in ("and", "but", "or")
        ) or (w == "so" and k + 1 < len(tokens) and tokens[k + 1].lower in SO_CLAUSE_OPENERS):
            return
        prev = tokens[k - 1]
        if (
            _match(tokens, k, CONDITIONALS)
            and prev.lower not in NOT_A_CONDITION_AFTER
            and not _match(tokens, k - 1, QUESTION_HEADS)
        ):
            yield HYPOTHETICAL, k
            return


# ---- scopes ------------------------------------------------------------------------------

# Quotation marks around at most this many words set off a term, not a quotation:
# 'had "no intention" of sending', 'the "ordered departure" of'.
SCARE_QUOTE_WORDS = 4


def _scare_quotes(tokens: list[Token], cs: int, t0: int) -> frozenset[int]:
    """The double quotes in ``[cs, t0)`` that enclose a short term without punctuation.

    Skipped like a parenthetical frame, so that a cue in scare quotes still reaches the
    trigger: 'had "no intention" of sending troops' is negated.
    """
    marks = [i for i in range(cs, t0) if tokens[i].word in QUOTES and tokens[i].word != "'"]
    paired: set[int] = set()
    for opening, closing in zip(marks, marks[1:]):
        inner = range(opening + 1, closing)
        if (
            opening not in paired
            and 0 < len(inner) <= SCARE_QUOTE_WORDS
            and not any(is_punct(tokens[g]) for g in inner)
        ):
            paired.update((opening, closing))
    return frozenset(paired)


def _clause_start(tokens: list[Token], t0: int) -> tuple[int, frozenset[int]]:
    """Index of the first token of the trigger's clause, and the parenthetical frames in it."""
    cs = max(0, t0 - MAX_SCOPE)
    frames: set[int] = set()
    i = t0 - 1
    while i >= cs:
        w = tokens[i].lower
        if w in BOUNDARIES_AFTER or (w == "-" and i > 0 and tokens[i - 1].lower == "-") or (
            w == "," and i + 1 < t0 and tokens[i + 1].lower in ("and", "or")
        ):
            cs = i + 1
            break
        if w in BOUNDARIES_AT:
            cs = i
            break
        if is_reporting_verb(tokens, i):
            # ", officials said," interrupts the clause; any other frame ends it
            opening = parenthetical_frame(tokens, i)
            closing = next((c for c in range(i + 1, t0) if tokens[c].word == ","), None)
            if opening is None or closing is None:
                cs = i + 1
                break
            while opening > 0 and is_comma_or_quote(tokens[opening - 1]):
                opening -= 1  # '," he said'
            if closing + 1 < t0 and tokens[closing + 1].word in QUOTES:
                closing += 1  # ', he said, "'
            frames.update(range(opening, closing + 1))
            i = opening
        i -= 1
    if cs < t0 and tokens[cs].lower in LEADING_SUBORDINATORS and not _match(tokens, cs, CONDITIONALS):
        commas = [c for c in range(cs + 1, t0) if _is_barrier_comma(tokens, c)]
        if commas:
            cs = commas[-1] + 1
    frames.update(_focus_asides(tokens, cs, t0))
    return cs, frozenset(f for f in frames if f >= cs)


def _focus_asides(tokens: list[Token], cs: int, t0: int) -> Iterator[int]:
    """The tokens of comma-closed asides opened by a focus word between an object and its
    infinitive ("urged residents, especially the elderly, to leave"): they narrow the object
    and end no clause."""
    for c in range(cs, t0 - 1):
        if tokens[c].word == "," and tokens[c + 1].lower in FOCUS_ASIDE_OPENERS:
            for close in range(c + 2, min(t0, c + 2 + FOCUS_ASIDE_WORDS)):
                if tokens[close].word == ",":
                    if close + 1 < t0 and tokens[close + 1].lower == "to":
                        yield from range(c, close + 1)
                    break
                if is_punct(tokens[close]):
                    break


def _verb_domain(tokens: list[Token], lo: int, t0: int) -> tuple[_Chain, ...]:
    """The trigger's auxiliary chain, then those of its governors up to a finite one.

    "could be told to evacuate": [to] before "evacuate", then [could be] before "told".
    The first chain is always the trigger's own (possibly empty).
    """
    chains: list[_Chain] = []
    host, i = t0, t0 - 1
    for _ in range(MAX_HOPS):
        j = i
        while j >= lo and _is_chain_word(tokens, j):
            j -= 1
        first = j + 1
        lead = next((tokens[x].lower for x in range(first, host)
                     if tokens[x].lower not in CHAIN_ADVERBS), "")
        chain = _Chain(first, host, lead in FINITE_AUXILIARIES)
        chains.append(chain)
        if chain.finite:
            break
        # hop over the governor (and its object) to the auxiliary chain in front of it
        k, counted = j, 0
        while k >= lo and counted < MAX_GAP and not _is_chain_word(tokens, k):
            quantifier = _in_quantifier(tokens, k)
            if is_punct(tokens[k]) or (tokens[k].lower in STOPPERS and not quantifier) or tokens[k].lower == "that":
                return tuple(chains)
            if not quantifier and tokens[k].lower not in AS_QUANTIFIERS:
                counted += 1
            k -= 1
        if k < lo or not _is_chain_word(tokens, k):
            break
        host, i = k + 1, k
    return tuple(chains)


def _in_quantifier(tokens: list[Token], k: int) -> bool:
    """Whether the "as" at ``k`` belongs to "as many/much/few as", a number in an object
    ("may place as many as 10,000 troops on alert"), not a clause."""
    if tokens[k].lower != "as":
        return False
    return (k + 1 < len(tokens) and tokens[k + 1].lower in AS_QUANTIFIERS) or (
        k >= 2 and tokens[k - 1].lower in AS_QUANTIFIERS and tokens[k - 2].lower == "as"
    )



def _post_region(ctx: _Context, span_end: int) -> range:
    """Tokens after the trigger that still belong to its clause (nominal) or span (verbal)."""
    tokens = ctx.tokens
    t1 = ctx.trigger[1]
    end = min(len(tokens) if ctx.nominal else span_end, t1 + MAX_SCOPE)
    k = t1
    while k < end:
        tok = tokens[k]
        if is_punct(tok) or tok.lower in STOPPERS or tok.lower == "that" \
                or is_reporting_verb(tokens, k):
            break
        k += 1
    return range(t1, k)


def _reaches(ctx: _Context, end: int, kind: str) -> bool:
    """Whether a cue ending at ``end`` governs the trigger (see the module docstring).

    ``kind`` is "verb" (may take a finite clause: "denied troops were sent"), "noun" or
    "preposition" (only a non-finite event: "opposition to deploying", "without sending").
    """
    t0 = ctx.trigger[0]
    gap = ctx.gap(end, MAX_REACH)
    if kind == "preposition":
        return (gap == [] and ctx.tokens[t0].lower.endswith("ing")) or _plan_to(ctx.tokens, gap)
    if gap is None or (kind == "noun" and ctx.finite):
        return False
    tokens = ctx.tokens
    if kind == "verb" and _second_verb(tokens, gap, t0):
        return False
    for g in gap:
        w = tokens[g].lower
        if w in AUXILIARIES or _is_barrier_comma(tokens, g):
            return False  # another verb group or clause lies in between
        if w in STOPPERS and (ctx.finite or w not in ("and", "or")):
            return False
    # a finite event after a prepositional phrase is not a complement:
    # "the troops needed for the mission were deployed"
    return not (ctx.finite and gap and tokens[gap[0]].lower in PREPOSITIONS)


def _second_verb(tokens: list[Token], gap: list[int], t0: int) -> bool:
    """Whether the trigger is an inflected verb coordinated after the cue's own object ("denied
    the charges and sent troops", "rejected the plan and then deployed"): a second verb of the
    subject, not the cue's complement (a gerund or an infinitive may be one: "refused to send
    or deploy troops")."""
    trigger = tokens[t0]
    if trigger.lower == trigger.lemma or trigger.lower.endswith("ing"):
        return False
    for g in reversed(gap):
        w = tokens[g].lower
        if w in ("and", "or"):
            return g > gap[0]  # an object between the cue and "and"
        if not (w.endswith("ly") or w in COORDINATED_ADVERBS):
            return False
    return False


def _plan_to(tokens: list[Token], gap: list[int] | None) -> bool:
    """Whether the gap before the trigger is a plan-like noun followed by its infinitive's
    "to" (a verb-group word, not counted in the gap): the cue then governs the planned event
    ("decided against any move to evacuate the villages")."""
    if not gap:
        return False
    noun = gap[-1]
    words = [tokens[g].lower for g in gap]
    if words[0] in DETERMINERS:
        words = words[1:]
    followed_by_to = noun + 1 < len(tokens) and tokens[noun + 1].lower == "to"
    return len(words) == 1 and words[0] in PLAN_NOUNS and followed_by_to


def _headline_threat(ctx: _Context, k: int, end: int) -> bool:
    """Whether the cue at ``k`` is "threat" right before the event's own verb: its subject, as
    in a headline ("terror threat cut to 'moderate'"), not a threat of it ("the threat of
    sending troops")."""
    return end == ctx.trigger[0] and ctx.tokens[k].lower in THREAT_NOUNS and not ctx.tokens[end].lower.endswith("ing")


def _subject_noun(tokens: list[Token], end: int) -> bool:
    """Whether the cue ending at ``end`` is a noun that a finite verb group follows, other than
    "is to": the subject of a clause, not a governor ("the terror threat is raised" is no
    threat of raising it; "the proposal is to send troops" still governs)."""
    if end >= len(tokens) or tokens[end].lower not in FINITE_AUXILIARIES:
        return False
    while end < len(tokens) and _is_chain_word(tokens, end) and tokens[end].lower != "to":
        end += 1
    return end < len(tokens) and tokens[end].lower != "to"


def _coordinated_next(tokens: list[Token], end: int) -> bool:
    """Whether a conjunction follows the cue ending at ``end`` (after a closing quote): the cue
    is a predicate of its own, not the event's governor ("is ready and on alert", 'is "fully
    prepared" and on standby'), unless an infinitive follows the next word ("ready and
    willing to send")."""
    while end < len(tokens) and tokens[end].word in {'"', "'"}:
        end += 1
    if end >= len(tokens) or tokens[end].lower not in {"and", "or", "but"}:
        return False
    return not any(token.lower == "to" for token in tokens[end + 1 : end + 3])


def _to_noun_phrase(ctx: _Context, end: int) -> bool:
    """Whether "to" at ``end`` is a preposition before the nominal trigger's own noun phrase:
    "upgraded the warning to an evacuation order" (no infinitive the cue could govern)."""
    tokens, t0 = ctx.tokens, ctx.trigger[0]
    return (
        ctx.nominal
        and end < t0 - 1
        and tokens[end].lower == "to"
        and tokens[end + 1].lower in DETERMINERS
        and t0 - end <= 4
        and not any(tokens[g].lower in AUXILIARIES or is_punct(tokens[g]) for g in range(end + 1, t0))
    )


def _prevents(ctx: _Context, k: int) -> bool:
    """Whether the verb at ``k`` keeps its object from the event: "from" follows within
    :data:`PREVENTED_REACH` tokens of the same clause, right before the trigger ("from
    deploying") or before "being" and the trigger ("from being deployed")."""
    tokens, t0 = ctx.tokens, ctx.trigger[0]
    at = t0 - 2 if t0 >= 2 and tokens[t0 - 1].lower == "being" else t0 - 1
    if not (k < at <= k + PREVENTED_REACH and tokens[at].lower == "from"):
        return False
    if at == t0 - 1 and not tokens[t0].lower.endswith("ing"):
        return False  # "kept from the border", "stopped troops from Ohio"
    return not any(
        tokens[g].lower in AUXILIARIES or tokens[g].lower in STOPPERS or _is_barrier_comma(tokens, g)
        for g in range(k + 1, at)
    )


def _negative_np_governs(ctx: _Context, k: int, end: int) -> bool:
    """Whether "no X" at ``k`` is the event, its subject or its governor ("no plans to")."""
    tokens = ctx.tokens
    if k > 0 and tokens[k - 1].lower in PREPOSITIONS:
        return False  # "troops with no experience were deployed"
    if end < len(tokens) and tokens[end].lower in NOT_A_NEGATION_AFTER_NO:
        return False
    start = ctx.event_start
    # up to the event's own words when they follow as its complement: "has no plans to
    # {put its forces on alert}", "no headway on {restarting the talks}" (not "no progress
    # in {Japan talks}")
    complement = start >= end and (
        start == end or tokens[start - 1].lower in COMPLEMENT_PREPOSITIONS or tokens[start].lower.endswith("ing")
    )
    gap = ctx.gap(end, MAX_REACH // 2, until=start if complement else None)
    # "no decision on the deployment" (see UNDECIDED_NOUNS) may take any preposition
    undecided = bool(_match(tokens, end, UNDECIDED_NOUNS))
    return gap is not None and not any(
        tokens[g].lower in AUXILIARIES or tokens[g].lower in STOPPERS
        or tokens[g].lower == "that" or is_punct(tokens[g])
        or (not undecided and _adjunct_preposition(tokens, g))
        for g in gap
    )


def _adjunct_preposition(tokens: list[Token], g: int) -> bool:
    """Whether the word at ``g``, inside "no X ...", opens a phrase about something else than
    the event: "no progress in the talks" (the talks took place), but not "no plans for
    sending" or "no progress on restarting the talks" (a gerund is the event's own verb)."""
    word = tokens[g].lower
    if word not in PREPOSITIONS or word in COMPLEMENT_PREPOSITIONS:
        return False
    return not (g + 1 < len(tokens) and tokens[g + 1].lower.endswith("ing"))


def _is_negated(ctx: _Context, k: int) -> bool:
    """Whether the word at ``k`` is itself negated ("did not rule out", "refused to deny")."""
    tokens = ctx.tokens
    for chain in _verb_domain(tokens, ctx.clause_start, k):
        if any(_is_negation_particle(tokens, i) for i in range(chain.first, chain.host)):
            return True
        if chain.first - 1 >= ctx.clause_start and _match(tokens, chain.first - 1, NEGATIVE_VERBS):
            return True
    return False


# ---- token tests -------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _index(cues: frozenset[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Cue phrases by first word, longest first."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for cue in cues:
        words = tuple(cue.split())
        by_first.setdefault(words[0], []).append(words)
    return {w: tuple(sorted(p, key=len, reverse=True)) for w, p in by_first.items()}


def _match(tokens: list[Token], i: int, cues: frozenset[str]) -> int | None:
    """End index of the longest cue phrase starting at token ``i``, else None."""
    if not 0 <= i < len(tokens):
        return None
    index = _index(cues)
    tok = tokens[i]
    for phrase in index.get(tok.lower, ()) + index.get(tok.lemma, ()):
        end = i + len(phrase)
        if end <= len(tokens) and all(
            tokens[i + n].lower == word or tokens[i + n].lemma == word
            for n, word in enumerate(phrase)
        ):
            return end
    return None


def _skip_to(tokens: list[Token], i: int) -> int:
    """``i``, or the word after it when ``tokens[i]`` is the infinitive marker "to"."""
    return i + 1 if i < len(tokens) and tokens[i].lower == "to" else i


def _is_chain_word(tokens: list[Token], i: int) -> bool:
    tok = tokens[i]
    w = tok.lower
    if w == "no":
        return i + 1 < len(tokens) and tokens[i + 1].lower == "longer"
    if w == "may" and tok.word == "May":
        return not _is_month(tokens, i) and not _is_surname(tokens, i)
    return w in AUXILIARIES or w in CHAIN_ADVERBS


def _is_month(tokens: list[Token], i: int) -> bool:
    """Whether a capitalised "May" is the month ("in May", "May 5", "May, ...")."""
    if i > 0 and tokens[i - 1].lower in MONTH_CONTEXT:
        return True
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt is None or nxt.is_num or is_punct(nxt)


def _is_surname(tokens: list[Token], i: int) -> bool:
    """Whether a capitalised "May" is a name: an inflected verb follows, which no modal
    takes ("Prime Minister Jane May raises the threat level", "May said")."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt is not None and nxt.word[:1].islower() and nxt.lower != nxt.lemma \
        and nxt.lower not in FINITE_AUXILIARIES and nxt.lower not in CHAIN_ADVERBS


def _is_negation_particle(tokens: list[Token], i: int) -> bool:
    end = _match(tokens, i, NEGATION_PARTICLES)
    if end is None or tokens[i].lower not in ("not", "n't", "never", "no"):
        return False  # lemma "not" of other words does not count
    return not (end < len(tokens) and tokens[end].lower in NOT_A_NEGATION_BEFORE)


def _is_speculative_modal(tokens: list[Token], i: int) -> bool:
    """A modal of possibility; "would" after "said it" / "agreed that it" is reported future."""
    tok = tokens[i]
    if tok.lower not in POSSIBLE_MODALS or (
        tok.word == "May" and (_is_month(tokens, i) or _is_surname(tokens, i))
    ):
        return False
    if tok.lower not in ("would", "'d"):
        return True
    for j in range(i - 1, max(-1, i - 7), -1):
        prev = tokens[j]
        if is_punct(prev):
            break
        if prev.lemma in FUTURE_IN_PAST_LEMMAS and prev.lower != prev.lemma \
                and not prev.lower.endswith("s"):  # past tense: "said", not "says"
            return False
    return True


def _is_barrier_comma(tokens: list[Token], i: int) -> bool:
    """A comma that separates clauses, not names in a list ("Britain, France and Italy")."""
    if tokens[i].word != ",":
        return False
    if 0 < i < len(tokens) - 1:
        before, after = tokens[i - 1], tokens[i + 1]
        if before.shape[:1] == "X" and after.shape[:1] == "X" and after.lower != "the":
            return False
    return True


def _is_nominal(tokens: list[Token], t0: int, t1: int) -> bool:
    """Whether the trigger looks like a noun ("the evacuation", "a build-up")."""
    head = tokens[t1 - 1].lower
    return head.endswith(NOMINAL_SUFFIXES) or (t0 > 0 and tokens[t0 - 1].lower in DETERMINERS)
