"""Loaded rule set -> :class:`~eventx.match.matcher.RulePack` (compiled once, then reused).

Mention rules are compiled first, layer by layer: a label's layer is one more than the highest
layer of the labels its rules refer to (lexicons are layer 0), so that the lengths of every
label a pattern refers to are known when the pattern is emitted. A cycle of labels is an
error naming the rules on it.

All pattern problems of all rules are collected and raised together as one
:class:`~eventx.errors.RuleError`, each pointing at file:line:col inside the pattern text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from eventx import codes
from eventx.errors import Diagnostic, RuleError
from eventx.match.ast import LexiconRef, Node, children
from eventx.match.atoms import TokenAtoms
from eventx.match.compiler import PatternCompiler, SourceLike
from eventx.match.lexicon import LexiconIndex
from eventx.match.matcher import CompiledMentionRule, CompiledRule, RulePack
from eventx.rules.model import MentionRule, RuleSet
from eventx.text.tokenize import token_words


def _render(source: SourceLike, offset: int) -> tuple[str, int, int]:
    pos = source.position(offset)
    return pos.file, pos.line, pos.col


def build_lexicon_index(ruleset: RuleSet) -> tuple[LexiconIndex, dict[str, int]]:
    """The lexicons' phrases, then one empty entry per mention label (its hits come from its
    rules, sentence by sentence): lexicons and labels share one id space and one kind of flag."""
    index = LexiconIndex()
    ids: dict[str, int] = {}
    for name in sorted(ruleset.lexicons):
        lexicon = ruleset.lexicons[name]
        phrases = [(entry.phrase, entry.norm) for entry in lexicon.entries]
        ids[name] = index.add(name, phrases, case_sensitive=lexicon.case_sensitive)
    for key in sorted(ruleset.labels):
        if key not in ids:  # a clash with a lexicon is reported by the loader
            ids[key] = index.add(key, [], case_sensitive=False)
    return index, ids


def make_compiler(ruleset: RuleSet, lexicons: LexiconIndex, lexicon_ids: dict[str, int], atoms: TokenAtoms) -> PatternCompiler:
    """A pattern compiler for ``ruleset``: its vars, lexicons, labels and scopes."""
    labels = frozenset(lexicon_ids[key] for key in ruleset.labels if key in lexicon_ids)

    def words(key: str) -> tuple[tuple[str, ...], str | None]:
        lexicon = ruleset.lexicons[key]
        for entry in lexicon.entries:
            if len(token_words(entry.phrase)) != 1:  # the words only: no lemmas (lemma tables)
                return (), f"'{entry.phrase}' ({entry.pos}) is not a single word: use @{key} as a phrase lexicon"
        return tuple(entry.phrase for entry in lexicon.entries), None

    return PatternCompiler(
        vars=dict(ruleset.vars),
        lexicon_ids=lexicon_ids,
        lexicon_lengths=lexicons.lengths,
        lexicon_first_keys=lexicons.first_keys,
        atoms=atoms,
        render_pos=_render,
        scope_of=ruleset.scope,
        lexicon_words=words,
        labels=labels,
    )


@dataclass(slots=True)
class CompileCache:
    """What :func:`compile_rules` may keep between versions of one pack (``eventx serve``
    compiles the pack again after every edit).

    The token atoms persist, so a rule compiled again keeps its flag characters, hence its regex
    source, and the regex store's memory (:mod:`eventx.regexstore`) spares building its regex
    again. Each event rule's compiled patterns are kept by its pattern and ``unless`` texts and
    its file, with the texts of the vars they expanded (transitively), for as long as nothing
    else a pattern may refer to changes (lexicons, mention rules, scopes, any other part of the
    rule set but its event rules and vars; those of the last ``keep`` such contexts are kept):
    after an edit of event rules only those are compiled, after an edit of a var only the rules
    using it, and every rule after an edit of a lexicon or a mention rule.
    """

    atoms: TokenAtoms = field(default_factory=TokenAtoms)
    #: context (see :func:`_context`) -> rule key -> its last few versions (pattern, unless
    #: patterns, vars, lexicons used, the vars' texts); the last few contexts, so that undoing
    #: an edit of a var or a lexicon finds its rules again
    contexts: dict[tuple, dict[tuple, list[tuple]]] = field(default_factory=dict)
    keep: int = 3
    #: context -> the lexicon index, label ids, compiler and mention rules compiled in it, with
    #: the texts of the vars the mention rules expanded (the last ``keep`` contexts)
    mentions: dict[tuple, tuple] = field(default_factory=dict)

    def rules_for(self, context: tuple) -> dict[tuple, list[tuple]]:
        rules = self.contexts.pop(context, None)
        if rules is None:
            rules = {}
            while len(self.contexts) >= self.keep:
                del self.contexts[next(iter(self.contexts))]  # the least recently used
        self.contexts[context] = rules
        return rules


def _context(ruleset: RuleSet, *, skip: tuple[str, ...] = ()) -> tuple:
    """Everything an event rule's compiled patterns may depend on besides the rule itself (and
    the fields ``skip``)."""
    parts: list[object] = []
    for f in dataclasses.fields(ruleset):
        if f.name in ("rules", "files", "root", "version", "warnings", "sources", "vars", *skip):
            continue  # vars: each rule's entry checks the texts of those it used
        value = getattr(ruleset, f.name)
        if f.name == "lexicons":
            value = tuple(sorted((name, lex.case_sensitive, tuple((e.phrase, e.norm) for e in lex.entries))
                                 for name, lex in value.items()))
        else:  # a part this cache does not know in detail: compared whole, positions included
            value = repr(value)
        parts.append((f.name, value))
    return tuple(parts)


def compile_rules(ruleset: RuleSet, *, cache: CompileCache | None = None) -> RulePack:
    """Compile every rule of ``ruleset``; raise RuleError listing every problem found.

    ``cache``: reuse the work of earlier calls with the same cache (see :class:`CompileCache`).
    """
    atoms = TokenAtoms() if cache is None else cache.atoms
    diagnostics: list[Diagnostic] = []
    context = _context(ruleset) if cache is not None else ()
    kept_mentions = cache.mentions.get(context) if cache is not None else None
    if kept_mentions is not None and all(name in ruleset.vars and ruleset.vars[name].text == text
                                         for name, text in kept_mentions[4]):
        # the same lexicons, mention rules and vars they use: the same index, labels and
        # mention rules (the compiler is only asked what it learnt of the labels)
        lexicons, lexicon_ids, compiler, mentions, mention_vars = kept_mentions
    else:
        lexicons, lexicon_ids = build_lexicon_index(ruleset)
        compiler = make_compiler(ruleset, lexicons, lexicon_ids, atoms)
        compiler.keep_trees = cache is not None  # for eventx serve's comparison of a rule's versions
        mentions = _compile_mentions(ruleset, compiler, lexicon_ids, diagnostics)
        # the vars mention rules expanded shape their labels, which event rules refer to
        mention_vars = tuple(sorted((name, ruleset.vars[name].text) for name in compiler.used_vars))
        if cache is not None and not diagnostics:
            cache.mentions.pop(context, None)
            while len(cache.mentions) >= cache.keep:
                del cache.mentions[next(iter(cache.mentions))]  # the least recently compiled
            cache.mentions[context] = (lexicons, lexicon_ids, compiler, mentions, mention_vars)
    cached: dict[tuple, list[tuple]] = {}
    if cache is not None:
        # what event patterns see of the mention rules: the labels, their lengths and what the
        # compiler learnt of them (an edit of a mention rule that changes none of it, the usual
        # case, compiles no event rule again)
        labels = (tuple(sorted(ruleset.labels)), tuple(tuple(sorted(lengths)) for lengths in lexicons.lengths),
                  compiler.label_interface())
        cached = cache.rules_for((*_context(ruleset, skip=("mention_rules",)), ("labels", labels)))
    compiled: list[CompiledRule] = []
    used_vars: set[str] = set()
    used_lexicons: set[str] = set()
    rule_compiler = compiler
    if cache is not None:
        # the event rules' own compiler (the mention rules' one is kept in the cache): it
        # expands each var once, and what each rule used is read off it rule by rule
        rule_compiler = make_compiler(ruleset, lexicons, lexicon_ids, atoms)
        rule_compiler.learn_labels(compiler)
        rule_compiler.keep_trees = True  # for eventx serve's comparison of a rule's versions
        rule_compiler.remember_subtrees()  # its labels are learnt: each var's tree is worked out once
    for rule in ruleset.rules:
        key = (rule.pattern.text, tuple(text.text for text in rule.unless), rule.file)
        versions = cached.get(key, [])
        # the version compiled with the vars as they are now (they may have been edited or removed)
        kept = next((v for v in versions if all(name in ruleset.vars and ruleset.vars[name].text == text
                                                for name, text in v[4])), None)
        if kept is None:
            own = rule_compiler
            if cache is not None:  # from here on, the vars and lexicons of this rule alone
                own.used_vars, own.used_lexicons = set(), set()
            pattern = own.compile(rule.pattern, diagnostics)
            guards = [own.compile_guard(text, diagnostics) for text in rule.unless]
            if pattern is None or None in guards:
                continue
            var_texts = tuple(sorted((name, ruleset.vars[name].text) for name in own.used_vars))
            kept = (pattern, tuple(guards), frozenset(own.used_vars), frozenset(own.used_lexicons), var_texts)
            if cache is not None:
                cached[key] = [kept, *versions[: cache.keep - 1]]
        pattern, guards, rule_vars, rule_lexicons, _ = kept
        used_vars |= rule_vars
        used_lexicons |= rule_lexicons
        compiled.append(
            CompiledRule(
                id=rule.id,
                type=rule.type,
                priority=rule.priority,
                order=rule.order,
                description=rule.description,
                pattern=pattern,
                modality=rule.modality,
                norms=dict(rule.norms or {}),
                file=rule.pos.file,
                line=rule.pos.line,
                source=rule,
                unless=guards,
            )
        )
    if diagnostics:
        raise RuleError(diagnostics)
    return RulePack(
        compiled,
        lexicons,
        atoms,
        version=ruleset.version,
        ruleset=ruleset,
        used_vars=frozenset(used_vars | compiler.used_vars),  # the mention rules' too
        used_lexicons=frozenset(used_lexicons | compiler.used_lexicons),
        mention_rules=mentions,
    )


def _compile_mentions(
    ruleset: RuleSet, compiler: PatternCompiler, lexicon_ids: dict[str, int], diagnostics: list[Diagnostic]
) -> list[CompiledMentionRule]:
    """Compile the mention rules layer by layer (see the module docstring)."""
    trees: list[tuple[MentionRule, Node]] = []
    for rule in ruleset.mention_rules:
        tree = compiler.parse_mention(rule.pattern, diagnostics)
        if tree is not None:
            trees.append((rule, tree))
    key_of = {lexicon_ids[key]: key for key in ruleset.labels if key in lexicon_ids}
    uses: dict[str, set[str]] = {key: set() for key in ruleset.labels}
    for rule, tree in trees:
        uses[rule.key].update(key_of[i] for i in compiler.labels_in(tree))
    cyclic = _report_cycles(uses, trees, diagnostics)
    layers: dict[str, int] = {}

    def layer(key: str) -> int:
        if key not in layers:
            layers[key] = 1 + max((layer(used) for used in uses[key]), default=0)
        return layers[key]

    acyclic = sorted((key for key in uses if key not in cyclic), key=lambda k: (layer(k), k))
    compiled: list[CompiledMentionRule] = []
    for key in acyclic:
        own = [(rule, tree) for rule, tree in trees if rule.key == key]
        if not own:
            continue
        bounds = [compiler.mention_bounds(tree) for _, tree in own]
        label_id = lexicon_ids[key]
        compiler.lexicon_lengths[label_id].update(range(min(low for low, _ in bounds), max(high for _, high in bounds) + 1))
        compiler.label_requirements[label_id] = compiler.requirements_of_label([tree for _, tree in own])
        compiler.set_label_edges(label_id, [tree for _, tree in own])
        for rule, tree in own:
            compiled.append(
                CompiledMentionRule(
                    id=rule.id,
                    label=rule.label,
                    label_id=label_id,
                    layer=layer(key),
                    priority=rule.priority,
                    order=rule.order,
                    pattern=compiler.compile_mention(tree),
                    norms=dict(rule.norms),
                    file=rule.pos.file,
                    line=rule.pos.line,
                    source=rule,
                )
            )
    return compiled


def _report_cycles(
    uses: dict[str, set[str]], trees: list[tuple[MentionRule, Node]], diagnostics: list[Diagnostic]
) -> set[str]:
    """Report every cycle of labels once, at the reference that closes it in the first rule
    (in load order) on the cycle; return the labels on cycles."""
    on_cycle: set[str] = set()
    reported: set[frozenset[str]] = set()
    for start in uses:
        path = _cycle_from(start, uses)
        if path is None or frozenset(path) in reported:
            continue
        reported.add(frozenset(path))
        on_cycle.update(path)
        steps = []
        for key, following in zip(path, path[1:] + path[:1]):
            rule, _ = next((r, t) for r, t in trees if r.key == key and following in _refs(t))
            steps.append(f"{rule.label} (rule {rule.id}, {rule.pos})")
        rule, tree = next((r, t) for r, t in trees if r.key == path[0] and path[(1 % len(path))] in _refs(t))
        offset = next(node.offset for node in _walk(tree) if isinstance(node, LexiconRef) and node.name == path[1 % len(path)])
        pos = rule.pattern.position(offset)
        message = "mention labels form a cycle: " + " -> ".join(steps) + f" -> {path[0].split('@')[0]}"
        diagnostics.append(pos.diagnostic(codes.LABEL_CYCLE, message))
    return on_cycle


def _cycle_from(start: str, uses: dict[str, set[str]]) -> list[str] | None:
    """A cycle through ``start`` (its labels in order, ``start`` first), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        key, path = stack.pop()
        for used in sorted(uses.get(key, ())):
            if used == start:
                return path
            if used not in seen:
                seen.add(used)
                stack.append((used, path + [used]))
    return None


def _refs(tree: Node) -> set[str]:
    return {node.name for node in _walk(tree) if isinstance(node, LexiconRef)}


def _walk(node: Node):
    yield node
    for child in children(node):
        yield from _walk(child)
