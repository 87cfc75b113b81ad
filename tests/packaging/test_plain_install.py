"""A plain (non-editable) install works: the wheel holds every module and the rule pack, its
build prints no setuptools warning, and the installed command runs from outside the checkout.

The wheel is built with pip (build isolation, from the configured index) and run from an
unpacked copy with ``python -S``, so that neither the checkout nor the editable install of the
development environment can hide a module missing from the wheel."""

from __future__ import annotations

import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import eventx

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if build.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}")
    (path,) = out.glob("eventx_toolkit-*.whl")
    return path, build.stdout + build.stderr


@pytest.fixture(scope="module")
def unpacked(wheel: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("installed")
    with zipfile.ZipFile(wheel[0]) as zf:
        zf.extractall(target)
    return target


def test_the_wheel_holds_every_module_and_the_pack(wheel: tuple[Path, str]) -> None:
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "eventx").rglob("*.py")}
    assert modules - names == set()
    assert {"eventx/match/compiler.py", "eventx/engines/local.py", "eventx/report/assets/report.js"} <= names
    assert {"eventx/serve/assets/index.html", "eventx/serve/assets/serve.js", "eventx/serve/assets/serve.css"} <= names
    assert {"eventx/pack/deployment.yml", "eventx/pack/lexicons/countries.txt"} <= names


def test_the_build_prints_no_setuptools_warning(wheel: tuple[Path, str]) -> None:
    log = wheel[1]
    assert "BuildBackendWarning" not in log and "SetuptoolsDeprecationWarning" not in log
    assert "absent from the `packages`" not in log


def _installed_eventx(unpacked: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``eventx ARGS`` from the unpacked wheel: -S keeps the editable install's finder away;
    the dependencies come from this environment's site-packages, added without its .pth files."""
    paths = [str(unpacked), *site.getsitepackages()]
    code = f"import sys; sys.path[:0] = {paths!r}; from eventx.cli import main; sys.argv[0] = 'eventx'; main()"
    return subprocess.run([sys.executable, "-S", "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_the_installed_command_checks_and_runs_the_shipped_pack(unpacked: Path, tmp_path: Path) -> None:
    version = _installed_eventx(unpacked, "--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"eventx {eventx.__version__}"
    check = _installed_eventx(unpacked, "check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "Traceback" not in check.stderr
    doc = tmp_path / "wire.txt"
    doc.write_text("China has deployed about 2,000 soldiers to the disputed border region.", encoding="utf-8")
    run = _installed_eventx(unpacked, "run", str(doc), "-q", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert '"type":"deployment"' in run.stdout
    where = _installed_eventx(unpacked, "--help", cwd=tmp_path)  # the module really came from the wheel
    assert where.returncode == 0
