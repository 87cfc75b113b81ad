"""Load rule files (with their imports and lexicon files) into a validated :class:`RuleSet`.

Problems are collected across every file and raised once as :class:`RuleError`; nothing
read from disk can escape as another exception. Every path a rule file names is confined
to the rule root, lexically (``..``, absolute paths) and after resolving symlinks.
"""

from __future__ import annotations

import hashlib
import os
import dataclasses
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventx.errors import Diagnostic, RuleError
from eventx import codes
from eventx.rules import schema
from eventx.rules.lexicons import make_lexicon, parse_entry, parse_lexicon_file
from eventx.rules.model import (
    Example,
    Lexicon,
    LexiconEntry,
    MentionExample,
    MentionRule,
    Pos,
    Rule,
    RuleSet,
    Scope,
    SourceText,
    TypeDecl,
)
from eventx.rules.validate import Validator, Value
from eventx.rules.yamlpos import YamlSource

from eventx.rules.files import RULE_SUFFIXES, TEST_SUFFIXES, rule_files_under  # noqa: F401 (re-exported)


def load_rule_files(path: str | Path, *, root: str | Path | None = None) -> RuleSet:
    """Load a rule file, or every ``*.yml``/``*.yaml`` under a directory (not ``*.test.yaml``).

    ``root`` confines imports and lexicon files; it defaults to the directory itself or the
    file's parent. Paths in diagnostics and positions are shown as ``root`` was given, joined
    with the path inside it. Rule ``order`` follows the load: the given files sorted by path,
    then imported files as first met, rules in file order.

    Raises RuleError with every problem found (and the warnings) when any error is found.
    """
    return _load(path, root).result()


def load_rule_files_partial(path: str | Path, *, root: str | Path | None = None) -> tuple[RuleSet, list[Diagnostic]]:
    """Like :func:`load_rule_files` but never raises: the rule set of whatever loaded, and every
    diagnostic (errors and warnings).

    Lets callers compile the rules that did load, so that one run reports schema errors and
    pattern errors together. A lexicon whose definition failed stands as an empty one, so its
    users are not reported again as "undefined lexicon".
    """
    loader = _load(path, root)
    return loader.ruleset(partial=True), [*loader.errors, *loader.warnings]


def _load(path: str | Path, root: str | Path | None) -> _Loader:
    path = Path(path)
    root = Path(root) if root is not None else (path if path.is_dir() else path.parent)
    loader = _Loader(root)
    loader.run(path)
    return loader


@dataclass(frozen=True, slots=True)
class _File:
    """A file admitted into the load: real location, root-relative path, display path."""

    real: Path
    rel: str
    display: str


