"""Shared fixtures: small CSV files and a helper that runs the CLI in-process."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from nntui.cli import main

# Every property test draws the same examples on every run (and keeps no example
# database): the suite is deterministic, and a failure can be repeated exactly.
settings.register_profile("nntui", derandomize=True, database=None, deadline=None)
settings.load_profile("nntui")

INSURANCE_LIKE = """age,sex,bmi,children,smoker,region,charges
19,female,27.9,0,yes,southwest,16884.92
18,male,33.77,1,no,southeast,1725.55
28,male,33.0,3,no,southeast,4449.46
33,male,22.705,0,no,northwest,21984.47
32,male,28.88,0,no,northwest,3866.86
31,female,25.74,0,no,southeast,3756.62
46,female,,1,no,southeast,8240.59
37,female,27.74,3,no,northwest,7281.51
37,male,29.83,2,no,northeast,6406.41
60,female,25.84,0,no,northwest,28923.14
25,male,26.22,0,no,northeast,2721.32
62,female,26.29,0,yes,southeast,27808.73
"""


@pytest.fixture(autouse=True)
def private_data_home(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs (XDG_DATA_HOME) and preferences (XDG_CONFIG_HOME): never the real ones."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))  # preferences
    # Relative paths a test types (a file dialog, a fuzzed -o) land in a scratch folder,
    # never in the checkout.
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    return home


@pytest.fixture
def insurance_csv(tmp_path: Path) -> Path:
    path = tmp_path / "insurance.csv"
    path.write_text(INSURANCE_LIKE)
    return path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `nntui ARGS` in-process; return (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_json(cli: Callable[..., tuple[int, str, str]]) -> Callable[..., dict]:
    """`nntui run --json ARGS`, asserting success, parsed."""

    def run(*args: str) -> dict:
        code, out, err = cli("run", "--json", *args)
        assert code == 0, err
        return json.loads(out)

    return run


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (no pytest-asyncio dependency needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True
