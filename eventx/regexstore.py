"""Building a rule's regexes without parsing them again in every process.

The ``regex`` module compiles a pattern in two steps: Python code parses the source into a
program (about 0.1 s for a large rule, 2.5 s for the shipped pack's 200-odd regexes on a busy
machine), then its C extension builds the pattern object from that program in a fraction of
the time. A pattern object cannot be kept between processes, but ``regex`` pickles one as that
program (``copyreg``: the C step and its arguments); :func:`compile_regex` keeps those arguments
per pattern in the cache folder (:mod:`eventx.cache`), and a later process hands them to the C
step directly — what unpickling the pattern does, so the very same pattern object.

An entry is named after the ``regex`` version, its default version flag, the flags and the
source, so another ``regex`` or another pattern never reads it. Entries are marshal data (no
code runs when they are read) with a checksum, read only from a folder and file owned by this
user and writable by no one else; one that is missing, damaged or rejected by the C step is
compiled the usual way. ``EVENTX_NO_CACHE=1`` turns the store off. The folder holds at most
:data:`MAX_ENTRIES` entries (the least recently written go first). The last 500 patterns are
also kept in memory (``eventx serve`` builds a rule again after an edit is undone), except those
compiled with ``keep=False``.

Compiling itself is made cheaper too (:func:`_plain_flags`): ``regex``'s parser combines its
flags as ``enum.IntFlag`` members, and every ``&`` or ``|`` on one builds a new member in
Python code — about 40% of parsing a rule's pattern. Its modules' flag constants are replaced
by the plain ints they stand for (the same values, so the very same programs;
``tests/engine/test_regex_store.py`` compares the programs of every regex of the shipped pack
with those of an untouched ``regex``). ``regex``'s public flags (``regex.I``, ...) are left alone.
"""

from __future__ import annotations

import copyreg
import hashlib
import marshal
import os
import stat
from pathlib import Path
from typing import Any

import regex
from regex import Pattern as RegexPattern

__all__ = ["compile_regex", "program_of", "from_program"]

MAX_ENTRIES = 20_000  # a few MB: the shipped pack needs ~250 entries and ~3 MB
_FORMAT = 1  # bump when what an entry holds changes
_ARGS = 11  # the C step's arguments: pattern, flags, program, group names and indexes, named
# lists, the required string, group count

_RECENT = 500  # patterns kept in memory, as the ``regex`` module's own cache keeps them
_recent: dict[tuple[str, int], RegexPattern[str]] = {}  # (source, flags) -> pattern, oldest first
_folder: Path | None = None
_folder_ok: bool | None = None
_builder: Any = None  # the C step: what unpickling a pattern calls
_flags_plain = False  # see _plain_flags


def _reduce(compiled: RegexPattern[str]) -> tuple[Any, tuple[Any, ...]] | None:
    """(C step, its arguments) for ``compiled``, as ``regex`` pickles it; None if it does not."""
    reducer = copyreg.dispatch_table.get(type(compiled))
    if reducer is None:
        return None
    reduced = reducer(compiled)
    if not isinstance(reduced, tuple) or len(reduced) != 2 or not isinstance(reduced[1], tuple):
        return None
    return reduced[0], reduced[1]


def _store() -> Path | None:
    """The entries' folder, or None when the store is off or the folder is not private."""
    global _folder, _folder_ok
    if os.environ.get("EVENTX_NO_CACHE"):
        return None
    from eventx.cache import cache_dir

    base = cache_dir()
    version = f"{_FORMAT} {getattr(regex, '__version__', '?')} {int(regex.DEFAULT_VERSION)} {marshal.version}"
    folder = base / f"regex-{hashlib.sha256(version.encode()).hexdigest()[:12]}"
    if folder != _folder:
        _folder, _folder_ok = folder, None
    if _folder_ok is None:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            st = folder.stat()
            _folder_ok = st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        except OSError:
            _folder_ok = False
    return folder if _folder_ok else None


