"""Building a rule's regexes without parsing them again in every process.

The ``regex`` module compiles a pattern in two steps: Python code parses the source and
turns it into a list of opcodes (about 0.1 s for a large rule, 1.3 s for the shipped pack's
240 regexes), then its C extension builds the pattern object from that list (a fortieth of
the time). A pattern object cannot be kept between processes, but the opcode list can:
:func:`compile_regex` keeps the arguments the C step received, per pattern, in the cache folder
(:mod:`eventx.cache`), and a later process hands them to the C step directly — the very
arguments ``regex.compile`` would compute, so the very same pattern object.

An entry is named after the ``regex`` version, its default version flag, the flags and the
source, so another ``regex`` or another pattern never reads it. Entries are marshal data (no
code runs when they are read) with a checksum, read only from a folder and file owned by this
user and writable by no one else; one that is missing, damaged or rejected by the C step is
compiled the usual way. ``EVENTX_NO_CACHE=1`` turns the store off. The folder holds at most
:data:`MAX_ENTRIES` entries (the least recently written go first).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import threading
from pathlib import Path
from typing import Any

import regex
from regex import Pattern as RegexPattern

__all__ = ["compile_regex"]

MAX_ENTRIES = 20_000  # a few MB: the shipped pack needs ~250 entries and ~3 MB
_FORMAT = 1  # bump when what an entry holds changes
_ARGS = 11  # the C step's arguments: pattern, flags, code, group_index, index_group, named_lists,
# named_list_indexes, req_offset, req_chars, req_flags, group_count

_lock = threading.Lock()
_capture = threading.local()
_folder: Path | None = None
_folder_ok: bool | None = None


def _engine() -> Any:
    """``regex``'s C extension module, which builds pattern objects (None if not found)."""
    return getattr(getattr(regex, "_main", None), "_regex", None)


class _Recorder:
    """Stands in for ``regex``'s C extension while this thread compiles a pattern, to keep
    the arguments its ``compile`` is given; every other attribute is the extension's own."""

    def __init__(self, real: Any):
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def compile(self, *args: Any) -> Any:
        if getattr(_capture, "armed", False):
            _capture.args = args
        return self._real.compile(*args)


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
    entries = [(entry.stat().st_mtime_ns, entry) for entry in os.scandir(folder) if entry.is_file()]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort()
    for _, entry in entries[: len(entries) - MAX_ENTRIES * 3 // 4]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def _compile_recording(source: str, flags: int, engine: Any) -> tuple[RegexPattern[str], tuple[Any, ...] | None]:
    """``regex.compile(source, flags)`` and the arguments its C step received (None if unseen)."""
    main = regex._main  # type: ignore[attr-defined]
    with _lock:
        main._regex = _Recorder(engine)
        _capture.armed, _capture.args = True, None
        try:
            compiled = regex.compile(source, flags, cache_pattern=False)
        finally:
            main._regex = engine
            _capture.armed = False
    args, _capture.args = _capture.args, None
    return compiled, args


def compile_regex(source: str, flags: int = 0) -> RegexPattern[str]:
    """``regex.compile(source, flags)``, from the stored opcodes when another process compiled
    the same pattern before (see the module docstring); errors are those of ``regex.compile``."""
    engine = _engine()
    folder = _store() if engine is not None else None
    if folder is None or flags & regex.LOCALE:
        return regex.compile(source, flags)
    flags = int(flags)
    name = _entry_name(source, flags)
    args = _load(folder / name, source)
    if args is not None:
        try:
            return engine.compile(*args)
        except Exception:  # noqa: BLE001 - a rejected entry is a miss, whatever the extension raises
            pass
    compiled, args = _compile_recording(source, flags, engine)
    if args is not None and args[0] == source and not args[5]:  # no named lists: plain data only
        _save(folder, name, (args[0], int(args[1]), *args[2:]))
    return compiled
