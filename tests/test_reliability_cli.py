"""What a student types or feeds the command line never breaks it (issue 9: C, D, G, H, 5, 6,
12): limits with the limit in the message, damaged inputs, streams, a results folder that
cannot be written, bad values of every subcommand's own options, no terminal."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import pty
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from nntui.errors import UserError
from nntui.lab.config import OPTIONS, ExperimentConfig
from nntui.lab.runs import RunStore
from nntui.lab.session import Session

Cli = Callable[..., tuple[int, str, str]]
TABLE = "a,b,c\n" + "".join(f"{i},{i % 7},{2 * i + 1}\n" for i in range(2000))


def one_error(code: int, out: str, err: str) -> str:
    """The single `nntui: error:` line of a refused command."""
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("nntui: error: "), err
    return lines[0]


def nntui(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nntui", *args], capture_output=True,
                          text=True, timeout=120, **kw)


# -- C. limits --------------------------------------------------------------------------------
LIMITS = [
    (["--n1-range", "0,100000000000000000000"], "the limit is ±1e+12"),
    (["--noise-range=-1e308,1e308"], "the limit is ±1e+12"),
    (["--init", "uniform", "--sigma", "1e308"], "the limit is ±1e+12"),
    (["--rows", "100000000000"], "between 2 and 1000000"),
    (["--rows", "2000000"], "between 2 and 1000000"),  # 10M rows x 64 units: gigabytes
    (["--set", "w1=1e300"], "the limit is ±1e+12"),
]


@pytest.mark.parametrize(("args", "message"), LIMITS, ids=[" ".join(a) for a, _ in LIMITS])
def test_limits_on_the_command_line(cli: Cli, args: list[str], message: str) -> None:
    assert message in one_error(*cli("run", "--no-save", "--epochs", "1", *args))


@pytest.mark.parametrize(("toml", "message"), [
    ("n1-range = [0, 1e300]", "the limit is ±1e+12"),
    ("n2-range = [0, 9223372036854775807]", "the limit is ±1e+12"),
    ("rows = 1e300", "the limit is ±1e+12"),
    ("rows = 5000000", "between 2 and 1000000"),
    ("noise-range = [-1e308, 1e308]", "the limit is ±1e+12"),
])
def test_limits_in_a_toml_file(cli: Cli, tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "big.toml"
    path.write_text(toml + "\n")
    assert message in one_error(*cli("run", "--no-save", "--epochs", "1", "--config",
                                     str(path)))


def test_limits_in_the_app_fields(tmp_path: Path) -> None:
    """The sidebar's fields parse through the same options (Session.propose)."""
    session = Session(ExperimentConfig(epochs=1))
    for key, text, message in [("n1_range", "0,100000000000000000000", r"±1e\+12"),
                               ("noise_range", "-1e308,1e308", r"±1e\+12"),
                               ("sigma", "1e308", r"±1e\+12"), ("rows", "2000000", "1000000")]:
        with pytest.raises(UserError, match=message):
            session.propose(key, text)
    assert OPTIONS["noise_range"].parse("0,0") == (0.0, 0.0)


def test_a_value_starting_with_a_dash_gets_a_hint(cli: Cli) -> None:
    line = one_error(*cli("run", "--noise-range", "-1,1"))
    assert "write --noise-range=VALUE" in line


# -- D. damaged inputs ------------------------------------------------------------------------
def test_deeply_nested_toml_and_unknown_sweep_key(cli: Cli, tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n")
    assert "nested too deeply" in one_error(*cli("run", "--config", str(deep)))
    bogus = tmp_path / "bogus.toml"
    bogus.write_text("[sweep]\nbogus = [1, 2]\n")
    assert "unknown option 'bogus'" in one_error(*cli("sweep", "--config", str(bogus)))


def test_a_sweep_whose_every_run_fails(cli: Cli) -> None:
    code, out, err = cli("sweep", "--no-save", "--lr", "0.01,0.02", "--epochs", "2",
                         "--set", "w99=1")
    assert code == 2 and out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert lines[-1].startswith("nntui: error: all 2 runs: --set w99")
    assert sum(line.startswith("nntui: error:") for line in lines) == 1
    code, out, err = cli("sweep", "--no-save", "--json", "--lr", "0.01,0.02", "--csv", "no.csv")
    assert json.loads(out) == {"runs": []} and "CSV file not found" in one_error(code, "", err)


def compressed(kind: str, text: bytes) -> bytes:
    if kind == "gzip":
        return gzip.compress(text)
    if kind == "bz2":
        return bz2.compress(text)
    if kind == "xz":
        return lzma.compress(text)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("table.csv", text)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["x.zip", "x.xz", "x.zst", "x.tar.gz", "x.gz", "x.bz2"])
