"""Loaded rule set -> :class:`~eventx.match.matcher.RulePack` (compiled once, then reused).

All pattern problems of all rules are collected and raised together as one
:class:`~eventx.errors.RuleError`, each pointing at file:line:col inside the pattern text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from eventx.errors import Diagnostic, RuleError
from eventx.match.atoms import TokenAtoms
from eventx.match.compiler import PatternCompiler
from eventx.match.lexicon import LexiconIndex
from eventx.match.matcher import CompiledRule, RulePack
from eventx.rules.model import RuleSet


def _render(source, offset: int) -> tuple[str, int, int]:
    pos = source.position(offset)
    return pos.file, pos.line, pos.col


def build_lexicon_index(ruleset: RuleSet) -> tuple[LexiconIndex, dict[str, int]]:
    index = LexiconIndex()
    ids: dict[str, int] = {}
    for name in sorted(ruleset.lexicons):
        lexicon = ruleset.lexicons[name]
        phrases = [(entry.phrase, entry.norm) for entry in lexicon.entries]
        ids[name] = index.add(name, phrases, case_sensitive=lexicon.case_sensitive)
    return index, ids


@dataclass(slots=True)
class CompileCache:
    """What :func:`compile_rules` may keep between versions of one pack (``eventx serve``
    compiles the pack again after every edit).

    The token atoms persist, so a rule compiled again keeps its flag characters, hence its regex
    source, and the ``regex`` module's own cache spares building its regex again. Each rule's
    compiled patterns are kept by its pattern and ``unless`` texts and its file, for as long as
    nothing a pattern may refer to changes (vars, lexicons, any other part of the rule set but
    its rules; those of the last ``keep`` such contexts are kept): after an edit only the edited
    rules are compiled, or every rule after an edit of a var or a lexicon.
    """

    atoms: TokenAtoms = field(default_factory=TokenAtoms)
    #: context (see :func:`_context`) -> rule key -> (pattern, unless patterns, vars, lexicons
    #: used); the last few contexts, so that undoing an edit of a var finds its rules again
    contexts: dict[tuple, dict[tuple, tuple]] = field(default_factory=dict)
    keep: int = 3

    def rules_for(self, context: tuple) -> dict[tuple, tuple]:
        rules = self.contexts.pop(context, None)
        if rules is None:
            rules = {}
            while len(self.contexts) >= self.keep:
                del self.contexts[next(iter(self.contexts))]  # the least recently used
        self.contexts[context] = rules
        return rules


def _context(ruleset: RuleSet) -> tuple:
    """Everything a rule's compiled patterns may depend on besides the rule itself."""
    parts: list[object] = []
    for f in dataclasses.fields(ruleset):
        if f.name in ("rules", "files", "root", "version", "warnings"):
            continue
        value = getattr(ruleset, f.name)
        if f.name == "vars":
            value = tuple(sorted((name, var.text) for name, var in value.items()))
        elif f.name == "lexicons":
            value = tuple(sorted((name, lex.case_sensitive, tuple((e.phrase, e.norm) for e in lex.entries))
                                 for name, lex in value.items()))
        else:  # a part this cache does not know: compared whole, positions included
            value = repr(value)
        parts.append((f.name, value))
    return tuple(parts)


def compile_rules(ruleset: RuleSet, *, cache: CompileCache | None = None) -> RulePack:
    """Compile every rule of ``ruleset``; raise RuleError listing every problem found.

    ``cache``: reuse the work of earlier calls with the same cache (see :class:`CompileCache`).
    """
    lexicons, lexicon_ids = build_lexicon_index(ruleset)
    cached = cache.rules_for(_context(ruleset)) if cache is not None else {}
    atoms = TokenAtoms() if cache is None else cache.atoms

    def make_compiler() -> PatternCompiler:
        return PatternCompiler(
            vars=dict(ruleset.vars),
            lexicon_ids=lexicon_ids,
            lexicon_lengths=lexicons.lengths,
            lexicon_first_keys=lexicons.first_keys,
            atoms=atoms,
            render_pos=_render,
        )

    shared = make_compiler()
    diagnostics: list[Diagnostic] = []
    compiled: list[CompiledRule] = []
    used_vars: set[str] = set()
    used_lexicons: set[str] = set()
    for rule in ruleset.rules:
        key = (rule.pattern.text, tuple(text.text for text in rule.unless), rule.file)
        kept = cached.get(key)
        if kept is None:
            # with a cache, a compiler of its own: the vars and lexicons the rule uses are then
            # all its own (a shared compiler expands each var once, for the first rule using it)
            compiler = shared if cache is None else make_compiler()
            pattern = compiler.compile(rule.pattern, diagnostics)
            guards = [compiler.compile_guard(text, diagnostics) for text in rule.unless]
            if pattern is None or None in guards:
                continue
            kept = (pattern, tuple(guards), frozenset(compiler.used_vars), frozenset(compiler.used_lexicons))
            if cache is not None:
                cached[key] = kept
        pattern, guards, rule_vars, rule_lexicons = kept
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
                unless=guards,  # type: ignore[arg-type]
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
        used_vars=frozenset(used_vars),
        used_lexicons=frozenset(used_lexicons),
    )
