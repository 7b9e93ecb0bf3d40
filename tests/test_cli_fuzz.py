"""Random argument lists never break the command line (issue 9): every subcommand, every
option of the registry and the subcommands' own, with garbage, unicode, empty, huge and
negative values, `--` and missing values. The outcome is always status 0 or 2, never an
exception other than SystemExit, and a refusal is exactly one `nntui: error:` line (after
a sweep's progress lines or a skipped file's warning, if any).

The work a valid list asks for is bounded: epochs, rows, hidden units and steps come from
small values (or refused ones), and `--epochs 1 --rows 20` is added when absent. Paths that
are written to come from a fixed set inside a private folder, which is also the current
folder, so nothing outside it can be touched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nntui.lab.config import OPTIONS

Cli = Callable[..., tuple[int, str, str]]
SANDBOX = Path(os.environ.get("PYTEST_XDIST_WORKER", "main"))  # set up per test below

ODD = ["", " ", "-", "--", "0", "-1", "-0", "1", "2", "1e308", "-1e308", "1e999", "nan",
       "inf", "-inf", "1e12", "1e13", "99999999999999999999", "0.5", "1.5", "0,0", "1,0",
       "0,5", "-5,5", "0,5;0,20", "0,1e300", "a,b", ",", ";", ",,", "w1=1", "w1=", "=",
       "w1=1,b3=x", "w9=1", "x=1", "\x00", "\x1b[2J", "é", "日本語", "[/]", "'", '"', "\\",
       "relu", "tanh", "he", "csv", "diabetes", "generated", "none", "on", "off", "last",
       "md", "json", "bmi,bp", "age", "charges", "a", "c", "True", "1_000", "0x10", " 3 "]
SMALL = st.one_of(st.integers(-3, 30).map(str), st.sampled_from(ODD))


def paths(sandbox: Path) -> list[str]:
    return [str(sandbox / "table.csv"), str(sandbox / "missing.csv"), str(sandbox),
            str(sandbox / "out.toml"), str(sandbox / "exp.toml"), "lr-sweep", "", "-",
            "bad\x00name", str(sandbox / "results"), str(sandbox / "file" / "x"),
            str(sandbox / "fresh" / "report.md"), "exp.toml", "table.csv", "é.toml"]


EXTRA_VALID = {"features": ["a,b", "a", "bmi,bp", "b"], "target": ["c", "b", "progression"],
               "set": ["w1=0.5", "b3=-0.1,w2=2"], "csv": ["table.csv"]}


def valid_values(flag: str) -> st.SearchStrategy[str]:
    """Good values of a registry option, one or (for sweeps) several joined as it says."""
    opt = OPTIONS[flag.removeprefix("--").replace("-", "_")]
    good = [opt.format(v) for v in opt.sweep_values] + list(opt.choices) + \
        EXTRA_VALID.get(opt.key, [])
    if opt.key in ("epochs", "rows", "hidden", "batch_size"):
        good = ["1", "2", "3", "5"]
    if not good:
        return st.sampled_from(ODD)
    return st.lists(st.sampled_from(good), min_size=1, max_size=3).map(
        opt.sweep_separator.join)


def value_strategy(flag: str, sandbox: Path) -> st.SearchStrategy[str]:
    """Values for one flag: free text where nothing is written, a fixed set where it is;
    about half of the registry options' values are good ones, so runs get deep."""
    if flag in ("--save-config", "--results", "-o", "--output", "--config"):
        return st.sampled_from(paths(sandbox))
    if flag == "--workers":
        return st.sampled_from(["x", "", "0", "-1", "1", "1e9", "33", "1.5", "１"])
    if flag in ("--steps", "--sample"):
        return SMALL
    if flag == "--csv":
        return st.one_of(st.sampled_from(paths(sandbox)), valid_values(flag))
    garbage = SMALL if flag in ("--epochs", "--rows", "--hidden", "--batch-size") else \
        st.one_of(st.sampled_from(ODD), st.text(max_size=12),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.integers(-10**20, 10**20).map(str))
    if flag.removeprefix("--").replace("-", "_") in OPTIONS:
        return st.one_of(valid_values(flag), garbage)
    return garbage


COMMON = [opt.flag for opt in OPTIONS.values()] + [
    "--no-shuffle", "--config", "--save-config", "--results", "--no-save"]
OWN = {
    "run": ["--json"],
    "step": ["--sample", "--steps", "--markdown", "--json"],
    "sweep": ["--json", "--plot", "--log", "--workers"],
    "compare-sklearn": ["--json", "--log"],
    "runs": ["--results"],
    "export": ["--format", "-o", "--output", "--results"],
}
SWITCHES = {"--json", "--plot", "--log", "--markdown", "--no-save", "--shuffle",
            "--no-shuffle"}


@st.composite
def argument_lists(draw: st.DrawFn, sandbox: Path) -> list[str]:
    command = draw(st.sampled_from(list(OWN)))
    flags = OWN[command] + (COMMON if command not in ("runs", "export") else [])
    argv = [command]
    clean = draw(st.booleans())  # good values only: the list gets past parsing, deep
    for _ in range(draw(st.integers(0, 6))):
        kind = 9 if clean else draw(st.integers(0, 9))
        if kind == 0:  # a stray token: `--`, an id, garbage
            argv.append(draw(st.one_of(st.sampled_from(ODD), st.text(max_size=8))))
            continue
        flag = draw(st.sampled_from(flags))
        argv.append(flag)
        if flag not in SWITCHES and kind != 1:  # kind 1: the value is missing
            good = clean and flag.removeprefix("--").replace("-", "_") in OPTIONS
            argv.append(draw(valid_values(flag) if good else value_strategy(flag, sandbox)))
    if command not in ("runs", "export"):  # bound the work of a list that is valid
        for flag, value in (("--epochs", "1"), ("--rows", "20"), ("--workers", "1")):
            if flag not in argv and (flag != "--workers" or command == "sweep"):
                argv += [flag, value]
        if "--results" not in argv and "--no-save" not in argv:
            argv.append("--no-save")
    return argv


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "table.csv").write_text("a,b,c\n" + "".join(
        f"{i},{i % 3},{i * 0.5}\n" for i in range(30)))
    (folder / "exp.toml").write_text('lr = 0.01\nepochs = 2\nn1-range = [0, 9]\n')
    (folder / "file").write_text("")
    return folder


def check(code: int, err: str, argv: list[str]) -> None:
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    lines = err.splitlines()
    errors = [line for line in lines if line.startswith("nntui: error: ")]
    others = [line for line in lines if not line.startswith(("nntui: error: ",
                                                             "nntui: warning: ",
                                                             "finished "))]
    assert others == [], (argv, err)
    if code == 2:
        assert errors == [lines[-1]], (argv, err)
    else:
        assert errors == [], (argv, err)


def test_random_argument_lists(cli: Cli, sandbox: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(sandbox)

    @settings(max_examples=400, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(argument_lists(sandbox))
    def each(argv: list[str]) -> None:
        code, _, err = cli(*argv)
        event(f"{argv[0]}: status {code}")
        check(code, err, argv)

    each()
