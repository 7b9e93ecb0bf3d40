"""A wheel of nntui works wherever pip puts it (issue 13): built, installed with
`pip install --user` into a fresh environment, and run from an unrelated folder.

Offline and quick: the wheel is built without build isolation from a copy of the sources
(the checkout is never written to); the fresh venv gets its dependencies from this
project's venv through a .pth line (its packages, not its editable nntui: .pth files of a
folder added that way are not read), and pip runs with no index, no cache and no config.
"""

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
#: What a source distribution holds: the package and the files the build reads.
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")


def pip_env(**extra: str) -> dict[str, str]:
    """The environment without any pip setting of this machine (index, find-links, cache)
    or of the project's venv, so that the result does not depend on them."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_NO_CACHE_DIR="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def run(argv: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, (argv, done.stdout, done.stderr)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel, and everything the build printed."""
    work = tmp_path_factory.mktemp("build")
    src = work / "src"
    shutil.copytree(ROOT / "nntui", src / "nntui", ignore=shutil.ignore_patterns(
        "__pycache__", "*.so", "*.pyd"))
    for name in SOURCES:
        shutil.copy2(ROOT / name, src / name)
    log = run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps",
               "--no-build-isolation", "-w", work / "dist", src], work, pip_env())
    wheels = list((work / "dist").glob("nntui-*.whl"))
    assert len(wheels) == 1, log
    return wheels[0], log


def test_the_wheel_builds_without_warnings_and_ships_presets_and_license(
        built: tuple[Path, str]) -> None:
    wheel, log = built
    warnings = [line for line in log.splitlines()
                if "warning" in line.lower() or "deprecat" in line.lower()]
    assert warnings == []
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read("nntui-0.1.0.dist-info/METADATA").decode()
    assert {"nntui/presets/lr-sweep.toml", "nntui/presets/__init__.py",
            "nntui/ui/app.tcss", "nntui-0.1.0.dist-info/licenses/LICENSE"} <= names
    assert not [n for n in names if ".data/" in n]  # nothing outside the package
    assert "License-Expression: MIT" in metadata


def test_a_user_install_runs_a_ready_sweep_from_any_folder(
        built: tuple[Path, str], tmp_path: Path) -> None:
    wheel, _ = built
    venv = tmp_path / "venv"  # system site on: a venv otherwise disables --user installs
    run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", venv],
        tmp_path, pip_env())
    python = venv / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                    tmp_path, pip_env()).strip())
    (site / "project-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    home = tmp_path / "home"
    userbase = home / ".local"
    env = pip_env(HOME=str(home), PYTHONUSERBASE=str(userbase),
                  XDG_DATA_HOME=str(home / "data"), XDG_STATE_HOME=str(home / "state"),
                  XDG_CONFIG_HOME=str(home / "config"))
    # --ignore-installed: pip sees this project's editable nntui through the .pth and must
    # neither skip the install nor touch that one.
    run([python, "-m", "pip", "install", "--user", "--no-deps", "--ignore-installed", wheel],
        tmp_path, env)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run([python, "-c", "import nntui.lab.config as c; print(c.presets()['lr-sweep'])"],
                elsewhere, env)
    assert where.strip().startswith(str(userbase))  # the installed copy, not the checkout
    out = run([userbase / "bin" / "nntui", "sweep", "--config", "lr-sweep", "--no-save",
               "--epochs", "5"], elsewhere, env)
    table = [line.split()[0] for line in out.splitlines() if line[:1].isdigit()]
    assert table == ["5e-05", "0.005", "0.01", "0.1", "1"], out
    out = run([userbase / "bin" / "nntui", "presets"], elsewhere, env)
    assert "lr-sweep" in out and "wide-range-lr1" in out
    assert list(elsewhere.iterdir()) == [] and not (home / "data").exists()
