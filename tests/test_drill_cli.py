"""`nntui drill`: exercise sheets whose answers match a computation written here, seeded
sheets, the Markdown and text layouts, and one error line per mistake."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from by_hand import G
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli_fuzz import check

Cli = Callable[..., tuple[int, str, str]]



def by_hand(doc: dict) -> dict[str, float]:
    """One SGD step as docs/design.md §2 writes it, in plain Python floats: hidden unit j
    has the input weights w[(j-1)n+1 .. jn] and bias b[j]; the output weights follow."""
    x, y, p, lr = doc["sample"]["x"], doc["sample"]["y"], doc["params"], doc["lr"]
    g, dg = G[doc["activation"]]
    n, k = len(x), doc["network"]["hidden"]
    w = [p[f"w{i}"] for i in range(1, n * k + k + 1)]
    b = [p[f"b{j}"] for j in range(1, k + 2)]
    z = [sum(w[j * n + i] * x[i] for i in range(n)) + b[j] for j in range(k)]
    h = [g(v) for v in z]
    y_hat = sum(w[n * k + j] * h[j] for j in range(k)) + b[k]
    out = {**{f"z{j + 1}": z[j] for j in range(k)}, **{f"h{j + 1}": h[j] for j in range(k)},
           "y_hat": y_hat, "L": (y_hat - y) ** 2, "dL/dy_hat": 2 * (y_hat - y)}
    grads = {}
    for j in range(k):
        dz = 2 * (y_hat - y) * w[n * k + j] * dg(z[j])
        grads.update({f"w{j * n + i + 1}": dz * x[i] for i in range(n)})
        grads[f"b{j + 1}"] = dz
        grads[f"w{n * k + j + 1}"] = 2 * (y_hat - y) * h[j]
    grads[f"b{k + 1}"] = 2 * (y_hat - y)
    out.update({f"dL/d{name}": v for name, v in grads.items()})
    out.update({f"new {name}": p[name] - lr * v for name, v in grads.items()})
    return out


def sheet(cli: Cli, *args: str) -> dict:
    code, out, err = cli("drill", "--json", *args)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("args", [
    ("--seed", "0"), ("--seed", "1"), ("--seed", "2", "--activation", "sigmoid"),
    ("--seed", "3", "--activation", "tanh", "--lr", "0.5"),
    ("--seed", "4", "--activation", "linear"),
    ("--seed", "5", "--hidden", "3", "--inputs", "3"),
])
def test_answers_equal_a_computation_by_hand(cli: Cli, args: tuple[str, ...]) -> None:
    doc = sheet(cli, *args)
    expected = by_hand(doc)
    answers = {q["quantity"]: q["answer"] for q in doc["questions"]}
    assert set(answers) == set(expected)
    for quantity, value in expected.items():
        assert answers[quantity] == pytest.approx(value, rel=1e-12, abs=1e-15), quantity


def test_the_json_layout(cli: Cli) -> None:
    doc = sheet(cli, "--seed", "7")
    assert {"seed", "activation", "sample", "params", "lr", "questions"} <= set(doc)
    assert doc["seed"] == 7 and doc["activation"] == "relu" and doc["lr"] == 0.1
    assert len(doc["sample"]["x"]) == 2 and isinstance(doc["sample"]["y"], float)
    assert list(doc["params"]) == ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3"]
    names = list(doc["params"])
    assert [q["quantity"] for q in doc["questions"]] == [
        "z1", "h1", "z2", "h2", "y_hat", "L", "dL/dy_hat", *(f"dL/d{n}" for n in names),
        *(f"new {n}" for n in names)]
    assert all(set(q) >= {"id", "quantity", "formula", "answer"} for q in doc["questions"])
    assert doc["questions"][0]["formula"] == "w1*x1 + w2*x2 + b1"
    for v in [*doc["sample"]["x"], doc["sample"]["y"], *doc["params"].values()]:
        assert v == round(v, 2)
    backward = sheet(cli, "--seed", "7", "--part", "backward")["questions"]
    assert [q["id"] for q in backward] == list(range(7, 26))


def test_the_same_seed_gives_the_same_sheet_and_others_differ(cli: Cli) -> None:
    first = [cli("drill", "--seed", "11", "--answers", *fmt) for fmt in ((), ("--markdown",))]
    again = [cli("drill", "--seed", "11", "--answers", *fmt) for fmt in ((), ("--markdown",))]
    assert first == again and all(code == 0 for code, _, _ in first)
    docs = [sheet(cli, "--seed", str(seed)) for seed in range(8)]
    assert len({json.dumps([d["sample"], d["params"]]) for d in docs}) == 8
    assert sheet(cli) == sheet(cli, "--seed", "0")


def test_markdown_sheet_has_blanks_and_the_key_only_when_asked(cli: Cli) -> None:
    code, out, _ = cli("drill", "--seed", "3", "--markdown")
    assert code == 0 and out.startswith("# Drill sheet 3")
    assert "| 1 | z1 | `w1*x1 + w2*x2 + b1` |   |" in out and "Answer key" not in out
    assert "| -0.54 | 0.47 | 0.19 | 0.19 | 0.91 | 0.86 | 0.84 | 0.1 | 0.34 | 0.1 |" in out
    code, out, _ = cli("drill", "--seed", "3", "--markdown", "--answers")
    assert "## Answer key" in out
    assert "| 1 | z1 | `(-0.54)*0.21 + 0.47*0.65 + 0.84` | 1.0321 |" in out
    assert "| 25 | new b3 | `0.34 - 0.1*2.53147` | 0.086853 |" in out
    code, out, _ = cli("drill", "--seed", "3", "--answers")
    assert "Answer key" in out and "1   z1         w1*x1 + w2*x2 + b1               ______" in out
    assert "relative 1e-3" in out and "3 significant digits" in out


@pytest.mark.parametrize(("args", "message"), [
    (("--seed", "x"), "--seed: 'x' is not a whole number"),
    (("--seed", "-1"), "--seed must be at least 0"),
    (("--inputs", "0"), "--inputs must be between 1 and 8"),
    (("--hidden", "0"), "--hidden needs 1 to 16 units"),
    (("--part", "unit3"), "unknown drill part 'unit3'"),
    (("--hidden", "3,2,2,2,2"), "must list 1 to 4 hidden layers"),
    (("--lr", "0"), "--lr must be above 0"),
    (("--activation", "step"), "--activation: 'step' is not one of"),
    (("--markdown", "--json"), "not allowed with argument"),
    (("--task", "cluster"), "--task: 'cluster' is not one of regress, classify"),
    (("--optimizer", "rmsprop"), "--optimizer: 'rmsprop' is not one of sgd, momentum, adam"),
    (("--optimizer", "momentum", "--momentum", "1"), "--momentum must be in [0, 1)"),
    (("--optimizer", "adam", "--beta2", "x"), "--beta2: 'x' is not a number"),
    (("--l2", "-0.1"), "--l2 must be at least 0"),
])
def test_bad_input_is_one_error_line(cli: Cli, args: tuple[str, ...], message: str) -> None:
    code, out, err = cli("drill", *args)
    assert code == 2 and out == ""
    assert err.startswith("nntui: error: ") and message in err and err.count("\n") == 1


@settings(max_examples=60, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(
    st.sampled_from(["--seed", "--activation", "--hidden", "--inputs", "--lr", "--part",
                     "--task", "--optimizer", "--l2", "--momentum", "--beta1", "--eps",
                     "--answers", "--markdown", "--json"]),
    st.one_of(st.sampled_from(["0", "1", "8", "9", "1e12", "-1", "unit1", "relu", "tanh",
                               "", "nan", "0.5", "backward", "１", "classify", "adam",
                               "momentum"]), st.text(max_size=6)))
    , max_size=4))
def test_random_arguments_never_break_it(cli: Cli, pairs: list[tuple[str, str]]) -> None:
    argv = ["drill"]
    for flag, value in pairs:
        argv += [flag] if flag in ("--answers", "--markdown", "--json") else [flag, value]
    code, _, err = cli(*argv)
    check(code, err, argv)
