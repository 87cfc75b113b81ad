"""Which files a rule pack directory is made of (without importing the loader and YAML: the
compiled-pack cache asks this at every start)."""

from __future__ import annotations

import os
from pathlib import Path

RULE_SUFFIXES = (".yml", ".yaml")
TEST_SUFFIXES = (".test.yml", ".test.yaml")


def rule_files_under(folder: Path) -> list[Path]:
    """The rule files a directory given as a pack loads (before their imports), in walk order."""
    found = []
    for parent, subfolders, names in os.walk(folder):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found += [Path(parent, name) for name in names
                  if name.endswith(RULE_SUFFIXES) and not name.endswith(TEST_SUFFIXES)]
    return found


def default_rules_path() -> Path:
    """The shipped rule pack: ``$EVENTX_RULES`` if set; else the pack installed inside the
    package (``eventx/pack``, a wheel install); else ``rules/`` of the source checkout."""
    env = os.environ.get("EVENTX_RULES")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent.parent
    installed = package / "pack"
    return installed if installed.is_dir() else package.parent / "rules"
