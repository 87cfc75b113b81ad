"""``eventx check``: everything the loader and compiler reject, plus warnings (W4xx) about rules
that load fine but are likely wrong.

The warnings come from three sources:

* the rule set itself: rules without a positive or a negative example, lexicons and vars
  nothing uses, lexicon entries that are duplicates once tokenised, nested unbounded
  quantifiers (catastrophic backtracking);
* running every example of every rule through the whole pack: a rule whose every match loses
  overlap resolution to another rule can never produce an event; an example whose expected
  event is produced by some other rule does not test the rule that holds it;
* the loader's own warnings (duplicate or empty lexicons, W15x), passed through.

Errors stop there (nothing can be run), so a pack with errors gets only the errors plus the
loader's warnings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex

try:  # the parser of the standard library's re: enough to see a pattern's structure
    from re import _constants as _sre, _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python < 3.11
    import sre_constants as _sre  # type: ignore[no-redef, unused-ignore]
    import sre_parse as _sre_parse  # type: ignore[no-redef, unused-ignore]

from eventx.api import DocumentTimeout, DocumentTrace, Extractor, load_rules
from eventx.cache import keep_lint
from eventx.codes import (
    BACKTRACKING_REGEX,
    INLINE_LIST,
    UNINDEXED_TRIGGER,
    NESTED_QUANTIFIER,
    NO_MENTION_EXAMPLE,
    NO_NEGATIVE,
    NO_POSITIVE,
    OTHER_RULE,
    SAME_NAME,
    SENTENCE_GUARD,
    SHADOWED,
    SLOW_EXAMPLE,
    TOKEN_DUPLICATE,
    UNUSED_LABEL,
    UNUSED_LEXICON,
    UNUSED_VAR,
)
from eventx.errors import Diagnostic, RuleError
from eventx.examples import _satisfies
from eventx.findings import LintResult, given_files
from eventx.match.ast import (
    LOOKAROUND, And, FieldEquals, FieldRegex, Group, Node, Not, Or, PatternError, Repeat, Seq, TokenNode, VarRef, children,
)
from eventx.match.matcher import RulePack
from eventx.record import Event
from eventx.match.parser import parse_pattern
from eventx.rules.model import Example, LexiconEntry, Pos, Rule, RuleSet, SourceText
from eventx.text.model import Document
from eventx.text.tokenize import tokenize

EXAMPLE_TIME_BUDGET = 5.0  # seconds per example: far above normal, low enough not to hang `check`


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique = dict.fromkeys(diagnostics)  # the same finding can be reached twice (a shared var)
    return sorted(unique, key=lambda d: (d.file, d.line, d.col, d.code, d.message))


def lint(path: str | Path) -> LintResult:
    """Load, compile and lint the rule file or directory ``path``, and keep the findings for
    :func:`eventx.findings.read_back` (which the caller asks first: it needs no engine).

    Raises InputError when ``path`` does not exist; problems in the files become diagnostics.
    """
    path = Path(path)
    given = given_files(path)
    named = sorted(str(p) for p in given)
    try:
        pack = load_rules(path)
    except RuleError as err:
        return LintResult(_sorted(err.diagnostics))
    ruleset = pack.ruleset
    assert ruleset is not None  # load_rules keeps it
    result = LintResult(list(ruleset.warnings), len(ruleset.rules), len(ruleset.lexicons))
    result.diagnostics += _example_coverage(ruleset)
    result.diagnostics += _unused(ruleset, pack, given)
    result.diagnostics += _same_names(ruleset)
    result.diagnostics += _mention_examples(ruleset)
    result.diagnostics += _token_duplicates(ruleset)
    result.diagnostics += _nested_quantifiers(ruleset)
    result.diagnostics += _sentence_guards(ruleset)
    result.diagnostics += _backtracking_regexes(ruleset)
    result.diagnostics += _long_inline_lists(ruleset)
    result.diagnostics += _unindexed_triggers(pack)
    result.diagnostics += _run_examples(ruleset, pack)
    result.diagnostics = _sorted(result.diagnostics)
    if not any(d.code == SLOW_EXAMPLE for d in result.diagnostics):  # a verdict of the clock is not kept
        rows = [(d.file, d.line, d.col, d.message, d.code, d.severity) for d in result.diagnostics]
        keep_lint(path, named, ruleset.sources, rows, result.rules, result.lexicons)
    return result


# --- the rule set itself -------------------------------------------------------------------


def _is_positive(example: Example, rule: Rule) -> bool:
    return any(want.get("type") == rule.type for want in example.expect)


def _example_coverage(ruleset: RuleSet) -> list[Diagnostic]:
    found = []
    for rule in ruleset.rules:
        if not any(_is_positive(e, rule) for e in rule.examples):
            found.append(rule.pos.diagnostic(
                NO_POSITIVE, f"rule {rule.id} has no positive example (expecting a {rule.type} event)",
                severity="warning"))
        if not any(not _is_positive(e, rule) for e in rule.examples):
            found.append(rule.pos.diagnostic(
                NO_NEGATIVE, f"rule {rule.id} has no negative example (expect: [] on a near-miss sentence)",
                severity="warning"))
    return found


def _unused(ruleset: RuleSet, pack: RulePack, given: set[Path]) -> list[Diagnostic]:
    def in_given(file: str) -> bool:
        return Path(file).resolve() in given

    found = []
    for name in sorted(set(ruleset.lexicons) - pack.used_lexicons):
        lexicon = ruleset.lexicons[name]
        if in_given(lexicon.pos.file):
            found.append(lexicon.pos.diagnostic(
                UNUSED_LEXICON, f"lexicon @{name} is never used", severity="warning"))
    for name in sorted(set(ruleset.vars) - pack.used_vars):
        pos = ruleset.vars[name].pos
        if in_given(pos.file):
            found.append(pos.diagnostic(UNUSED_VAR, f"var ${{{name}}} is never used", severity="warning"))
    for key, rules in sorted(ruleset.labels.items()):
        if key not in pack.used_lexicons and in_given(rules[0].file):
            found.append(rules[0].pos.diagnostic(
                UNUSED_LABEL, f"mention label @{rules[0].label} is never used", severity="warning"))
    return found


def _same_names(ruleset: RuleSet) -> list[Diagnostic]:
    """Names that are keyed ``name@file`` because files that do not see each other define them."""
    found = []
    places: dict[str, list[tuple[str, Pos]]] = defaultdict(list)
    for key, lexicon in ruleset.lexicons.items():
        places[key.split("@")[0]].append(("lexicon", lexicon.pos))
    for key, rules in ruleset.labels.items():
        places[key.split("@")[0]].append(("mention label", rules[0].pos))
    for key, source in ruleset.vars.items():
        places["$" + key.split("@")[0]].append(("var", source.pos))
    for name, defined in sorted(places.items()):
        if len(defined) < 2:
            continue
        first_kind, first = defined[0]
        for kind, pos in defined[1:]:
            message = (f"{kind} '{name.lstrip('$')}' is also defined at {first} ({first_kind}); no file sees "
                       "both, so they are different names: rename one to avoid confusion")
            found.append(pos.diagnostic(SAME_NAME, message, severity="warning"))
    return found


def _mention_examples(ruleset: RuleSet) -> list[Diagnostic]:
    return [
        rule.pos.diagnostic(NO_MENTION_EXAMPLE, f"mention rule {rule.id} has no positive example "
                            f"(expecting a {rule.label} mention)", severity="warning")
        for rule in ruleset.mention_rules
        if not any(label == rule.label for example in rule.examples for label, _ in example.expect)
    ]


def _token_duplicates(ruleset: RuleSet) -> list[Diagnostic]:
    """Entries the loader kept apart (different text) that the lexicon index merges (same tokens)."""
    found = []
    for name in sorted(ruleset.lexicons):
        lexicon = ruleset.lexicons[name]
        first: dict[tuple[str, ...], LexiconEntry] = {}
        for entry in lexicon.entries:
            tokens = tokenize(entry.phrase)
            key = tuple(t.word if lexicon.case_sensitive else t.lower for t in tokens)
            if key in first:
                earlier = first[key]
                message = (f"entry '{entry.phrase}' of lexicon @{name} is the same tokens as "
                           f"'{earlier.phrase}' ({earlier.pos.seen_from(entry.pos)}) and is ignored")
                found.append(entry.pos.diagnostic(TOKEN_DUPLICATE, message, severity="warning"))
            else:
                first[key] = entry
    return found


class _Trees:
    """Parsed var trees, each parsed once (parse errors were reported by the compiler)."""

    def __init__(self, vars: dict[str, SourceText]):
        self.vars = vars
        self._cache: dict[str, Node | None] = {}

    def var(self, name: str) -> Node | None:
        if name not in self._cache:
            self._cache[name] = None  # also guards against var cycles while walking
            source = self.vars.get(name)
            if source is not None:
                try:
                    self._cache[name] = parse_pattern(source.text)
                except PatternError:
                    pass
        return self._cache[name]

    def walk(self, node: Node, seen: frozenset[str] = frozenset()) -> Iterator[Node]:
        """``node`` and every node below it, looking through ${vars}."""
        yield node
        if isinstance(node, VarRef):
            if node.name not in seen:
                tree = self.var(node.name)
                if tree is not None:
                    yield from self.walk(tree, seen | {node.name})
            return
        for child in children(node):
            yield from self.walk(child, seen)


def _risky_inner(node: Node) -> bool:
    """An unbounded repeat, or any repeat of the any-token ``[]``: backtracking fodder."""
    if not isinstance(node, Repeat) or node.mode == "possessive":
        return False
    return node.max is None or (isinstance(node.body, TokenNode) and node.body.constraint is None)


def _nested_quantifiers(ruleset: RuleSet) -> list[Diagnostic]:
    trees = _Trees(ruleset.vars)
    found = []
    for source, node in _own_nodes(ruleset):
        if not (isinstance(node, Repeat) and node.max is None and node.mode != "possessive"):
            continue
        inner = next((n for n in trees.walk(node.body) if isinstance(n, Repeat) and _risky_inner(n)), None)
        if inner is not None:
            what = "an unbounded quantifier" if inner.max is None else "a repeated any-token []"
            message = (f"unbounded quantifier around {what}: matching can take exponential time "
                       "(bound the outer one, e.g. {0,5}, or make one possessive)")
            found.append(source.position(node.offset).diagnostic(NESTED_QUANTIFIER, message, severity="warning"))
    return found


def _own_nodes(ruleset: RuleSet) -> Iterator[tuple[SourceText, Node]]:
    """(source, node) for every node written in a rule pattern or a var (not through ${vars}:
    each finding is reported once, where it is written)."""
    patterns = [rule.pattern for rule in ruleset.rules] + [rule.pattern for rule in ruleset.mention_rules]
    for source in patterns + list(ruleset.vars.values()):
        try:
            tree = parse_pattern(source.text)
        except PatternError:
            continue
        stack = [tree]
        while stack:
            node = stack.pop()
            stack.extend(children(node))
            yield source, node


def _sentence_guards(ruleset: RuleSet) -> list[Diagnostic]:
    """Lookarounds that scan to the end (or the start) of the sentence: ``(?! []*? X )``,
    ``(?<! X []*? )``. The regex runs them at every start position it tries; as an ``unless``
    pattern the same test runs once per sentence, and only when the rule matched."""
    found = []
    for source, node in _own_nodes(ruleset):
        if isinstance(node, Group) and node.kind in LOOKAROUND and _scans_sentence(node):
            message = ("lookaround over the rest of the sentence runs at every start tried; if it means "
                       "'X nowhere in the sentence', write X as an unless: pattern of the rule (searched once)")
            found.append(source.position(node.offset).diagnostic(SENTENCE_GUARD, message, severity="warning"))
    return found


def _own_constraints(ruleset: RuleSet) -> Iterator[tuple[SourceText, Any]]:
    """(source, constraint) for every field constraint of every token written in a pattern or
    a var (inside ``!``, ``&`` and ``|`` too), as :func:`_own_nodes` gives the nodes."""
    for source, node in _own_nodes(ruleset):
        if not isinstance(node, TokenNode) or node.constraint is None:
            continue
        stack: list[Any] = [node.constraint]
        while stack:
            constraint = stack.pop()
            if isinstance(constraint, Not):
                stack.append(constraint.operand)
            elif isinstance(constraint, (And, Or)):
                stack.extend(constraint.operands)
            else:
                yield source, constraint


def _backtracking_regexes(ruleset: RuleSet) -> list[Diagnostic]:
    """Field regexes such as ``[word=/(a|a)+/]``: on a 30-letter token they backtrack for
    minutes (the time budget stops them, but every document holding such a token is lost)."""
    found = []
    for source, constraint in _own_constraints(ruleset):
        if isinstance(constraint, FieldRegex) and _catastrophic(constraint.regex):
            message = (f"field regex /{constraint.regex}/ repeats a repeat or an ambiguous alternation: it can take"
                       " exponential time on a long token (make the inner part unambiguous, bound it, or use a possessive ++)")
            found.append(source.position(constraint.offset).diagnostic(BACKTRACKING_REGEX, message, severity="warning"))
    return found


INLINE_LIST_LIMIT = 30  # words


def _long_inline_lists(ruleset: RuleSet) -> list[Diagnostic]:
    """Word lists of over :data:`INLINE_LIST_LIMIT` words written inline, in a pattern
    (``[lower=a|b|...]``) or as a YAML list under ``lexicons:``: a lexicon file holds one word a
    line, with a header saying what belongs in it, so a domain expert can review and diff it and
    other files can share it."""
    found = []
    advice = "move it to a lexicon file (one word a line) and refer to it as @name"
    for source, constraint in _own_constraints(ruleset):
        if isinstance(constraint, FieldEquals) and len(constraint.values) > INLINE_LIST_LIMIT:
            message = f"inline word list of {len(constraint.values)} words: {advice}"
            found.append(source.position(constraint.offset).diagnostic(INLINE_LIST, message, severity="warning"))
    for name, lexicon in sorted(ruleset.lexicons.items()):
        if lexicon.source is None and len(lexicon.entries) > INLINE_LIST_LIMIT:
            message = f"lexicon @{name} is an inline list of {len(lexicon.entries)} words: {advice}"
            found.append(lexicon.pos.diagnostic(INLINE_LIST, message, severity="warning"))
    return found


def _unindexed_triggers(pack: RulePack) -> list[Diagnostic]:
    """Rules whose trigger gives the prefilter no word or lemma (``[lower=/.*-alert/]=trigger``,
    ``[!lower=the]=trigger``, ``[]=trigger``): such a rule is tried in every sentence that holds
    its other required words, or in every sentence when it has none, which can make a whole run
    several times slower."""
    found = []
    for rule in pack.rules:
        if rule.pattern.trigger_keys is not None or rule.source is None:
            continue
        where = ("every sentence of every document" if not rule.pattern.requirements
                 else "every sentence that holds its other required words")
        message = (f"rule {rule.id}: its trigger has no word or lemma to look up, so it is tried in {where}; "
                   "write the trigger's words as a list ([lower=a|b]), a lemma list or a lexicon")
        found.append(rule.source.pos.diagnostic(UNINDEXED_TRIGGER, message, severity="warning"))
    return found


def _catastrophic(pattern: str) -> bool:
    """Whether an unbounded repeat's body can match one string in many ways: it is an
    unbounded repeat with nothing required beside it (``(a+)+``, ``(\\w+\\s?)*``; not
    ``(-[a-z]+)*``), or alternatives that start alike (``(a|a)+``; not ``(a|b)+``).
    A look at the pattern's structure, not a proof; what it misses (``(aa|a)+``, where the
    parser factors the common ``a`` out of the alternation) the regex's time on a long token
    of its own characters shows (:func:`_slow_on_pumped_text`)."""
    try:
        tree = _sre_parse.parse(pattern)
    except Exception:  # syntax of the ``regex`` module that ``re`` does not read
        return _slow_on_pumped_text(pattern)

    def walk(items: Any) -> bool:
        for op, arg in items:
            if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
                body = _flat(arg[2])
                if arg[1] == _sre.MAXREPEAT and (_ambiguous_branch(body) or _only_a_repeat(body)):
                    return True
                if walk(arg[2]):
                    return True
            elif op == _sre.SUBPATTERN:
                if walk(arg[-1]):
                    return True
            elif op == _sre.BRANCH:
                if any(walk(alt) for alt in arg[1]):
                    return True
        return False

    return walk(tree) or _slow_on_pumped_text(pattern)


_PUMPED_LENGTH = 32  # characters: (aa|a)+ takes ~1 s on 32 a's and a stop, (a|b)+ microseconds
_PUMP_TIMEOUT = 0.02  # seconds for one try


def _slow_on_pumped_text(pattern: str) -> bool:
    """Whether the regex needs over :data:`_PUMP_TIMEOUT` to reject a long token made of one
    or two of its own characters after at most one other and before a stop (``aaaa…a\\x01``,
    ``xabab…ab\\x01``): what an exponential backtracker does and a linear one never does."""
    try:
        compiled = regex.compile(pattern)
    except (regex.error, ValueError, TypeError):
        return False
    chars = list(dict.fromkeys([*(c for c in pattern if c.isalnum())][:8] + ["a", "1", " ", "-"]))
    pumps = [c * _PUMPED_LENGTH for c in chars]
    pumps += [(a + b) * (_PUMPED_LENGTH // 2) for a, b in zip(chars[:4], chars[1:5])]
    for prefix in ["", *chars]:
        for pump in pumps:
            try:
                compiled.fullmatch(prefix + pump + "\x01", timeout=_PUMP_TIMEOUT)
            except TimeoutError:
                return True
    return False


def _flat(items: Any) -> list[Any]:
    """The items of a pattern with its (non-capturing or capturing) groups opened."""
    out: list[Any] = []
    for op, arg in items:
        if op == _sre.SUBPATTERN:
            out.extend(_flat(arg[-1]))
        else:
            out.append((op, arg))
    return out


def _only_a_repeat(items: list[Any]) -> bool:
    """Nothing but repeats, one unbounded, the others optional or repeating the same thing."""
    repeats = [arg for op, arg in items if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT)]
    unbounded = [arg for arg in repeats if arg[1] == _sre.MAXREPEAT]
    if not unbounded or len(repeats) != len(items):
        return False
    first = unbounded[0]
    return all(arg is first or arg[0] == 0 or str(arg[2]) == str(first[2]) for arg in repeats)


def _ambiguous_branch(items: list[Any]) -> bool:
    """An alternation two of whose alternatives can start alike: the same text (``(a|a)``,
    which the parser turns into ``a(|)``), or the same first literal, or a first item that is
    not a literal in more than one of them."""
    for op, arg in items:
        if op != _sre.BRANCH:
            continue
        alternatives = [_flat(alt) for alt in arg[1]]
        if len({str(alt) for alt in alternatives}) < len(alternatives):
            return True
        firsts = [alt[0] for alt in alternatives if alt]
        literal = [a for o, a in firsts if o == _sre.LITERAL]
        if len(set(literal)) < len(literal) or len(firsts) - len(literal) > 1:
            return True
    return False


def _scans_sentence(look: Group) -> bool:
    items = look.body.items if isinstance(look.body, Seq) else (look.body,)
    edge = items[-1] if look.kind in ("behind", "not_behind") else items[0]
    return len(items) > 1 and isinstance(edge, Repeat) and edge.max is None and _risky_inner(edge)


# --- running the examples ------------------------------------------------------------------


def _run_examples(ruleset: RuleSet, pack: RulePack) -> list[Diagnostic]:
    extractor = Extractor(pack, time_budget=EXAMPLE_TIME_BUDGET)
    matched: Counter[str] = Counter()
    won: Counter[str] = Counter()
    beaten_by: dict[str, Counter[str]] = defaultdict(Counter)
    found: list[Diagnostic] = []
    texts_done: set[str] = set()
    for rule in ruleset.rules:
        for example in rule.examples:
            doc = Document(id="example", text=example.text)
            try:
                trace = extractor.trace(doc)
                events = trace.events
                if example.text not in texts_done:
                    texts_done.add(example.text)
                    _tally_matches(trace, matched, won, beaten_by)
            except (DocumentTimeout, TimeoutError):
                message = (f"example of {rule.id} takes longer than {EXAMPLE_TIME_BUDGET:g} s to match "
                           "(a pattern backtracks catastrophically?)")
                found.append(example.pos.diagnostic(SLOW_EXAMPLE, message, severity="warning"))
                continue
            found += _examples_by_other_rules(rule, example, events)
    for rule in ruleset.rules:
        if matched[rule.id] and not won[rule.id]:
            winners = ", ".join(name for name, _ in beaten_by[rule.id].most_common())
            message = (f"rule {rule.id} never wins: on the pack's examples, each of its {matched[rule.id]} "
                       f"match(es) loses overlap resolution to {winners} (raise its priority or remove it)")
            found.append(rule.pos.diagnostic(SHADOWED, message, severity="warning"))
    return found


def _tally_matches(
    trace: DocumentTrace, matched: Counter[str], won: Counter[str], beaten_by: dict[str, Counter[str]]
) -> None:
    """Count, per rule, its raw matches and those that survive overlap resolution."""
    for traced in trace.sentences:
        kept_ids = {id(m) for m in traced.kept}
        for match in traced.found.matches:
            matched[match.rule.id] += 1
            if id(match) in kept_ids:
                won[match.rule.id] += 1
                continue
            for winner in traced.kept:
                if winner.rule.type == match.rule.type and winner.start < match.end and match.start < winner.end:
                    beaten_by[match.rule.id][winner.rule.id] += 1
                    break


def _examples_by_other_rules(rule: Rule, example: Example, events: list[Event]) -> list[Diagnostic]:
    found = []
    for want in example.expect:
        if want.get("type") != rule.type:
            continue
        satisfying = [e for e in events if _satisfies(e, want)]
        if satisfying and not any(e["rule"] == rule.id for e in satisfying):
            others = ", ".join(sorted({e["rule"] for e in satisfying}))
            message = (f"example of {rule.id}: its expected {rule.type} event is produced by {others}, "
                       f"not by {rule.id}, so it does not test this rule")
            found.append(example.pos.diagnostic(OTHER_RULE, message, severity="warning"))
    return found