class _Loader:
    def __init__(self, root: Path):
        self.root_given = root
        self.root_abs = Path(os.path.abspath(root))
        self.root_real = _resolve(self.root_abs) or self.root_abs
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.queue: deque[_File] = deque()
        self.loaded: dict[Path, _File] = {}  # real path -> file: each file is read once
        self.contents: dict[str, bytes] = {}  # rel path -> bytes, for the version hash
        self.sources: dict[str, str] = {}  # real path -> sha256 of every file read
        self.rules: list[Rule] = []
        self.mention_rules: list[MentionRule] = []
        self.ids: dict[str, Pos] = {}  # rule id (event and mention rules) -> first definition
        self.imports: dict[str, list[str]] = {}  # rel path -> rel paths it imports
        self.displays: dict[str, str] = {}  # rel path -> display path
        # per rel path, its own definitions: (namespace, name) -> (kind, pos, value); namespace
        # "name" holds lexicons and labels (one namespace), "var" the vars
        self.own: dict[str, dict[tuple[str, str], tuple[str, Pos, Any]]] = {}
        self.lexicons: dict[str, Lexicon] = {}  # by key, filled by _scope()
        self.vars: dict[str, SourceText] = {}
        self.scopes: dict[str, Scope] = {}
        self.failed_lexicons: list[tuple[str, str, Pos]] = []  # (rel, name, pos) of lexicons that did not load
        self.types: dict[str, TypeDecl] = {}
        self.type_pos: dict[str, Pos] = {}  # event type -> where it is declared

    # --- driving --------------------------------------------------------------------------

    def run(self, path: Path) -> None:
        for file in self._initial_files(path):
            self._enqueue(file)
        while self.queue:
            self._load_rule_file(self.queue.popleft())
        self._scope()

    # --- scoped names -------------------------------------------------------------------------

    def _scope(self) -> None:
        """Give every definition its key and every file its :class:`Scope`.

        A file sees its own names and those of the files it imports, transitively. A name
        defined in two places one file sees is an error naming both (reported once per pair);
        a name defined in files that never see each other is two names, keyed ``name@file``.
        """
        files = list(self.own)
        count: dict[tuple[str, str], int] = {}
        for rel in files:
            for ns_name in self.own[rel]:
                count[ns_name] = count.get(ns_name, 0) + 1

        def key(rel: str, ns_name: tuple[str, str]) -> str:
            return ns_name[1] if count[ns_name] == 1 else f"{ns_name[1]}@{rel}"

        for rel in files:
            for ns_name, (kind, pos, value) in self.own[rel].items():
                if kind == "lexicon" and value is not None:
                    self.lexicons[key(rel, ns_name)] = value
                elif kind == "var":
                    self.vars[key(rel, ns_name)] = value
        reported: set[tuple[Pos, Pos]] = set()
        for rel in files:
            seen: dict[tuple[str, str], tuple[str, Pos, str]] = {}  # -> (kind, pos, key)
            for other in self._visible_files(rel):
                for ns_name, (kind, pos, _) in self.own[other].items():
                    first = seen.get(ns_name)
                    if first is None:
                        seen[ns_name] = (kind, pos, key(other, ns_name))
                    elif (first[1], pos) not in reported:
                        reported.add((first[1], pos))
                        self.errors.append(_clash(ns_name[1], first[0], first[1], kind, pos))
            self.scopes[self.displays[rel]] = Scope(
                names={name: k for (ns, name), (_, _, k) in seen.items() if ns == "name"},
                vars={name: k for (ns, name), (_, _, k) in seen.items() if ns == "var"},
            )
        self.mention_rules = [
            dataclasses.replace(rule, key=self.scopes[rule.file].names.get(rule.label, rule.label))
            for rule in self.mention_rules
        ]

    def _visible_files(self, rel: str) -> list[str]:
        """``rel`` and the files it imports, transitively, in load order (each once)."""
        found = [rel]
        queue = deque([rel])
        while queue:
            for imported in self.imports.get(queue.popleft(), ()):
                if imported not in found and imported in self.own:
                    found.append(imported)
                    queue.append(imported)
        order = {name: i for i, name in enumerate(self.own)}
        return sorted(found, key=order.__getitem__)

    def _define(self, file: _File, namespace: str, name: str, kind: str, pos: Pos, value: Any) -> None:
        """Record a definition of this file; two in one file are an error naming the first."""
        own = self.own.setdefault(file.rel, {})
        first = own.get((namespace, name))
        if first is not None:
            if not (kind == first[0] == "label"):  # many mention rules share one label
                self.errors.append(_clash(name, first[0], first[1], kind, pos))
            return
        own[(namespace, name)] = (kind, pos, value)

    def result(self) -> RuleSet:
        if self.errors:
            raise RuleError([*self.errors, *self.warnings])
        return self.ruleset()

    def ruleset(self, *, partial: bool = False) -> RuleSet:
        lexicons = dict(self.lexicons)
        if partial:
            for rel, name, pos in self.failed_lexicons:
                key = self.scopes[self.displays[rel]].names.get(name, name)
                lexicons.setdefault(key, Lexicon(key, (), False, pos))
        digest = hashlib.sha256()
        for rel in sorted(self.contents):
            content = self.contents[rel]
            digest.update(b"%s\0%d\0" % (rel.encode(), len(content)) + content)
        return RuleSet(
            rules=tuple(self.rules),
            lexicons=lexicons,
            vars=self.vars,
            files=tuple(file.display for file in self.loaded.values()),
            root=str(self.root_given),
            version="sha256:" + digest.hexdigest(),
            warnings=tuple(sorted(self.warnings, key=lambda d: (d.file, d.line, d.col, d.message))),
            mention_rules=tuple(self.mention_rules),
            scopes=dict(self.scopes),
            types=self.types,
            sources=tuple(sorted(self.sources.items())),
        )

    def _initial_files(self, path: Path) -> list[_File]:
        shown = Pos(path.as_posix(), 0, 0)
        if not path.exists():
            self.errors.append(shown.diagnostic(codes.FILE_NOT_FOUND, "no such file or directory"))
            return []
        if not path.is_dir():
            file = self._confine(Path(os.path.abspath(path)), path.as_posix(), "rule file", shown)
            return [file] if file else []
        found = rule_files_under(path)
        confined = [self._confine(Path(os.path.abspath(p)), p.as_posix(), "rule file", Pos(p.as_posix(), 0, 0))
                    for p in found]
        files = sorted((f for f in confined if f is not None), key=lambda f: f.rel)
        if not files and not self.errors:
            self.errors.append(shown.diagnostic(codes.NO_RULE_FILES, "no rule files (*.yml, *.yaml) found"))
        return files

    def _enqueue(self, file: _File) -> None:
        if file.real not in self.loaded:
            self.loaded[file.real] = file
            self.queue.append(file)

    # --- paths and reading ------------------------------------------------------------------

    def _admit(self, written: Value, base: _File, what: str, source: YamlSource) -> _File | None:
        """The file a path written in a rule file names (relative to that file), if allowed."""
        text: str = written.data
        pos = source.pos(written.node)
        if os.path.isabs(text):
            self.errors.append(pos.diagnostic(
                codes.OUTSIDE_ROOT, f"{what} '{text}' is an absolute path; write it relative to this file"))
            return None
        lexical = Path(os.path.normpath(self.root_abs / Path(base.rel).parent / text))
        return self._confine(lexical, text, what, pos)

    def _confine(self, lexical: Path, shown: str, what: str, pos: Pos) -> _File | None:
        rel = os.path.relpath(lexical, self.root_abs)
        if rel == os.pardir or rel.startswith(os.pardir + os.sep):
            message = f"{what} '{shown}' is outside the rule root"
            self.errors.append(pos.diagnostic(codes.OUTSIDE_ROOT, message))
            return None
        real = _resolve(lexical)
        if real is not None and not real.is_relative_to(self.root_real):
            self.errors.append(pos.diagnostic(
                codes.OUTSIDE_ROOT, f"{what} '{shown}' resolves (through a symlink) outside the rule root"))
            return None
        if real is None or not real.is_file():
            problem = "is not a file" if real is not None and real.exists() else "not found"
            self.errors.append(pos.diagnostic(codes.FILE_NOT_FOUND, f"{what} '{shown}' {problem}"))
            return None
        display = os.path.normpath(os.path.join(self.root_given, rel))
        return _File(real, Path(rel).as_posix(), Path(display).as_posix())

    def _read(self, file: _File, what: str, pos: Pos) -> str | None:
        """Decoded text of a file; unreadable or non-UTF-8 files become diagnostics."""
        try:
            content = file.real.read_bytes()
        except OSError as error:
            message = f"cannot read {what} '{file.display}': {error.strerror}"
            self.errors.append(pos.diagnostic(codes.FILE_NOT_FOUND, message))
            return None
        self.contents[file.rel] = content
        self.sources[str(file.real)] = hashlib.sha256(content).hexdigest()
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError as error:
            line = content.count(b"\n", 0, error.start) + 1
            col = error.start - (content.rfind(b"\n", 0, error.start) + 1) + 1
            bad = content[error.start : error.start + 1].hex()
            self.errors.append(Pos(file.display, line, col).diagnostic(
                codes.NOT_UTF8, f"{what} is not valid UTF-8 (byte 0x{bad})"))
            return None

    # --- one rule file ------------------------------------------------------------------------

    def _load_rule_file(self, file: _File) -> None:
        text = self._read(file, "rule file", Pos(file.display, 0, 0))
        if text is None:
            return
        source, checked = self._parse_rule_file(file.display, text)
        self.displays[file.rel] = file.display
        self.own.setdefault(file.rel, {})
        if checked is None:
            return
        doc: dict[str, Value] = checked.data
        imports = self.imports.setdefault(file.rel, [])
        for written in _get(doc, schema.RULE_FILE, "imports"):
            imported = self._admit(written, file, "import", source)
            if imported:
                imports.append(imported.rel)
                self._enqueue(imported)
        for name, value in _get(doc, schema.RULE_FILE, "lexicons").items():
            lexicon = self._lexicon(name, value, file, source)
            pos = source.pos(value.key)
            if lexicon is None:
                self.failed_lexicons.append((file.rel, name, pos))
            self._define(file, "name", name, "lexicon", pos, lexicon)
        for name, value in _get(doc, schema.RULE_FILE, "vars").items():
            self._define(file, "var", name, "var", source.pos(value.key), source.source_text(value.node))
        for value in _get(doc, schema.RULE_FILE, "mentions"):
            mention = self._mention_rule(value, file, source)
            if mention:
                self.mention_rules.append(mention)
                self._define(file, "name", mention.label, "label", source.pos(value.data["label"].node), None)
        for name, value in _get(doc, schema.RULE_FILE, "types").items():
            self._declare_type(name, value, source)
        for value in _get(doc, schema.RULE_FILE, "rules"):
            rule = self._rule(value, file, source)
            if rule:
                self.rules.append(rule)

    def _parse_rule_file(self, display: str, text: str) -> tuple[YamlSource, Value | None]:
        """A rule file's YAML, checked against the format (None: empty, or not a rule file);
        problems go to ``self.errors``. (``eventx serve`` keeps the result per file text.)"""
        source = YamlSource(display, text)
        node, problems = source.compose()
        self.errors += problems
        if node is None or node.tag == "tag:yaml.org,2002:null":  # empty file
            return source, None
        return source, Validator(source, self.errors).check(schema.RULE_FILE, node, "a rule file")

    def _parse_lexicon_file(self, display: str, text: str) -> list[LexiconEntry]:
        """A lexicon file's entries; problems go to ``self.errors``."""
        return parse_lexicon_file(text, display, self.errors)

    def _declare_type(self, name: str, value: Value, source: YamlSource) -> None:
        """Event types are global, like rule ids: a second declaration is an error naming the first."""
        pos = source.pos(value.key)
        first = self.type_pos.setdefault(name, pos)
        if first is not pos:
            message = f"duplicate event type '{name}' (first defined at {first.seen_from(pos)})"
            self.errors.append(pos.diagnostic(codes.DUPLICATE_DEF, message))
            return
        self.types[name] = _type_decl(name, value)

    def _new_id(self, rule_id: Value | None, source: YamlSource) -> bool:
        """Claim a rule id (event and mention rules share them); a second use is an error."""
        if rule_id is None:
            return True
        pos = source.pos(rule_id.node)
        first = self.ids.setdefault(rule_id.data, pos)
        if first is not pos:
            message = f"duplicate rule id '{rule_id.data}' (first defined at {first.seen_from(pos)})"
            self.errors.append(pos.diagnostic(codes.DUPLICATE_ID, message))
        return first is pos

    def _mention_rule(self, value: Value, file: _File, source: YamlSource) -> MentionRule | None:
        fields: dict[str, Value] = value.data
        duplicate = not self._new_id(fields.get("id"), source)
        if not {"id", "label", "pattern"} <= fields.keys():
            return None  # already reported
        examples = (_mention_example(example, source) for example in _get(fields, schema.MENTION_RULE, "examples"))
        return MentionRule(  # kept when its id is a duplicate, so that its pattern is checked too
            id=_shown_id(fields["id"].data, duplicate, value, source),
            label=fields["label"].data,
            key=fields["label"].data,  # made the rule set's key by _scope()
            priority=_get(fields, schema.MENTION_RULE, "priority"),
            description=_get(fields, schema.MENTION_RULE, "description"),
            pattern=source.source_text(fields["pattern"].node),
            examples=tuple(example for example in examples if example),
            pos=source.pos(value.node),
            file=file.display,
            order=len(self.mention_rules),
            norms={part: norm.data for part, norm in _get(fields, schema.MENTION_RULE, "norms").items()},
        )

    def _lexicon(self, name: str, value: Value, file: _File, source: YamlSource) -> Lexicon | None:
        fields: dict[str, Value] = value.data if isinstance(value.data, dict) else {}
        if isinstance(value.data, str):  # name: path/to/file.txt
            fields = {"file": value}
        elif isinstance(value.data, list):  # name: [phrase, ...]
            fields = {"entries": value}
        if not fields.keys() & {"file", "entries"}:
            return None  # already reported
        entries: list[LexiconEntry] = []
        lexicon_file = None
        if "file" in fields:
            lexicon_file = self._admit(fields["file"], file, "lexicon file", source)
            if lexicon_file is None:
                return None
            text = self._read(lexicon_file, "lexicon file", source.pos(fields["file"].node))
            if text is None:
                return None
            entries += self._parse_lexicon_file(lexicon_file.display, text)
        for written in _get(fields, schema.LEXICON_RECORD, "entries"):
            entry = parse_entry(source.source_text(written.node), self.errors)
            if entry:
                entries.append(entry)
        case = _get(fields, schema.LEXICON_RECORD, "case")
        return make_lexicon(name, entries, case_sensitive=case == "sensitive", pos=source.pos(value.key),
                            source=lexicon_file.display if lexicon_file else None, warnings=self.warnings)

    def _rule(self, value: Value, file: _File, source: YamlSource) -> Rule | None:
        fields: dict[str, Value] = value.data
        duplicate = not self._new_id(fields.get("id"), source)
        if "pattern" not in fields:
            return None  # already reported
        # A rule with a duplicate id or a bad/missing id or type (already reported) is still
        # returned, with a placeholder where needed, so that its patterns are checked too and
        # `eventx check` shows every error of the rule at once. A pack with errors never runs.
        placeholder = "<no valid id>" if "id" not in fields else None
        examples = (_example(example, source) for example in _get(fields, schema.RULE, "examples"))
        return Rule(
            id=placeholder or _shown_id(fields["id"].data, duplicate, value, source),
            type=fields["type"].data if "type" in fields else "<no valid type>",
            priority=_get(fields, schema.RULE, "priority"),
            description=_get(fields, schema.RULE, "description"),
            pattern=source.source_text(fields["pattern"].node),
            examples=tuple(example for example in examples if example),
            pos=source.pos(value.node),
            file=file.display,
            order=len(self.rules),
            modality=_get(fields, schema.RULE, "modality"),
            norms={role: norm.data for role, norm in _get(fields, schema.RULE, "norms").items()},
            unless=_unless(fields.get("unless"), source),
        )


