"""Things kept between processes: the per-user cache folder, compiled rule packs, and what
``eventx check`` found in a pack.

Loading a pack means parsing its YAML and compiling every pattern into regex sources (most
of an interactive command's time); a pack whose files have not changed is instead unpickled
from ``pack-<key>.pickle``. The key names what the pack is loaded from (the path as given,
resolved), with which eventx code and Python; the entry lists every file the loader read with
its content hash and the rule files of a directory, and is used only while they are all the
same. Only packs that loaded without errors are kept.

``eventx check`` of an unchanged pack reads its diagnostics back the same way
(``lint-<key>.marshal``: plain data, kept only for packs that loaded, and never when a
diagnostic depends on the clock, such as an example over its time budget); its key adds the
versions of what linting depends on beyond eventx's code (``regex``, lemminflect's tables),
and its entry the rule files the command named.

The folder is ``$EVENTX_CACHE_DIR``, else ``$XDG_CACHE_HOME/eventx`` or ``~/.cache/eventx``;
``EVENTX_NO_CACHE=1`` turns the pack cache off. A pickle runs code when loaded, so an entry
is read only from a folder and file owned by this user and writable by no one else. A cache
that cannot be read or written is only slower, never an error.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventx.match.matcher import RulePack

_PACK_FORMAT = 1  # bump when what a pickled pack holds changes in a way the code hash misses


def cache_dir() -> Path:
    folder = os.environ.get("EVENTX_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "eventx")
    return Path(folder)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file (a concurrent reader sees the old
    file or the whole new one); raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _code_fingerprint() -> str:
    """Sizes and times of eventx's own modules: an edited engine never reads an old entry."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{_PACK_FORMAT} {sys.version} {pickle.HIGHEST_PROTOCOL}".encode())
    for module in sorted(package.rglob("*.py")):
        st = module.stat()
        digest.update(f"{module} {st.st_size} {st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _entry_path(path: Path, kind: str = "pack", suffix: str = "pickle", extra: str = "") -> Path:
    key = hashlib.sha256(f"{_code_fingerprint()}\n{path}\n{os.path.abspath(path)}{extra}".encode()).hexdigest()[:24]
    return cache_dir() / f"{kind}-{key}.{suffix}"


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else (the file and its folder)."""
    try:
        for item in (path.parent, path):
            st = item.stat()
            if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return False
    except OSError:
        return False
    return True


def _rule_files(path: Path) -> list[str]:
    from eventx.rules.files import rule_files_under

    return sorted(str(p.resolve()) for p in rule_files_under(path)) if path.is_dir() else [str(path.resolve())]


def _unchanged(sources: tuple[tuple[str, str], ...]) -> bool:
    try:
        return all(hashlib.sha256(Path(real).read_bytes()).hexdigest() == digest for real, digest in sources)
    except OSError:
        return False


def cached_pack(path: Path) -> RulePack | None:
    """The pack compiled from ``path`` before, if its files are all as they were then."""
    if os.environ.get("EVENTX_NO_CACHE"):
        return None
    entry = _entry_path(path)
    if not entry.is_file() or not _private(entry):
        return None
    try:
        rule_files, sources, packed = pickle.loads(entry.read_bytes())
        if rule_files != _rule_files(path) or not _unchanged(sources):
            return None
        with _no_gc():
            return pickle.loads(packed)
    except Exception:  # noqa: BLE001 - a stale or damaged entry is a cache miss, whatever it raises
        return None


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: unpickling a pack creates some 100,000 objects, none
    of them garbage, and the collections they trigger cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def keep_pack(path: Path, pack: RulePack) -> None:
    """Keep a freshly compiled pack (before any of its regexes is built) for later processes."""
    if os.environ.get("EVENTX_NO_CACHE") or pack.ruleset is None:
        return
    try:
        packed = pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL)
        entry = pickle.dumps((_rule_files(path), pack.ruleset.sources, packed), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(_entry_path(path), entry)
    except (OSError, pickle.PicklingError, RecursionError):
        pass


_LINT_FORMAT = 1  # bump when a lint entry's layout changes


def _lint_entry(path: Path) -> Path:
    """The lint entry of ``path``: keyed like its pack, and by the ``regex`` and lemminflect
    data linting ran with (tokens and lemmas of lexicons and examples)."""
    import regex

    from eventx.text.lemma import lemminflect_fingerprint

    extra = f"\n{_LINT_FORMAT} {regex.__version__} {lemminflect_fingerprint()}"
    return _entry_path(path, "lint", "marshal", extra)


def cached_lint(path: Path, given: list[str]) -> tuple[list[tuple], int, int] | None:
    """What ``eventx check`` found in ``path`` before — (diagnostics as tuples, rule count,
    lexicon count) — if every file it read is as it was, and the same rule files are named."""
    if os.environ.get("EVENTX_NO_CACHE"):
        return None
    entry = _lint_entry(path)
    if not entry.is_file() or not _private(entry):
        return None
    try:
        rule_files, named, sources, found = marshal.loads(entry.read_bytes())
        if named != given or rule_files != _rule_files(path) or not _unchanged(tuple(sources)):
            return None
        diagnostics, rules, lexicons = found
        return [tuple(d) for d in diagnostics], int(rules), int(lexicons)
    except Exception:  # noqa: BLE001 - a stale or damaged entry is a cache miss, whatever it raises
        return None


def keep_lint(path: Path, given: list[str], sources: tuple[tuple[str, str], ...],
              diagnostics: list[tuple], rules: int, lexicons: int) -> None:
    """Keep what ``eventx check`` found in a pack that loaded, read from ``sources``."""
    if os.environ.get("EVENTX_NO_CACHE"):
        return
    try:
        data = marshal.dumps((_rule_files(path), given, [list(s) for s in sources], ([list(d) for d in diagnostics], rules, lexicons)))
        write_atomically(_lint_entry(path), data)
    except (OSError, ValueError):
        pass
