"""The documentation stays true: every command, option and error code is documented, every
command's help example runs, and nothing cites a file the repository does not hold.

(After sqlite-utils' ``tests/test_docs.py``.)"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from eventx.cli import app
from eventx.codes import CATALOGUE

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in sorted((REPO / "docs").glob("*.md"))}
ALL_DOCS = README + "".join(DOCS.values())
GROUP = typer.main.get_command(app)
COMMANDS = dict(sorted(GROUP.commands.items()))  # type: ignore[attr-defined]
runner = CliRunner()


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme_and_docs(name: str) -> None:
    command = COMMANDS[name]
    assert command.help and "Example: eventx " + name in command.help
    assert f"`eventx {name}" in README, f"eventx {name} is not in README.md's command table"
    assert any(f"eventx {name}" in text for text in DOCS.values()), f"eventx {name} is in no docs/*.md"


@pytest.mark.parametrize(
    ("name", "option"),
    [(name, opt) for name, command in COMMANDS.items() for param in command.params
     if param.param_type_name == "option" for opt in param.opts if opt.startswith("--")],
)
def test_every_option_is_documented(name: str, option: str) -> None:
    assert re.search(rf"{re.escape(option)}\b", ALL_DOCS), f"eventx {name} {option} is documented nowhere"


def test_one_meaning_per_option_name() -> None:
    helps: dict[str, set[str]] = {}
    for command in COMMANDS.values():
        for param in command.params:
            if param.param_type_name == "option":
                for opt in param.opts:
                    helps.setdefault(opt, set()).add(param.name or "")
    assert {opt: names for opt, names in helps.items() if len(names) > 1} == {}
    formats = {param.help for c in COMMANDS.values() for param in c.params if param.param_type_name == "option" and "--format" in param.opts}
    assert len(formats) == 1 and "jsonl, csv or sqlite" in formats.pop()


ERRORS = DOCS["errors.md"]


@pytest.mark.parametrize("code", CATALOGUE)
def test_every_code_has_a_section_with_an_example(code: str) -> None:
    section = re.search(rf"^### {code}\n(.*?)(?=^#|\Z)", ERRORS, re.S | re.M)
    assert section, f"docs/errors.md has no section for {code}"
    assert f"[{code}]`" in section.group(1) or f'"code": "{code}"' in section.group(1), f"{code} has no example"


def test_every_code_in_the_package_is_catalogued_and_no_other_is_documented() -> None:
    used = set()
    for path in (REPO / "eventx").rglob("*.py"):
        if path.name == "codes.py" and path.parent.name == "eventx":
            continue  # the catalogue itself
        used |= set(re.findall(r"\b[EW][1-4]\d\d\b", path.read_text(encoding="utf-8")))
    assert used <= CATALOGUE.keys()
    documented = set(re.findall(r"^### ([EW]\d{3})$", ERRORS, re.M))
    assert documented == CATALOGUE.keys()


def _texts() -> list[Path]:
    roots = [REPO / "eventx", REPO / "docs", REPO / "rules", REPO / "tests", REPO / "corpora", REPO / "README.md"]
    files: list[Path] = []
    for root in roots:
        files += [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".md", ".yml", ".txt"}]
    return [f for f in files if f != Path(__file__).resolve()]


def test_nothing_cites_a_design_document_or_data_outside_the_repository() -> None:
    offenders = [
        str(path.relative_to(REPO)) for path in _texts()
        if re.search(r"DESIGN|\.\./shared|shared/data", path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_relative_links_in_the_docs_lead_to_files_of_the_repository() -> None:
    broken = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *sorted((REPO / "rules").rglob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if "://" not in target and not (path.parent / target).exists():
                broken.append(f"{path.relative_to(REPO)} -> {target}")
    assert broken == []


def test_every_help_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a copy of the sample corpus and the pack, with the files the examples name."""
    shutil.copytree(REPO / "corpora" / "sample", tmp_path / "corpora" / "sample")
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    (tmp_path / ".vscode").mkdir()
    monkeypatch.chdir(tmp_path)
    examples = {name: re.search(r"Example: (eventx .*)", command.help or "").group(1) for name, command in COMMANDS.items()}  # type: ignore[union-attr]
    # serve runs until Ctrl+C (tests/serve drive it); its example must name paths that exist
    serve = shlex.split(examples.pop("serve"))[2:]
    assert serve and all(Path(arg).exists() for arg in serve if not arg.startswith("-"))
    order = ["run"] + [name for name in examples if name != "run"]  # the others read what run writes
    for name in order:
        if name == "run":
            pass
        elif name in ("stats", "diff", "report"):
            for made in ("events.sqlite", "before.jsonl", "after.sqlite"):
                if not Path(made).exists():
                    assert runner.invoke(app, ["run", "corpora/sample", "-q", "-o", made]).exit_code == 0
        result = runner.invoke(app, shlex.split(examples[name])[1:])
        assert result.exit_code == 0, (examples[name], result.output)