def _type_decl(name: str, value: Value) -> TypeDecl:
    fields: dict[str, Value] = value.data
    ties = fields.get("ties")
    return TypeDecl(
        name,
        merge=_get(fields, schema.TYPE, "merge"),
        roles={role: kind.data for role, kind in _get(fields, schema.TYPE, "roles").items()},
        ties=frozenset(_plain(ties)) if ties is not None else None,
        generic=frozenset(_plain(fields["generic"])) if "generic" in fields else frozenset(),
        reported_actor=_get(fields, schema.TYPE, "reported_actor"),
    )


def _shown_id(rule_id: str, duplicate: bool, value: Value, source: YamlSource) -> str:
    """A rule's id; a duplicate one (already reported) names its line, so that it stays apart
    from the first while its patterns are checked (a pack with errors never runs)."""
    return rule_id if not duplicate else f"{rule_id} (duplicate, line {source.pos(value.node).line})"


def _unless(value: Value | None, source: YamlSource) -> tuple[SourceText, ...]:
    """The rule's ``unless`` patterns: one scalar or a list of them."""
    if value is None:
        return ()
    items = value.data if isinstance(value.data, list) else [value]
    return tuple(source.source_text(item.node) for item in items)


def _example(value: Value, source: YamlSource) -> Example | None:
    fields: dict[str, Value] = value.data
    if not {"text", "expect"} <= fields.keys():
        return None  # already reported
    expect = tuple(
        {key: _plain(item) for key, item in event.data.items()}
        for event in fields["expect"].data
    )
    todo = _get(fields, schema.EXAMPLE, "todo")
    return Example(fields["text"].data, expect, todo, source.pos(value.node))