def _entry_name(source: str, flags: int) -> str:
    return hashlib.sha256(f"{flags}\n{source}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _load(path: Path, source: str) -> tuple[Any, ...] | None:
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            data = handle.read()
    except OSError:
        return None
    digest, payload = data[:32], data[32:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        args = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(args, tuple) or len(args) != _ARGS or args[0] != source:
        return None
    return args


def _save(folder: Path, name: str, args: tuple[Any, ...]) -> None:
    from eventx.cache import write_atomically

    try:
        payload = marshal.dumps(args)
    except ValueError:  # something that is not plain data: not kept
        return
    try:
        write_atomically(folder / name, hashlib.sha256(payload).digest() + payload)
        if int.from_bytes(os.urandom(1), "big") == 0:  # about every 256th write, trim the folder
            _trim(folder)
    except OSError:
        pass


def _trim(folder: Path) -> None:
    entries = [(entry.stat().st_mtime_ns, entry.path) for entry in os.scandir(folder) if entry.is_file()]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort()  # oldest first; files written within one clock tick by their paths
    for _, path in entries[: len(entries) - MAX_ENTRIES * 3 // 4]:
        try:
            os.unlink(path)
        except OSError:
            pass


def _the_builder() -> Any:
    """The C step that unpickling a pattern calls (False when ``regex`` pickles patterns otherwise)."""
    global _builder
    if _builder is None:
        reduced = _reduce(regex.compile(""))
        _builder = reduced[0] if reduced is not None and callable(reduced[0]) else False
    return _builder


def _build_args(compiled: RegexPattern[str]) -> tuple[Any, ...] | None:
    """The C step's arguments that build ``compiled`` again (its source first); None if
    ``regex`` pickles patterns otherwise."""
    reduced = _reduce(compiled)
    if reduced is None or reduced[0] is not _the_builder() or len(reduced[1]) != _ARGS:
        return None
    return reduced[1]


def _build(args: tuple[Any, ...]) -> RegexPattern[str] | None:
    """The pattern the C step builds from ``args``; None if it rejects them."""
    try:
        return _the_builder()(*args)
    except Exception:  # noqa: BLE001 - a rejected entry is a miss, whatever the C step raises
        return None


def program_of(compiled: RegexPattern[str]) -> tuple[Any, ...] | None:
    """What :func:`from_program` needs to build ``compiled`` again without its source: the C
    step's arguments but the pattern (a few KB where the built pattern takes hundreds); None
    if ``regex`` pickles patterns otherwise."""
    args = _build_args(compiled)
    return None if args is None else args[1:]


def from_program(source: str, program: tuple[Any, ...]) -> RegexPattern[str] | None:
    """The pattern of ``source`` built from ``program`` (:func:`program_of` of a pattern of that
    source): the C step alone, no parsing and no file; None if it is rejected."""
    return _build((source, *program))


def _plain_flags() -> None:
    """Replace the ``RegexFlag`` constants of ``regex``'s parser modules (and of their tables
    keyed or valued by flags) by plain ints, once (see the module docstring). Only what the
    parser reads is touched, and only with equal values: the flags a caller passes in may still
    be ``RegexFlag`` members (:func:`compile_regex` passes ints)."""
    global _flags_plain
    if _flags_plain:
        return
    _flags_plain = True
    try:
        from regex import _main, _regex_core
    except ImportError:  # another layout of the package: nothing to do
        return
    flag = getattr(_regex_core, "RegexFlag", None)
    if not isinstance(flag, type) or not issubclass(flag, int):
        return

    def plain(value: Any) -> Any:
        return int(value) if isinstance(value, flag) else value

    for module in (_regex_core, _main):
        for name, value in list(vars(module).items()):
            if isinstance(value, flag):
                setattr(module, name, int(value))
            elif isinstance(value, dict) and any(isinstance(x, flag) for item in value.items() for x in item):
                setattr(module, name, {plain(k): plain(v) for k, v in value.items()})


def compile_regex(source: str, flags: int = 0, *, keep: bool = True) -> RegexPattern[str]:
    """``regex.compile(source, flags)``, from the stored program when another process compiled
    the same pattern before (see the module docstring); errors are those of ``regex.compile``.

    ``keep=False``: not kept among the recent patterns in memory, for a pattern its caller keeps
    for as long as it wants it (the exact-end copies of a mention rule: kept there, each a copy of
    a large pattern, they made the largest share of a long run's memory peak)."""
    _plain_flags()
    flags = int(flags)  # a RegexFlag member would make the parser's flags members again
    folder = _store()
    if folder is None or not _the_builder() or flags & regex.LOCALE:
        return regex.compile(source, flags)
    recent = _recent.get((source, flags))
    if recent is not None:
        return recent
    name = _entry_name(source, flags)
    compiled = None
    args = _load(folder / name, source)
    if args is not None:
        compiled = _build(args)
    if compiled is None:
        compiled = regex.compile(source, flags) if keep else regex.compile(source, flags, cache_pattern=False)
        args = _build_args(compiled)
        if args is not None and args[0] == source:
            _save(folder, name, args)
    if not keep:
        return compiled
    if len(_recent) >= _RECENT:
        try:
            del _recent[next(iter(_recent))]
        except (KeyError, StopIteration, RuntimeError):  # another thread evicting too
            pass
    _recent[source, flags] = compiled
    return compiled
