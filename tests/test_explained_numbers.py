"""Every number explains itself: units, undefined metrics, named factors, checks, digits."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, getcontext
from pathlib import Path

import numpy as np
import pytest

from nntui.engine.activations import activation
from nntui.engine.metrics import regression_metrics, undefined_reasons
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.report import loss_label, metric_labels, summary
from nntui.lab.worked import WorkedStep, distinct_digits, worked_step
from nntui.lab.worked_text import backward_lines, sample_lines, to_json, update_lines

Cli = Callable[..., tuple[int, str, str]]


def step_at(index: int, **cfg: object) -> WorkedStep:
    exp = Experiment.build(ExperimentConfig(**cfg))  # type: ignore[arg-type]
    return worked_step(exp, exp.trainer.peek(index))


# -- 1. units ---------------------------------------------------------------------------
def test_labels_say_their_units_and_follow_the_scaling() -> None:
    assert metric_labels("minmax")["mse"] == "MSE (scaled)"
    assert metric_labels("none")["mse"] == "MSE (original units)"
    assert metric_labels("minmax")["rmse"] == "RMSE (original)"
    assert loss_label("none") == "loss (MSE, original units)"
    exp = Experiment.build(ExperimentConfig(scale="none", epochs=2))
    exp.run()
    text = summary(exp)
    assert "MSE (original units)" in text and "(MSE, scaled)" not in text


# -- 2. undefined metrics -----------------------------------------------------------------
def test_mape_with_a_zero_target_and_r2_of_one_row_are_undefined() -> None:
    y = np.array([0.0, 1.0, 2.0])
    m = regression_metrics(y, y + 0.1, y, y + 0.1)
    assert m["mape"] is None and m["r2"] is not None
    assert "a target is 0" in undefined_reasons(y)["mape"]
    one = np.array([3.0])
    assert regression_metrics(one, one, one, one)["r2"] is None
    assert "one row" in undefined_reasons(one)["r2"]


def test_run_json_gives_null_and_the_summary_says_why(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "zeros.csv"
    path.write_text("a,y\n1,0\n2,1\n3,2\n4,0\n5,3\n")
    code, out, _ = cli("run", "--no-save", "--csv", str(path), "--epochs", "2",
                       "--test-size", "0.2")
    assert code == 0
    assert "n/a: train MAPE (%): a target is 0" in out
    assert "n/a: test R²: one row" in out
    assert "e+17" not in out


# -- 3. saturation, against a 50-digit reference --------------------------------------------
def exact(name: str, z: int) -> float:
    getcontext().prec = 60
    if name == "sigmoid":
        e = (-Decimal(abs(z))).exp()
        return float(e / (1 + e) ** 2)
    e = (-2 * Decimal(abs(z))).exp()
    return float(4 * e / (1 + e) ** 2)


@pytest.mark.parametrize(("name", "z"), [("sigmoid", 30), ("sigmoid", 40), ("tanh", 18),
                                         ("tanh", 24)])
def test_saturated_derivatives_against_high_precision(name: str, z: int) -> None:
    got = activation(name).derivative(float(z))
    assert abs(got - exact(name, z)) / exact(name, z) < 1e-6


def test_saturated_unit_is_flat_not_a_false_relative_difference() -> None:
    exp = Experiment.build(ExperimentConfig(activation="sigmoid",
                                            set={"w1": 40.0, "w2": 40.0, "b1": 0.0}))
    t = exp.trainer
    index = int(np.argmax(t.x_train.sum(axis=1)))  # the sample with the largest z1
    ws = worked_step(exp, t.peek(index))
    assert ws.trace.z[0] > 35
    check = ws.check(0)
    assert check.status == "flat" and check.relative > 0.5  # the old false "rel. diff 1"
    assert ws.trace.grads[0] != 0.0  # the chain rule still resolves it


# -- 4. the ReLU kink ---------------------------------------------------------------------
def test_the_relu_kink_is_named_not_a_false_disagreement(cli: Cli) -> None:
    code, out, _ = cli("step", "--no-save", "--init", "he", "--sample", "5")
    assert code == 0
    assert "z1 = 0 is the ReLU kink: relu'(0) = 0 by convention" in out
    assert "(z = 0: the kink; relu'(0) = 0 by convention)" in out
    assert "rel. diff 1.0e+00" not in out


def test_near_kink_within_the_step_is_named_too() -> None:
    ws = step_at(1)  # default data: z1 = 2.8e-17, inside the finite difference's step
    assert 0 < ws.trace.z[0] < 1e-10
    assert ws.check(0).status == "kink" and "within the finite difference's step" in \
        ws.check(0).note


# -- 5. named factors ---------------------------------------------------------------------
def test_each_factor_has_a_name_a_symbol_and_a_number() -> None:
    ws = step_at(3)
    lines = backward_lines(ws)
    assert "dy_hat/dh1 = w5 = 0.6" in lines and "dy_hat/dh2 = w6 = -0.1" in lines
    assert any(line.startswith("dz1/dw1 = x1 = ") for line in lines)
    doc = to_json(ws)
    w1 = doc["chain_rule"]["dL/dw1"]
    assert [f["symbol"] for f in w1] == ["2(y_hat - y)", "w5", "relu'(z1)", "x1"]
    assert math.prod(f["value"] for f in w1) == doc["gradients"]["w1"]


# -- 6. digits of an update -----------------------------------------------------------------
def test_an_update_shows_enough_digits_to_differ(cli: Cli) -> None:
    code, out, _ = cli("step", "--no-save", "--lr", "0.00001", "--set", "w4=0.38765432",
                       "--sample", "3")
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("w4 = "))
    old, new = line.split(" = ")[1].split(" - ")[0], line.rsplit(" = ", 1)[1]
    assert old != new and float(old) == pytest.approx(0.38765432)
    assert distinct_digits(0.38765432, 0.38765432 - 6.9e-07) >= 7
    assert distinct_digits(1.0, 1.0) == 6


def test_update_lines_round_trip_the_new_value() -> None:
    ws = step_at(3, lr=1e-9)
    for k, line in enumerate(update_lines(ws)[1:]):
        new = float(line.rsplit(" = ", 1)[1])
        old = float(line.split(" = ")[1].split(" - ")[0])
        if ws.record.params_after[k] != ws.record.params_before[k]:
            assert new != old


# -- 7. one indexing convention -----------------------------------------------------------
def test_samples_are_numbered_from_zero_in_one_way() -> None:
    ws = step_at(3)
    assert sample_lines(ws)[0].startswith("sample #3 of the training rows #0..#79: ")
    assert to_json(ws)["sample"]["index"] == 3


# -- 9. conventions across tools, computed from the run -----------------------------------
def test_conventions_match_what_scikit_learn_itself_reports() -> None:
    from nntui.lab.conventions import conventions
    from nntui.lab.framework import framework_check

    exp = Experiment.build(ExperimentConfig(epochs=1))
    conv = {c.tool: c for c in conventions(exp).rows}
    check = framework_check(exp, epochs=1)
    assert conv["nntui"].value == check.ours_train[0]
    assert math.isclose(conv["scikit-learn"].value, check.theirs.reported[0], rel_tol=1e-12)
    assert conv["Keras"].value == 2 * conv["scikit-learn"].value
    assert conv["scikit-learn"].lr == 2 * exp.config.lr and conv["Keras"].lr == exp.config.lr
    assert conv["nntui"].value != conv["Keras"].value  # before vs after the updates


def test_mini_batch_mean_versus_sum_with_numbers() -> None:
    from nntui.lab.conventions import conventions, conventions_text

    conv = conventions(Experiment.build(ExperimentConfig(batch_size=4)))
    assert math.isclose(conv.first_batch_sum, 4 * conv.first_batch_mean, rel_tol=1e-12)
    rows = {c.tool: c for c in conv.rows}
    assert rows["PyTorch, reduction='sum'"].lr == ExperimentConfig().lr / 4
    text = conventions_text(conv)
    assert "needs lr / 4" in text and "scikit-learn" in text


# -- 10. a run too sensitive to compare ------------------------------------------------------
def test_a_chaotic_run_is_called_too_sensitive_not_wrong() -> None:
    from nntui.lab.framework import framework_check

    calm = framework_check(Experiment.build(ExperimentConfig(epochs=5)))
    assert calm.agree and not calm.too_sensitive and calm.verdict == "they agree."
    wild = framework_check(Experiment.build(ExperimentConfig(
        scale="none", activation="tanh", lr=0.01, epochs=20)))
    assert not wild.agree and wild.sensitivity > 1.0  # one ulp moves nntui itself by > 1
    assert wild.too_sensitive and "too sensitive to compare" in wild.verdict


def test_conventions_command_and_its_json(cli: Cli) -> None:
    import json

    code, out, _ = cli("conventions", "--batch-size", "4")
    assert code == 0 and "scikit-learn" in out and "it needs lr / 4" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    code, out, _ = cli("conventions", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["batch_size"] == 1
    assert [r["tool"] for r in doc["rows"]][:3] == ["nntui", "scikit-learn", "Keras"]


def test_compare_says_why_it_cannot_agree(cli: Cli) -> None:
    import json

    code, out, _ = cli("compare-sklearn", "--scale", "none", "--activation", "tanh",
                       "--lr", "0.01", "--epochs", "20", "--json")
    doc = json.loads(out)
    assert code == 0 and not doc["agree"] and doc["sensitivity"] > 1.0
    assert "too sensitive to compare" in doc["verdict"]


def test_version_names_the_training_path(cli: Cli) -> None:
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("nntui ") and ("kernel" in out or "Python" in out)


def test_sweep_table_labels_its_units(cli: Cli) -> None:
    code, out, _ = cli("sweep", "--no-save", "--lr", "0.01,0.1", "--epochs", "2")
    assert code == 0 and "train MSE (scaled)" in out.splitlines()[0]