def _mention_example(value: Value, source: YamlSource) -> MentionExample | None:
    fields: dict[str, Value] = value.data
    if not {"text", "expect"} <= fields.keys():
        return None  # already reported
    expect = []
    for item in fields["expect"].data:
        mention = item.data
        if {"label", "text"} <= mention.keys():
            expect.append((mention["label"].data, str(mention["text"].data)))
    todo = _get(fields, schema.MENTION_EXAMPLE, "todo")
    return MentionExample(str(fields["text"].data), tuple(expect), todo, source.pos(value.node))


_KIND_NAMES = {"lexicon": "lexicon", "label": "mention label", "var": "var"}


def _clash(name: str, first_kind: str, first: Pos, kind: str, pos: Pos) -> Diagnostic:
    """A second definition of a name one file sees, at ``pos``, naming the first."""
    if first_kind == kind:
        message = f"duplicate {_KIND_NAMES[kind]} '{name}' (first defined at {first.seen_from(pos)})"
        return pos.diagnostic(codes.DUPLICATE_DEF, message)
    message = (f"'{name}' is defined as a {_KIND_NAMES[kind]} here and as a {_KIND_NAMES[first_kind]} at "
               f"{first.seen_from(pos)}: lexicons and labels share one namespace")
    return pos.diagnostic(codes.NAME_CLASH, message)


def _plain(value: Value) -> Any:
    """The plain Python data of a validated value."""
    if isinstance(value.data, dict):
        return {key: _plain(item) for key, item in value.data.items()}
    if isinstance(value.data, list):
        return [_plain(item) for item in value.data]
    return value.data


def _get(fields: dict[str, Value], record: schema.Record, key: str) -> Any:
    """A validated field's data, or the format's default when the key is absent."""
    return fields[key].data if key in fields else record.fields[key].default


def _resolve(path: Path) -> Path | None:
    """The real path, or None when it cannot be resolved (a symlink loop, a NUL byte)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # ValueError: a NUL in the path
        return None
