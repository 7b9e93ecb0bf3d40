"""The worked example: hand arithmetic, `nntui step` (text, Markdown, JSON), undo, errors."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.worked import worked_step
from nntui.lab.worked_text import backward_lines, forward_lines, to_json

Cli = Callable[..., tuple[int, str, str]]

# Three rows chosen so that MinMax scaling gives round numbers: x = (0,0), (1,1), (0.5,0.5)
# and y = 0, 1, 0.5. Nothing is held out, so training row i is CSV row i.
TINY = "n1,n2,n3\n0,0,0\n4,2,10\n2,1,5\n"
HAND = ["--target", "n3", "--test-size", "0", "--lr", "0.1"]


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY)
    return path


# Sample 1, x = (1, 1), y = 1, notebook weights w = (0.5, -0.3, 0.2, 0.4, 0.6, -0.1), b = 0.1,
# 0.1, 0:
#   z1 = 0.5*1 + (-0.3)*1 + 0.1 = 0.3     h1 = 0.3
#   z2 = 0.2*1 + 0.4*1 + 0.1 = 0.7        h2 = 0.7
#   y_hat = 0.6*0.3 + (-0.1)*0.7 + 0 = 0.11      L = (0.11 - 1)^2 = 0.7921
#   dL/dy_hat = 2*(0.11 - 1) = -1.78
#   dL/dw1 = -1.78 * 0.6 * 1 * 1 = -1.068 = dL/dw2 = dL/db1
#   dL/dw3 = -1.78 * (-0.1) * 1 * 1 = 0.178 = dL/dw4 = dL/db2
#   dL/dw5 = -1.78 * 0.3 = -0.534    dL/dw6 = -1.78 * 0.7 = -1.246    dL/db3 = -1.78
#   with lr 0.1: w1 = 0.5 - 0.1*(-1.068) = 0.6068, w6 = -0.1 + 0.1246 = 0.0246, b3 = 0.178
HAND_FORWARD = {"z1": 0.3, "z2": 0.7, "h1": 0.3, "h2": 0.7, "y_hat": 0.11, "loss": 0.7921}
HAND_GRADS = {"w1": -1.068, "w2": -1.068, "w3": 0.178, "w4": 0.178, "w5": -0.534,
              "w6": -1.246, "b1": -1.068, "b2": 0.178, "b3": -1.78}
HAND_AFTER = {"w1": 0.6068, "w2": -0.1932, "w3": 0.1822, "w4": 0.3822, "w5": 0.6534,
              "w6": 0.0246, "b1": 0.2068, "b2": 0.0822, "b3": 0.178}
HAND_LINES = [
    "z1 = w1*x1 + w2*x2 + b1 = 0.5*1 + (-0.3)*1 + 0.1 = 0.3",
    "z2 = w3*x1 + w4*x2 + b2 = 0.2*1 + 0.4*1 + 0.1 = 0.7",
    "y_hat = w5*h1 + w6*h2 + b3 = 0.6*0.3 + (-0.1)*0.7 + 0 = 0.11",
    "L = (y_hat - y)^2 = (0.11 - 1)^2 = 0.7921",
]


def test_hand_worked_sample_in_step_json(run_step: Callable[..., dict], tiny_csv: Path) -> None:
    doc = run_step("--csv", str(tiny_csv), *HAND, "--sample", "1")
    assert doc["sample"] == {"index": 1, "x": [1.0, 1.0], "y": 1.0, "x_raw": [4.0, 2.0],
                             "y_raw": 10.0}
    for key, value in HAND_FORWARD.items():
        assert math.isclose(doc["forward"][key], value, abs_tol=1e-12), key
    for key, value in HAND_GRADS.items():
        assert math.isclose(doc["gradients"][key], value, abs_tol=1e-12), key
        assert math.isclose(doc["numeric_gradients"][key], value, abs_tol=1e-8), key
    for key, value in HAND_AFTER.items():
        assert math.isclose(doc["params_after"][key], value, abs_tol=1e-12), key
    assert doc["lr"] == 0.1 and doc["params_before"]["w1"] == 0.5
    assert math.isclose(doc["forward"]["y_hat_raw"], 0.11 * 10)  # n3 spans 0..10


def test_hand_worked_sample_as_text(cli: Cli, tiny_csv: Path) -> None:
    code, out, _ = cli("step", "--csv", str(tiny_csv), *HAND, "--sample", "1")
    assert code == 0
    for line in HAND_LINES:
        assert line in out
    assert "dL/dw1 = dL/dy_hat * dy_hat/dh1 * dh1/dz1 * dz1/dw1 = 2(y_hat - y) * w5 * " \
           "relu'(z1) * x1 = (-1.78) * 0.6 * 1 * 1 = -1.068" in out
    for line in ["dy_hat/dh1 = w5 = 0.6", "dh1/dz1 = relu'(z1) = 1", "dz1/dw1 = x1 = 1",
                 "dz1/db1 = 1 = 1", "dy_hat/dw6 = h2 = 0.7", "dy_hat/dh2 = w6 = -0.1"]:
        assert f"  {line}\n" in out, line
    assert "w1 = 0.5 - 0.1*(-1.068) = 0.5 - (-0.1068) = 0.6068" in out


def test_closed_gate_is_marked(cli: Cli) -> None:
    code, out, _ = cli("step", "--sample", "6")  # default data: x = (0, 1), z1 = -0.2
    assert code == 0
    assert "h1 = relu(z1) = relu(-0.2) = 0  (gate closed: z <= 0)" in out
    assert "dL/dw1 = " in out and "[ReLU gate 1 closed: dh/dz = 0]" in out


def test_steps_are_consecutive_and_chain(run_step: Callable[..., dict]) -> None:
    doc = run_step("--sample", "78", "--steps", "3")
    steps = doc["steps"]
    assert [s["sample"]["index"] for s in steps] == [78, 79, 0]  # wraps into epoch 2
    assert [s["epoch"] for s in steps] == [1, 1, 2]
    for a, b in zip(steps, steps[1:]):
        assert a["params_after"] == b["params_before"]


def test_markdown(cli: Cli) -> None:
    code, out, _ = cli("step", "--markdown", "--steps", "2")
    assert code == 0 and out.count("## Step ") == 2 and "### Backward pass" in out
    assert out.count("```") % 2 == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--sample", "80"], "out of range: the training rows are 0..79"),
    (["--sample", "-1"], "out of range"),
    (["--sample", "x"], "--sample: 'x' is not a whole number"),
    (["--steps", "0"], "--steps must be between 1 and 10000"),
    (["--batch-size", "4"], "use --batch-size 1"),
])
def test_step_errors(cli: Cli, args: list[str], message: str) -> None:
    code, out, err = cli("step", *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_chain_products_equal_the_recorded_gradients() -> None:
    exp = Experiment.build(ExperimentConfig(hidden=3, activation="tanh", init="normal"))
    for index in (0, 5, 17):
        exp.trainer.seek(index)
        ws = worked_step(exp, exp.trainer.peek())
        for term, grad in zip(ws.chain(), ws.record.grads):
            assert math.prod(f.value for f in term.factors) == grad  # same order and floats
        n_factors = len({f.name for term in ws.chain() for f in term.factors}) - 1
        assert len(backward_lines(ws)) == 1 + n_factors + exp.arch.n_params
        assert forward_lines(ws)[-1].endswith(f"= {ws.trace.loss:.6g}")
        assert to_json(ws)["gradients"] == dict(zip(exp.arch.names, ws.record.grads))


@settings(max_examples=25, deadline=None)
@given(actions=st.lists(st.sampled_from(["step", "epoch", "seek", "undo"]), max_size=25),
       shuffle=st.booleans(), batch=st.sampled_from([1, 3]))
def test_undo_after_any_sequence_restores_bit_for_bit(actions: list[str], shuffle: bool,
                                                      batch: int) -> None:
    t = Experiment.build(ExperimentConfig(shuffle=shuffle, batch_size=batch, lr=0.05)).trainer
    history = [t.theta.tobytes()]
    for n, action in enumerate(actions):
        if action == "step" and t.step() is not None:
            history.append(t.theta.tobytes())
        elif action == "epoch" and t.epoch() is not None:
            history.append(t.theta.tobytes())
        elif action == "seek":
            t.seek(n % t.n_train)
        elif action == "undo" and t.undo():
            history.pop()
        assert t.theta.tobytes() == history[-1]
    while t.undo():
        history.pop()
        assert t.theta.tobytes() == history[-1]
    assert np.array_equal(t.theta, t.theta0) and len(history) == 1


@pytest.fixture
def run_step(cli: Cli) -> Callable[..., dict]:
    def run(*args: str) -> dict:
        code, out, err = cli("step", "--json", *args)
        assert code == 0, err
        return json.loads(out)

    return run
