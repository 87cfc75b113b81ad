"""Loaded rule set -> :class:`~eventx.match.matcher.RulePack` (compiled once, then reused).

All pattern problems of all rules are collected and raised together as one
:class:`~eventx.errors.RuleError`, each pointing at file:line:col inside the pattern text.
"""

from __future__ import annotations

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


def compile_rules(ruleset: RuleSet, *, atoms: TokenAtoms | None = None) -> RulePack:
    """Compile every rule of ``ruleset``; raise RuleError listing every problem found.

    ``atoms``: token atoms to extend (``eventx serve`` passes the saved pack's), so that after
    an edit every other rule keeps its flag characters, hence its regex source, and the
    ``regex`` module's cache spares rebuilding its regex.
    """
    lexicons, lexicon_ids = build_lexicon_index(ruleset)
    atoms = TokenAtoms() if atoms is None else atoms
    compiler = PatternCompiler(
        vars=dict(ruleset.vars),
        lexicon_ids=lexicon_ids,
        lexicon_lengths=lexicons.lengths,
        lexicon_first_keys=lexicons.first_keys,
        atoms=atoms,
        render_pos=_render,
    )
    diagnostics: list[Diagnostic] = []
    compiled: list[CompiledRule] = []
    for rule in ruleset.rules:
        pattern = compiler.compile(rule.pattern, diagnostics)
        guards = [compiler.compile_guard(text, diagnostics) for text in rule.unless]
        if pattern is None or None in guards:
            continue
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
                unless=tuple(guards),  # type: ignore[arg-type]
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
        used_vars=frozenset(compiler.used_vars),
        used_lexicons=frozenset(compiler.used_lexicons),
    )
