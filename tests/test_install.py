"""Installed as a package it works: the wheel carries the ontology, the example queries and the
page assets, installs into a fresh environment outside the checkout without the network, and
its ``bioeco`` command builds, analyses, queries and draws a copy of ``data/``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# what a source distribution holds: the files pyproject.toml names (no .venv, out/, build/)
SOURCE = [
    "pyproject.toml", "README.md", "LICENSE", "cli.py", "bioeco_commands", "graph", "ontology"
]  # fmt: skip
PACKAGING_WARNINGS = (
    "is absent from the packages configuration",
    "package init file",
    "SetuptoolsDeprecationWarning",
    "_DeprecatedConfig",
)


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600):
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """The wheel built from a copy of the sources (the checkout gets no build/ folder), and the
    build's log. Without build isolation, so no index is asked for setuptools."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCE:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, src / name)
    done = _run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-index",
         "--no-build-isolation", "-w", str(tmp / "dist"), str(src)],
        cwd=tmp,
    )  # fmt: skip
    (built,) = (tmp / "dist").glob("bioeco-*.whl")
    return built, done.stdout + done.stderr


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout with the wheel installed (``--no-deps --no-index``);
    the dependencies come from this test's environment through a ``.pth`` line, which adds
    its site-packages to the path without running its ``.pth`` files (so the editable
    install of the checkout stays invisible)."""
    tmp = tmp_path_factory.mktemp("venv")
    env_dir = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], cwd=tmp)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp,
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--no-compile", "-q", str(wheel[0])],
        cwd=tmp,
    )  # fmt: skip
    return env_dir


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIOECO_", "PYTHON"))}
    return {**env, "COLUMNS": "120", **extra}


def test_the_wheel_carries_the_ontology_queries_and_page_assets(wheel):
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    ontology = {p.relative_to(ROOT).as_posix() for p in (ROOT / "ontology").rglob("*.ttl")}
    assert {f"bioeco/{name}" for name in ontology} <= names
    queries = {p.name for p in (ROOT / "graph/bioeco/store/queries").glob("*.rq")}
    assert {f"bioeco/store/queries/{q}" for q in queries} <= names
    assert {"bioeco/viz/viewer.html", "bioeco/viz/viewer.js", "bioeco/viz/viewer.css"} <= names
    assert "cli.py" in names
    commands = {p.name for p in (ROOT / "bioeco_commands").glob("*.py")}
    assert {f"bioeco_commands/{name}" for name in commands} <= names


def test_building_the_wheel_prints_no_packaging_warning(wheel):
    log = wheel[1]
    assert "copying ontology/bioeco.ttl" in log  # the log is the build's (verbose) output
    found = [line for line in log.splitlines() if any(w in line for w in PACKAGING_WARNINGS)]
    assert found == []


def test_the_installed_command_builds_analyses_queries_and_draws_data(venv, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(ROOT / "data", work / "data")
    bioeco = str(venv / "bin" / "bioeco")
    python = str(venv / "bin" / "python")
    env = _clean_env()
    where = _run(
        [python, "-c", "import bioeco, bioeco.core.paths as p; "
         "print(bioeco.__file__); print(p.ONTOLOGY_DIR); print(p.IN_CHECKOUT)"],
        cwd=work, env=env,
    ).stdout.split()  # fmt: skip
    assert Path(where[0]).is_relative_to(venv), where
    assert Path(where[1]) == Path(where[0]).parent / "ontology"
    assert where[2] == "False"

    _run([bioeco, "build", "--data", "data"], cwd=work, env=env)
    assert (work / "out" / "bioeco.trig").is_file()  # out/ of the working directory
    _run([bioeco, "analyze", "all", "--top", "3"], cwd=work, env=env)
    assert (work / "out" / "analysis" / "bridges_pairs.csv").is_file()
    listed = _run([bioeco, "queries"], cwd=work, env=env).stdout
    assert "members-in-year" in listed
    answer = _run(
        [bioeco, "query", "--name", "members-in-year", "--format", "csv"], cwd=work, env=env
    ).stdout
    assert answer.startswith("member,label,label_nb,joined") and len(answer.splitlines()) > 5
    _run([bioeco, "viz", "-o", "viewer.html"], cwd=work, env=env)
    assert "<html" in (work / "viewer.html").read_text()[:500].lower()


def test_a_missing_ontology_is_an_error_of_its_own(venv, tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    done = subprocess.run(
        [str(venv / "bin" / "bioeco"), "build", "--data", "data"],
        cwd=tmp_path,
        env=_clean_env(BIOECO_ONTOLOGY=str(tmp_path / "nowhere")),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"Error: {tmp_path / 'nowhere'}: the ontology is missing (no bioeco.ttl); set "
        "BIOECO_ONTOLOGY to the folder holding bioeco.ttl, shapes.ttl and schemes/, or "
        "reinstall bioeco"
    )
    assert not (tmp_path / "out").exists()
