"""Sweeps, saved runs, exports, presets and the framework check on the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nntui.lab.config import ExperimentConfig, load_toml, presets, save_toml
from nntui.lab.runs import RunStore

Cli = Callable[..., tuple[int, str, str]]
WIDE = ["--n1-range", "0,20", "--n2-range", "0,50", "--noise-range", "0,10"]


def test_each_sweep_run_equals_the_single_run(run_json: Callable[..., dict], cli: Cli,
                                              tmp_path: Path) -> None:
    code, out, err = cli("sweep", "--json", "--lr", "0.005,0.1", "--init", "notebook,large",
                         "--epochs", "15", "--results", str(tmp_path))
    assert code == 0, err
    runs = json.loads(out)["runs"]
    grid = [(lr, init) for lr in ("0.005", "0.1") for init in ("notebook", "large")]
    assert len(runs) == 4
    for run, (lr, init) in zip(runs, grid):
        single = run_json("--lr", lr, "--init", init, "--epochs", "15", "--no-save")
        assert run == single
    assert len(RunStore(tmp_path).load()) == 4


def test_diverged_run_does_not_stop_a_sweep_and_ranges_use_semicolons(cli: Cli) -> None:
    code, out, _ = cli("sweep", "--json", "--no-save", "--lr", "0.01,1", "--epochs", "30",
                       "--n1-range", "0,5;0,20", "--n2-range", "0,50", "--noise-range", "0,10")
    assert code == 0
    runs = json.loads(out)["runs"]
    assert [r["config"]["n1-range"] for r in runs] == [[0, 5], [0, 20], [0, 5], [0, 20]]
    assert {r["status"] for r in runs} == {"ok", "diverged"}


def test_sweep_table_and_plot(cli: Cli) -> None:
    code, out, err = cli("sweep", "--no-save", "--hidden", "1,3", "--epochs", "10", "--plot")
    assert code == 0 and "finished 2/2" in err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["hidden", "status", "epochs"]
    assert lines[1].startswith("1 ") and lines[2].startswith("3 ")
    assert "hidden=1" in out and "loss (MSE, scaled) per epoch" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--lr", "0.01"], "nothing to sweep"),
    (["--lr", "0.01,abc"], "'abc' is not a number"),
    (["--lr", "0.01,0"], "--lr must be above 0"),
])
def test_sweep_errors(cli: Cli, args: list[str], message: str) -> None:
    code, out, err = cli("sweep", "--no-save", *args)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def sweep_process(results: Path) -> subprocess.Popen[str]:
    lrs = ",".join(str(0.001 * (i + 1)) for i in range(16))
    return subprocess.Popen(
        [sys.executable, "-m", "nntui", "sweep", "--lr", lrs, "--rows", "1338",
         "--epochs", "300", "--results", str(results)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def wait_for_runs(results: Path, count: int, proc: subprocess.Popen[str]) -> None:
    """Read the sweep's progress lines ("finished i/N", printed after each save)."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith(f"finished {count}/"):
            assert len(list(results.glob("run-*.json"))) >= count
            return
    raise AssertionError("the sweep ended before it could be killed")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP])
def test_killed_sweep_leaves_only_complete_runs(tmp_path: Path, sig: signal.Signals) -> None:
    proc = sweep_process(tmp_path)
    try:
        wait_for_runs(tmp_path, 2, proc)
        os.killpg(proc.pid, sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    files = sorted(p for p in tmp_path.iterdir() if p.is_file())
    assert len(files) >= 2
    for path in files:
        doc = json.loads(path.read_text())  # every file is a whole run
        assert path.name.startswith("run-") and doc["status"] == "ok"
        assert len(doc["history"]["train_loss"]) == 300
    assert len(RunStore(tmp_path).load()) == len(files) < 16
    if sig == signal.SIGHUP:
        assert proc.returncode == 128 + signal.SIGHUP
        assert not list((tmp_path / ".partial").glob("*"))


def test_run_saves_and_runs_lists_and_exports(cli: Cli, tmp_path: Path) -> None:
    res = ["--results", str(tmp_path)]
    code, out, _ = cli("run", "--epochs", "5", *res)
    assert code == 0 and "saved as" in out
    cli("run", "--epochs", "5", "--lr", "0.05", *res)
    code, out, _ = cli("runs", *res)
    assert code == 0 and "2 run(s)" in out and "lr 0.005→0.05" in out
    ids = [r.id for r in RunStore(tmp_path).load()]
    code, out, _ = cli("export", *ids, "--format", "csv", *res)
    rows = out.strip().splitlines()
    assert code == 0 and len(rows) == 6 and rows[0].count(",") == 4
    code, out, _ = cli("export", ids[0], "last", "--format", "json", *res)
    assert [r["run"]["id"] for r in json.loads(out)["runs"]] == ids
    report = tmp_path / "report.md"
    code, out, _ = cli("export", *ids, "--format", "md", "-o", str(report), *res)
    text = report.read_text()
    assert code == 0 and "## Weights and biases" in text and "lr=0.05" in text
    assert "| w1 |" in text and "```" in text and "per epoch" in text
    code, _, err = cli("export", "nope", *res)
    assert code == 2 and "no run matching 'nope'" in err


def test_results_dir_that_is_a_file(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = cli("run", "--epochs", "2", "--results", str(blocker))
    assert code == 2 and "nntui: error: cannot use results directory" in err


@pytest.mark.parametrize("dataset", ["generated", "diabetes"])
def test_framework_check_agrees(cli: Cli, dataset: str) -> None:
    code, out, err = cli("compare-sklearn", "--json", "--dataset", dataset, "--epochs", "5",
                         "--lr", "0.01")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["largest_weight_difference"] < 1e-9 and doc["largest_loss_difference"] < 1e-9
    assert len(doc["nntui"]["train_loss"]) == len(doc["sklearn"]["train_loss"]) == 5


def test_framework_check_text_and_shuffle_refused(cli: Cli) -> None:
    code, out, _ = cli("compare-sklearn", "--epochs", "3")
    assert code == 0 and "largest weight difference" in out and "scikit-learn" in out
    code, _, err = cli("compare-sklearn", "--shuffle")
    assert code == 2 and "--no-shuffle" in err


def test_presets_load_run_and_round_trip(cli: Cli, tmp_path: Path) -> None:
    names = set(presets())
    assert {"lr-sweep", "init-sweep", "rows-sweep", "wide-range", "diabetes"} <= names
    for name, path in presets().items():
        cfg = load_toml(str(path))
        again = tmp_path / f"{name}.toml"
        save_toml(cfg, str(again))
        assert load_toml(str(again)) == cfg
        code, _, err = cli("run", "--config", name, "--epochs", "2", "--no-save")
        assert code == 0, (name, err)
    assert load_toml("wide-range").n1_range == (0, 20)
    assert load_toml("diabetes").dataset == "diabetes"
    assert load_toml("lr-sweep") == ExperimentConfig(lr=0.005, epochs=300)


def test_sweep_from_a_preset(cli: Cli) -> None:
    code, out, _ = cli("sweep", "--config", "init-sweep", "--epochs", "3", "--json",
                       "--no-save")
    assert code == 0
    assert [r["config"]["init"] for r in json.loads(out)["runs"]] == [
        "large", "small", "ones", "normal"]


def test_bad_sweep_table_in_toml(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[sweep]\nlr = 0.1\n")
    code, _, err = cli("run", "--config", str(bad))
    assert code == 2 and "sweep.lr must be a non-empty list" in err
