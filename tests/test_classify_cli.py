"""Classification and the optimizers end to end: CLI, data, run documents, presets, text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nntui.lab.config import ExperimentConfig, load_toml, presets, read_toml
from nntui.lab.conventions import conventions
from nntui.lab.experiment import Experiment, load_table
from nntui.lab.framework import train_sklearn
from nntui.lab.rundoc import RunFileError, validate_document
from nntui.lab.sweep import grid
from nntui.lab.worked import worked_step
from nntui.lab.worked_text import to_json, to_text

Cli = Callable[..., tuple[int, str, str]]


def test_run_json_of_a_classification(run_json: Callable[..., dict]) -> None:
    doc = run_json("--task", "classify", "--dataset", "blobs", "--epochs", "20",
                   "--optimizer", "momentum", "--l2", "0.01", "--no-save")
    assert doc["schema"] == 3 and doc["task"] == "classify"
    assert doc["training"] == {"path": "python",
                               "kernel_note": doc["training"]["kernel_note"]}
    assert "plain SGD on regression only" in doc["training"]["kernel_note"]
    assert doc["data"]["classes"] == ["0", "1"] and doc["data"]["target"] == "class"
    for part in ("train", "test"):
        m = doc["metrics"][part]
        c = m["confusion"]
        assert sum(c.values()) == doc["data"][f"n_{part}"]
        assert m["accuracy"] == (c["tn"] + c["tp"]) / sum(c.values())
        assert m["r2"] is None and m["mape"] is None
    assert doc["metrics"]["test"]["log_loss"] == doc["history"]["test_loss"][-1]
    assert doc["config"]["optimizer"] == "momentum" and doc["config"]["l2"] == 0.01
    assert validate_document(doc, "doc") == doc


def test_regression_documents_keep_their_layout(run_json: Callable[..., dict]) -> None:
    doc = run_json("--epochs", "3", "--no-save")
    assert doc["task"] == "regress" and set(doc["metrics"]["train"]) == {
        "mse", "mae", "rmse", "r2", "mape"}
    assert "kernel_note" not in doc["training"]


def test_a_schema_2_file_still_loads(run_json: Callable[..., dict]) -> None:
    doc = run_json("--epochs", "2", "--no-save")
    old = {k: v for k, v in doc.items() if k != "task"}
    old["schema"] = 2
    old["training"] = {"path": doc["training"]["path"]}
    old["config"] = {k: v for k, v in doc["config"].items() if k not in (
        "task", "optimizer", "momentum", "beta1", "beta2", "eps", "l2", "spread")}
    assert validate_document(old, "old")["schema"] == 2


def test_a_classification_document_needs_its_metrics(run_json: Callable[..., dict]) -> None:
    doc = run_json("--task", "classify", "--dataset", "circle", "--epochs", "2", "--no-save")
    del doc["metrics"]["test"]["confusion"]
    with pytest.raises(RunFileError, match="metrics.test.confusion"):
        validate_document(doc, "doc")


@pytest.mark.parametrize(("args", "message"), [
    (("--optimizer", "rmsprop"), "--optimizer: 'rmsprop' is not one of sgd, momentum, adam"),
    (("--task", "cluster"), "--task: 'cluster' is not one of regress, classify"),
    (("--momentum", "1"), "--momentum must be in [0, 1)"),
    (("--beta2", "-0.1"), "--beta2 must be in [0, 1)"),
    (("--eps", "0"), "--eps must be above 0"),
    (("--l2", "-1"), "--l2 must be at least 0"),
    (("--spread", "x"), "--spread: 'x' is not a number"),
    (("--task", "classify"), "--task classify needs a target with exactly 2 values"),
])
def test_bad_values_are_one_line_errors(cli: Cli, args: tuple[str, ...], message: str) -> None:
    code, out, err = cli("run", "--no-save", "--epochs", "1", *args)
    assert code == 2 and out == ""
    assert err.startswith("nntui: error: ") and message in err and err.count("\n") == 1


def test_a_three_valued_csv_target_is_an_error_under_classify(cli: Cli,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "three.csv"
    path.write_text("a,b,kind\n1,2,x\n2,3,y\n3,1,z\n4,4,x\n")
    code, _, err = cli("run", "--csv", str(path), "--task", "classify", "--no-save")
    assert code == 2
    assert "'kind'" in err and "has 3 (x, y, z)" in err and err.count("\n") == 1


def test_a_two_valued_csv_target_maps_in_sorted_order(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("age,bmi,smoker\n19,27.9,yes\n18,33.8,no\n28,33.0,no\n33,22.7,yes\n"
                    "32,28.9,no\n")
    table = load_table(ExperimentConfig(dataset="csv", csv=str(path), task="classify"))
    assert table.classes == ["no", "yes"]
    assert table.y.tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]
    numeric = tmp_path / "numeric.csv"
    numeric.write_text("a,b,label\n1,2,5\n2,3,-1\n3,4,5\n")
    table = load_table(ExperimentConfig(dataset="csv", csv=str(numeric), task="classify"))
    assert table.classes == ["-1", "5"] and table.y.tolist() == [1.0, 0.0, 1.0]


def test_the_target_is_not_scaled_under_classify() -> None:
    exp = Experiment.build(ExperimentConfig(dataset="blobs", task="classify", rows=30))
    _, y = exp.dataset.part("train")
    assert set(y.tolist()) == {0.0, 1.0}


@pytest.mark.parametrize("kind", ["blobs", "circle"])
def test_two_class_data_follow_seed_rows_and_spread(kind: str) -> None:
    base = ExperimentConfig(dataset=kind, task="classify", rows=400, seed=3)
    a, b = load_table(base), load_table(base)
    assert np.array_equal(a.x, b.x) and len(a) == 400
    assert 0.3 < a.y.mean() < 0.7  # both classes, mixed
    tight = load_table(base.replace(spread=0.0))
    if kind == "blobs":
        assert np.all(np.abs(np.abs(tight.x) - 1.0) == 0.0)
    else:
        radius = np.hypot(*tight.x.T)
        assert np.all((radius <= 0.5) == (tight.y == 0.0))
    assert not np.array_equal(load_table(base.replace(seed=4)).x, a.x)


def test_step_text_derives_the_output_delta_and_shows_adam_terms() -> None:
    exp = Experiment.build(ExperimentConfig(dataset="blobs", task="classify", hidden=(3, 2),
                                            optimizer="adam", l2=0.01, rows=20))
    exp.trainer.step()
    ws = worked_step(exp, exp.trainer.peek())
    text = to_text(ws)
    assert "dL/dz_out = dL/dy_hat * dy_hat/dz_out = (y_hat - y)/(y_hat(1 - y_hat)) * " \
           "y_hat(1 - y_hat) = y_hat - y" in text
    assert "y_hat = sigmoid(z_out)" in text and "update t = 2" in text
    assert "m̂ = m/(1-β1^t)" in text and "weight decay: g = dL/dp + λ*p" in text
    doc = to_json(ws)
    assert doc["task"] == "classify" and doc["optimizer"]["t"] == 2
    t = ws.trace
    assert doc["chain"]["dL/dz_out"] == t.dl_dyhat == t.y_hat - t.y
    first = doc["optimizer"]["terms"]["W1[1,1]"]
    assert first["g"] == first["grad"] + first["decay"]
    assert doc["optimizer"]["terms"]["b3[1]"]["decay"] == 0.0  # biases are not decayed
    assert all(ws.check(k).status in ("agree", "flat", "kink") for k in range(len(ws.names)))


def test_conventions_match_scikit_learns_reported_loss() -> None:
    cfg = ExperimentConfig(dataset="blobs", task="classify", rows=30, test_size=0.0)
    exp = Experiment.build(cfg)
    conv = conventions(exp)
    row = next(c for c in conv.rows if c.tool == "scikit-learn")
    t = exp.trainer
    theirs = train_sklearn(exp.arch, t.theta0, t.x_train, t.y_train, t.x_test, t.y_test,
                           row.lr, 1)
    assert row.lr == cfg.lr and "no ½" in row.lr_rule
    assert row.value == pytest.approx(theirs.reported[0], rel=1e-12)


def test_the_ready_experiments_of_this_issue() -> None:
    assert {"deep", "classify", "optimizers"} <= set(presets())
    deep = load_toml("deep")
    assert deep.hidden == (4, 4)
    exp = Experiment.build(deep)
    assert exp.arch.shape == "2-4-4-1"
    classify = load_toml("classify")
    assert classify.task == "classify" and classify.dataset == "circle"
    _, sweep = read_toml("optimizers")
    assert sweep == {"optimizer": ["sgd", "momentum", "adam"]}
    configs = grid(load_toml("optimizers"), sweep)
    assert [c.optimizer for c in configs] == ["sgd", "momentum", "adam"]


def test_sweep_over_optimizers_prints_accuracy_for_classification(cli: Cli) -> None:
    code, out, err = cli("sweep", "--task", "classify", "--dataset", "blobs", "--optimizer",
                         "sgd,adam", "--epochs", "5", "--rows", "30", "--workers", "1",
                         "--no-save", "--json")
    assert code == 0, err
    runs: list[dict[str, Any]] = json.loads(out)["runs"]
    assert [r["config"]["optimizer"] for r in runs] == ["sgd", "adam"]
    assert all(r["metrics"]["test"]["accuracy"] is not None for r in runs)
    code, out, _ = cli("sweep", "--task", "classify", "--dataset", "blobs", "--optimizer",
                       "sgd,adam", "--epochs", "5", "--rows", "30", "--workers", "1",
                       "--no-save")
    assert code == 0 and "test accuracy" in out and "test R²" not in out


def test_summary_and_compare_sklearn_of_a_classification(cli: Cli) -> None:
    code, out, _ = cli("run", "--task", "classify", "--dataset", "blobs", "--epochs", "5",
                       "--no-save")
    assert code == 0
    assert "accuracy" in out and "log-loss" in out and "confusion (test)" in out
    assert "class 1 is class = 1" in out
    code, out, _ = cli("compare-sklearn", "--task", "classify", "--dataset", "blobs",
                       "--hidden", "3,2", "--optimizer", "momentum", "--epochs", "5")
    assert code == 0
    assert "MLPClassifier(solver='sgd', alpha=0, momentum=0.9" in out
    assert "they agree." in out


def test_a_many_valued_target_is_named_briefly() -> None:
    """The refusal quotes a few values, each short (it is shown under a 28-column field)."""
    import numpy as np

    from nntui.errors import UserError
    from nntui.lab.data import binary_target

    with pytest.raises(UserError) as err:
        binary_target(np.array([0.8488994020950786, 1.1010553267718906, 3.0, 4.5]), "n3",
                      "the generated data")
    assert "has 4 (0.8489, 1.101, 3, ...)" in str(err.value)
