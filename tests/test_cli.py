"""`nntui run`: summary, JSON document, options, and one clear error line per mistake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment

Cli = Callable[..., tuple[int, str, str]]
WIDE = ["--n1-range", "0,20", "--n2-range", "0,50", "--noise-range", "0,10"]


def nntui(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    return subprocess.run([sys.executable, "-m", "nntui", *args], capture_output=True,
                          text=True, env=env, timeout=120, **kw)


def test_help_and_version() -> None:
    out = nntui("--help")
    assert out.returncode == 0 and "--n1-range" in out.stdout and "run" in out.stdout
    version = nntui("--version")
    assert version.returncode == 0 and version.stdout.startswith("nntui 0.")


def test_json_document_has_the_documented_fields(run_json: Callable[..., dict]) -> None:
    doc = run_json("--epochs", "20", "--set", "w1=0.7,b3=-0.1")
    assert doc["status"] == "ok" and doc["epochs_run"] == 20
    assert len(doc["history"]["train_loss"]) == 20 == len(doc["history"]["test_loss"])
    assert doc["initial_params"]["w1"] == 0.7 and doc["initial_params"]["b3"] == -0.1
    assert doc["initial_params"]["w2"] == -0.3 and set(doc["params"]) == set(
        doc["initial_params"])
    for part in ("train", "test"):
        assert set(doc["metrics"][part]) == {"mse", "mae", "rmse", "r2", "mape"}
    assert doc["data"] == {"n_train": 80, "n_test": 20, "features": ["n1", "n2"],
                           "target": "n3", "dropped_rows": 0}
    assert doc["config"]["lr"] == 0.005 and doc["config"]["epochs"] == 20


def test_json_equals_the_engine(run_json: Callable[..., dict]) -> None:
    doc = run_json("--epochs", "7", "--hidden", "3", "--activation", "tanh", "--init",
                   "normal", "--seed", "4", "--shuffle", "--lr", "0.05")
    exp = Experiment.build(ExperimentConfig(epochs=7, hidden=3, activation="tanh",
                                            init="normal", seed=4, shuffle=True, lr=0.05))
    exp.run()
    assert doc["params"] == exp.trainer.params
    assert doc["history"]["train_loss"] == exp.trainer.train_loss
    assert doc["metrics"]["train"]["mse"] == pytest.approx(exp.trainer.train_loss[-1])


def test_summary_shows_weights_table(cli: Cli) -> None:
    code, out, _ = cli("run", "--epochs", "5")
    assert code == 0
    assert "new weights and biases" in out and "status: ok, 5 epochs" in out
    line = next(row for row in out.splitlines() if row.strip().startswith("w1"))
    assert line.split()[1] == "0.5"  # the notebook preset's initial w1
    assert "R²" in out and "MAPE" in out


def test_lr_1_on_wide_data_diverges_quietly() -> None:
    out = nntui("run", "--json", "--lr", "1", *WIDE)
    assert out.returncode == 0 and out.stderr == ""
    doc = json.loads(out.stdout)
    assert doc["status"] == "diverged" and doc["diverged_at_epoch"] >= 1
    assert all(isinstance(v, float) for v in doc["params"].values())
    text = nntui("run", "--lr", "1", *WIDE)
    assert text.returncode == 0 and text.stderr == "" and "DIVERGED" in text.stdout


def test_csv_run_with_categoricals(cli: Cli, insurance_csv: Path) -> None:
    code, out, err = cli("run", "--json", "--csv", str(insurance_csv), "--features",
                         "age,bmi,smoker", "--target", "charges", "--epochs", "3")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["data"]["dropped_rows"] == 1 and doc["data"]["features"] == [
        "age", "bmi", "smoker"]
    assert doc["data"]["n_train"] + doc["data"]["n_test"] == 11


def test_config_file_and_flags_precedence(cli: Cli, tmp_path: Path,
                                          run_json: Callable[..., dict]) -> None:
    cfg = tmp_path / "exp.toml"
    cfg.write_text('lr = 0.01\nepochs = 4\nn1-range = [0, 20]\nset = { w1 = 0.25 }\n')
    doc = run_json("--config", str(cfg), "--epochs", "2")
    assert doc["config"]["lr"] == 0.01 and doc["epochs_run"] == 2
    assert doc["config"]["n1-range"] == [0, 20] and doc["initial_params"]["w1"] == 0.25
    saved = tmp_path / "saved.toml"
    run_json("--config", str(cfg), "--save-config", str(saved))
    again = run_json("--config", str(saved))
    assert again["config"] == run_json("--config", str(cfg))["config"]


BAD = [
    (["--csv", "{tmp}/missing.csv"], "not found"),
    (["--csv", "{tmp}"], "directory"),
    (["--csv", "{tmp}/empty.csv"], "empty"),
    (["--csv", "{tmp}/binary.csv"], "binary"),
    (["--csv", "{ins}", "--features", "age,nope", "--target", "charges"], "unknown column"),
    (["--csv", "{ins}", "--features", "age", "--target", "region"], "is text"),
    (["--csv", "{tmp}/holes.csv", "--target", "b"], "no usable rows"),
    (["--lr", "0"], "--lr must be above 0"),
    (["--lr", "abc"], "'abc' is not a number"),
    (["--lr", "nan"], "not a finite number"),
    (["--epochs", "-3"], "--epochs must be between"),
    (["--epochs", "2.5"], "not a whole number"),
    (["--test-size", "1.5"], "--test-size must be in [0, 1)"),
    (["--config", "{tmp}/malformed.toml"], "not valid TOML"),
    (["--config", "{tmp}/unknown.toml"], "unknown key 'learning-rate'"),
    (["--config", "{tmp}/badvalue.toml"], "--lr"),
    (["--set", "w99=1"], "no parameter 'w99'"),
    (["--set", "w1"], "expected NAME=VALUE"),
    (["--n1-range", "5,1"], "LO must be below HI"),
    (["--activation", "softmax"], "not one of"),
    (["--dataset", "csv"], "needs --csv"),
    (["--bogus"], "unrecognized arguments"),
    (["--rows", "1"], "between 2 and"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_error_line(cli: Cli, tmp_path: Path, insurance_csv: Path,
                                     args: list[str], message: str) -> None:
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "holes.csv").write_text("a,b\n1,\n,2\n")
    (tmp_path / "malformed.toml").write_text("lr = = 3\n")
    (tmp_path / "unknown.toml").write_text("learning-rate = 0.1\n")
    (tmp_path / "badvalue.toml").write_text('lr = "fast"\n')
    argv = [a.format(tmp=tmp_path, ins=insurance_csv) for a in args]
    code, out, err = cli("run", *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nntui: error: "), err
    assert message in lines[0]


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    out = nntui("run", "--csv", str(tmp_path / "nope.csv"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.startswith("nntui: error: CSV file not found")
    app = nntui("--lr", "abc")  # the app's options fail the same way, before any UI
    assert app.returncode == 2 and app.stderr.startswith("nntui: error: --lr: 'abc'")