def test_plain_text_with_a_compression_name_is_read_as_text(run_json: Callable[..., dict],
                                                             tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(TABLE)
    doc = run_json("--no-save", "--epochs", "1", "--csv", str(path))
    assert doc["data"]["features"] == ["a", "b"] and doc["data"]["n_train"] == 1600


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz", "zip"])
def test_compression_is_told_by_content(run_json: Callable[..., dict], tmp_path: Path,
                                        kind: str) -> None:
    path = tmp_path / "table.csv"  # the name says nothing
    path.write_bytes(compressed(kind, TABLE.encode()))
    doc = run_json("--no-save", "--epochs", "1", "--csv", str(path))
    assert doc["data"]["target"] == "c" and doc["data"]["n_test"] == 400


def test_archives_and_broken_compression_are_clear_errors(cli: Cli, tmp_path: Path) -> None:
    tar = tmp_path / "t.tar.gz"
    with tarfile.open(tar, "w:gz") as archive:
        (tmp_path / "t.csv").write_text(TABLE)
        archive.add(tmp_path / "t.csv", arcname="t.csv")
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(TABLE.encode())[:40])
    zstd = tmp_path / "z.csv.zst"
    zstd.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 20)
    for path, message in [(tar, "is a tar archive"), (cut, "cannot be unpacked"),
                          (zstd, "zstd-compressed, which nntui cannot read")]:
        assert message in one_error(*cli("run", "--no-save", "--csv", str(path)))


# -- G. streams -------------------------------------------------------------------------------
def test_csv_from_a_stream_keeps_its_header_and_every_row() -> None:
    done = nntui("run", "--json", "--no-save", "--epochs", "1", "--csv", "/dev/stdin",
                 input=TABLE)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)["data"]
    assert data["features"] == ["a", "b"] and data["n_train"] + data["n_test"] == 2000


def test_an_endless_stream_stops_at_the_limit() -> None:
    yes = subprocess.Popen(["yes", "1,2,3"], stdout=subprocess.PIPE)
    try:
        done = subprocess.run([sys.executable, "-m", "nntui", "run", "--no-save", "--csv",
                               "/dev/stdin"], stdin=yes.stdout, capture_output=True,
                              text=True, timeout=120)
    finally:
        yes.kill()
        yes.wait()
    assert "larger than 100 MB" in one_error(done.returncode, done.stdout, done.stderr)


def test_a_sweep_refuses_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    done = nntui("sweep", "--no-save", "--lr", "0.1,0.2", "--csv", str(fifo))
    line = one_error(done.returncode, done.stdout, done.stderr)
    assert "is not a regular file, and each run of a sweep reads it again" in line


