"""Things kept between processes: the per-user cache folder, and compiled rule packs.

Loading a pack means parsing its YAML and compiling every pattern into regex sources (most
of an interactive command's time); a pack whose files have not changed is instead unpickled
from ``pack-<key>.pickle``. The key names what the pack is loaded from (the path as given,
resolved), with which eventx code and Python; the entry lists every file the loader read with
its content hash and the rule files of a directory, and is used only while they are all the
same. Only packs that loaded without errors are kept.

The folder is ``$EVENTX_CACHE_DIR``, else ``$XDG_CACHE_HOME/eventx`` or ``~/.cache/eventx``;
``EVENTX_NO_CACHE=1`` turns the pack cache off. A pickle runs code when loaded, so an entry
is read only from a folder and file owned by this user and writable by no one else. A cache
that cannot be read or written is only slower, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
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


def _entry_path(path: Path) -> Path:
    key = hashlib.sha256(f"{_code_fingerprint()}\n{path}\n{os.path.abspath(path)}".encode()).hexdigest()[:24]
    return cache_dir() / f"pack-{key}.pickle"


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
    from eventx.rules.loader import rule_files_under

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
        return pickle.loads(packed)
    except Exception:  # noqa: BLE001 - a stale or damaged entry is a cache miss, whatever it raises
        return None


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
