"""`nntui drill` sheets for every task and update rule: classification (sigmoid output,
cross-entropy), momentum, Adam and L2; answers equal to a computation written here in
plain Python from docs/design.md §2 and engine/optimizers.py's docstring."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from by_hand import G
from test_drill_cli import sheet

Cli = Callable[..., tuple[int, str, str]]



def by_hand(doc: dict) -> dict[str, float]:
    """One step of a one-hidden-layer network, as a student would write it: the forward
    pass, the output's δ (2(y_hat - y), or y_hat - y for a sigmoid output with the
    cross-entropy), the chain rule, then the update rule (L2 on weights only; momentum
    from v = 0; Adam from m = v = 0 at t = 1)."""
    x, y, p, lr = doc["sample"]["x"], doc["sample"]["y"], doc["params"], doc["lr"]
    g, dg = G[doc["activation"]]
    n, k = len(x), doc["network"]["hidden"]
    w = [p[f"w{i}"] for i in range(1, n * k + k + 1)]
    b = [p[f"b{j}"] for j in range(1, k + 2)]
    z = [sum(w[j * n + i] * x[i] for i in range(n)) + b[j] for j in range(k)]
    h = [g(v) for v in z]
    s = sum(w[n * k + j] * h[j] for j in range(k)) + b[k]
    out = {**{f"z{j + 1}": z[j] for j in range(k)}, **{f"h{j + 1}": h[j] for j in range(k)}}
    if doc["task"] == "classify":
        y_hat = 1 / (1 + math.exp(-s))
        delta = y_hat - y
        out.update({"z_out": s, "y_hat": y_hat, "dL/dz_out": delta,
                    "L": -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))})
    else:
        delta = 2 * (s - y)
        out.update({"y_hat": s, "L": (s - y) ** 2, "dL/dy_hat": delta})
    grads = {}
    for j in range(k):
        dz = delta * w[n * k + j] * dg(z[j])
        grads.update({f"w{j * n + i + 1}": dz * x[i] for i in range(n)})
        grads[f"b{j + 1}"] = dz
        grads[f"w{n * k + j + 1}"] = delta * h[j]
    grads[f"b{k + 1}"] = delta
    out.update({f"dL/d{name}": v for name, v in grads.items()})
    rule = doc["optimizer"] or {"name": "sgd", "l2": 0.0}
    for name, grad in grads.items():
        gt = grad + rule["l2"] * p[name] if name.startswith("w") else grad
        if rule["name"] == "sgd":
            new = p[name] - lr * gt
        elif rule["name"] == "momentum":
            new = p[name] + (rule["momentum"] * 0.0 - lr * gt)
        else:
            m_hat = (1 - rule["beta1"]) * gt / (1 - rule["beta1"])
            v_hat = (1 - rule["beta2"]) * gt * gt / (1 - rule["beta2"])
            new = p[name] - lr * m_hat / (math.sqrt(v_hat) + rule["eps"])
        out[f"new {name}"] = new
    return out


@pytest.mark.parametrize("args", [
    ("--seed", "0", "--task", "classify"),
    ("--seed", "1", "--task", "classify", "--activation", "sigmoid", "--hidden", "3"),
    ("--seed", "2", "--optimizer", "adam"),
    ("--seed", "3", "--optimizer", "adam", "--l2", "0.1", "--beta1", "0.8", "--lr", "0.05"),
    ("--seed", "4", "--optimizer", "momentum", "--momentum", "0.5"),
    ("--seed", "5", "--l2", "0.2", "--activation", "tanh", "--inputs", "3"),
    ("--seed", "6", "--task", "classify", "--optimizer", "adam", "--eps", "0.001"),
])
def test_answers_equal_a_computation_by_hand(cli: Cli, args: tuple[str, ...]) -> None:
    doc = sheet(cli, *args)
    asked = dict(zip(args[::2], args[1::2]))
    assert doc["task"] == asked.get("--task", "regress")
    rule = doc["optimizer"] or {"name": "sgd", "l2": 0.0}  # None: plain SGD
    assert rule["name"] == asked.get("--optimizer", "sgd")
    assert rule["l2"] == float(asked.get("--l2", 0))
    for flag in ("--momentum", "--beta1", "--eps"):
        assert flag not in asked or rule[flag[2:]] == float(asked[flag])
    expected = by_hand(doc)
    answers = {q["quantity"]: q["answer"] for q in doc["questions"]}
    assert set(answers) == set(expected)
    for quantity, value in expected.items():
        assert answers[quantity] == pytest.approx(value, rel=1e-12, abs=1e-15), quantity


def test_the_sheet_says_its_task_and_rule(cli: Cli) -> None:
    doc = sheet(cli, "--seed", "6", "--task", "classify", "--optimizer", "adam",
                "--l2", "0.01")
    assert doc["task"] == "classify" and doc["sample"]["y"] in (0.0, 1.0)
    assert doc["optimizer"] == {"name": "adam", "momentum": 0.9, "beta1": 0.9,
                                "beta2": 0.999, "eps": 1e-8, "l2": 0.01, "t": 1}
    assert [q["quantity"] for q in doc["questions"]][4:8] == ["z_out", "y_hat", "L",
                                                             "dL/dz_out"]
    assert sheet(cli, "--seed", "6")["optimizer"] is None  # plain SGD: no extra terms
    code, out, _ = cli("drill", "--seed", "6", "--task", "classify", "--optimizer", "adam",
                       "--l2", "0.01", "--markdown", "--answers")
    assert code == 0 and out.startswith("# Drill sheet 6: one Adam step by hand")
    assert "sigmoid output y_hat = sigmoid(z_out)), a 0/1 target y" in out
    assert "(β1 = 0.9, β2 = 0.999, ε = 1e-08, t = 1), with L2 weight decay" in out
    assert "Output: `sigmoid(z) = 1/(1 + e^-z)" in out and "## Answer key" in out
    assert "(y_hat - y)^2" not in out  # never the squared error of a classification


@pytest.mark.parametrize("task", ["regress", "classify"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_layered_sheets_and_parts_work_for_every_task_and_rule(cli: Cli, task: str,
                                                               optimizer: str) -> None:
    doc = sheet(cli, "--seed", "9", "--hidden", "3,2", "--task", task, "--optimizer",
                optimizer, "--l2", "0.05")
    names = list(doc["params"])
    answers = {q["quantity"]: q["answer"] for q in doc["questions"]}
    assert {f"new {n}" for n in names} <= set(answers)
    assert ("dL/dz_out" in answers) == (task == "classify")
    layer = sheet(cli, "--seed", "9", "--hidden", "3,2", "--task", task, "--optimizer",
                  optimizer, "--l2", "0.05", "--part", "layer3")["questions"]
    assert layer and all(q["answer"] == answers[q["quantity"]] for q in layer)