# -- H. a results folder that cannot be written ------------------------------------------------
def test_an_unusable_results_folder_fails_before_training(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nntui.lab.experiment import Experiment

    def never(self: Experiment) -> str:
        raise AssertionError("trained although the run could not be saved")

    monkeypatch.setattr(Experiment, "run", never)
    (tmp_path / "file").write_text("")
    for command in (["run"], ["sweep", "--workers", "1", "--lr", "0.1,0.2"]):
        line = one_error(*cli(*command, "--results", str(tmp_path / "file" / "runs")))
        assert "cannot use results directory" in line


@pytest.mark.parametrize("json_flag", [[], ["--json", "--save"]])  # --json alone saves nothing
def test_a_failed_save_still_prints_the_result(cli: Cli, tmp_path: Path, json_flag: list[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kw: object) -> None:
        raise UserError("cannot write run-x.json: No space left on device")

    monkeypatch.setattr(RunStore, "save", full)
    code, out, err = cli("run", *json_flag, "--epochs", "3", "--results", str(tmp_path))
    line = one_error(code, out, err)
    assert "No space left on device" in line and "the result above was not saved" in line
    if json_flag:
        assert json.loads(out)["epochs_run"] == 3
    else:
        assert "status: ok, 3 epochs" in out
    code, out, err = cli("sweep", "--workers", "1", "--lr", "0.1,0.2", "--epochs", "2",
                         "--results", str(tmp_path))
    assert code == 2 and "0.1" in out and "0 run(s) saved" in out
    assert err.splitlines()[-1] == ("nntui: error: all 2 runs: not saved: cannot write "
                                    "run-x.json: No space left on device")


# -- 5. every option of every subcommand -------------------------------------------------------
OWN_OPTIONS = [
    (["sweep", "--lr", "0.1,0.2", "--workers", "x"], "--workers: 'x' is not a whole number"),
    (["sweep", "--lr", "0.1,0.2", "--workers", "0"], "--workers must be between 1 and 32"),
    (["sweep", "--lr", "0.1,0.2", "--workers", "1e9"], "--workers must be between 1 and 32"),
    (["step", "--sample", "x"], "--sample: 'x' is not a whole number"),
    (["step", "--sample", "1e99"], "the limit is"),
    (["step", "--sample", "-1"], "out of range"),
    (["step", "--steps", ""], "--steps: '' is not a whole number"),
    (["step", "--steps", "0"], "--steps must be between 1 and 10000"),
    (["export", "--format", "xml"], "invalid choice: 'xml'"),
    (["export", "no-such-run"], "no run matching 'no-such-run'"),
    (["export", "-o"], "expected one argument"),
    (["runs", "--results"], "expected one argument"),
    (["compare-sklearn", "--log", "x"], "unrecognized arguments: x"),
]


@pytest.mark.parametrize(("args", "message"), OWN_OPTIONS,
                         ids=[" ".join(a) for a, _ in OWN_OPTIONS])
def test_subcommand_options_fail_in_one_line(cli: Cli, tmp_path: Path, args: list[str],
                                             message: str) -> None:
    results = [] if "--results" in args else ["--results", str(tmp_path)]
    if args[0] in ("runs", "export") and "--results" not in args:
        args = [*args, *results]
    elif args[0] not in ("runs", "export"):
        args = [*args, "--no-save"]
    assert message in one_error(*cli(*args))


# -- 6. no terminal ----------------------------------------------------------------------------
NO_TERMINAL = ("nntui: error: the app needs a terminal; use nntui run ... for headless "
               "output\n")


def test_the_app_without_a_terminal_says_so() -> None:
    done = subprocess.run([sys.executable, "-m", "nntui", "--epochs", "3"], input="",
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", NO_TERMINAL)


def test_the_app_on_a_dumb_terminal_says_so() -> None:
    main, child = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "nntui"], stdin=child, stdout=child,
                              stderr=subprocess.PIPE, text=True, timeout=60,
                              env={**os.environ, "TERM": "dumb"})
    finally:
        os.close(child)
        os.close(main)
    assert (done.returncode, done.stderr) == (2, NO_TERMINAL)


# -- 12. no noise --------------------------------------------------------------------------------
def test_no_noise_is_a_point_range(run_json: Callable[..., dict], cli: Cli) -> None:
    doc = run_json("--no-save", "--epochs", "1", "--noise-range", "0,0", "--test-size", "0")
    assert doc["config"]["noise-range"] == [0.0, 0.0]
    assert "LO must be below HI" in one_error(*cli("run", "--n1-range", "3,3"))
    assert "LO must be at most HI" in one_error(*cli("run", "--noise-range", "2,1"))


# -- user text never reaches the terminal as escape sequences (the CLI side of A) ------------
def test_escape_sequences_in_user_text_are_shown_escaped(cli: Cli, tmp_path: Path) -> None:
    table = tmp_path / "esc.csv"
    table.write_text("age\x1b[2J,charges\n1,2\n3,4\n5,7\n")
    results = ["--results", str(tmp_path / "runs")]
    for command in (["run"], ["step"], ["sweep", "--workers", "1", "--lr", "0.1,0.2"]):
        code, out, err = cli(*command, "--epochs", "1", "--csv", str(table), *results)
        assert code == 0 and "\x1b" not in out + err, (command, err)
        assert "age\\x1b[2J" in out or command[0] == "sweep"  # a sweep shows no columns
    ids = [r.id for r in RunStore(tmp_path / "runs").load()]
    code, out, _ = cli("export", *ids, "--format", "md", *results)
    assert code == 0 and "\x1b" not in out
    code, out, _ = cli("runs", *results)
    assert code == 0 and "\x1b" not in out
    code, _, err = cli("run", "--target", "x\x1b[31m\ny", "--csv", str(table))
    assert "'x\\x1b[31m\\ny'" in one_error(code, "", err)
