"""The drill's core: its questions are the step record's own numbers, the checking rule,
typed numbers, the flow of one drill, and the exercise sheets."""

from __future__ import annotations

import pytest

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.lab.drill import (
    ABS_TOL,
    HINTED,
    REVEALED,
    RIGHT,
    SKIPPED,
    Drill,
    Question,
    exercise,
    givens,
    parse_answer,
    questions,
    select,
    subsets,
    uses,
)
from nntui.lab.session import Session
from nntui.lab.worked import WorkedStep, worked_step


def step_of(**cfg: object) -> WorkedStep:
    session = Session(ExperimentConfig(**cfg))  # type: ignore[arg-type]
    return worked_step(session.experiment, session.preview())


def expected_quantities(n_inputs: int, n_hidden: int) -> list[str]:
    from nntui.engine.naming import param_names

    names = param_names(n_inputs, n_hidden)
    return [*(q for j in range(1, n_hidden + 1) for q in (f"z{j}", f"h{j}")), "y_hat", "L",
            "dL/dy_hat", *(f"dL/d{n}" for n in names), *(f"new {n}" for n in names)]


@pytest.mark.parametrize("cfg", [{}, {"activation": "sigmoid", "hidden": 3, "seed": 2},
                                 {"activation": "tanh", "init": "normal", "lr": 0.3},
                                 {"hidden": 1, "activation": "linear"}])
def test_answers_are_the_records_own_floats_to_the_last_bit(cfg: dict) -> None:
    session = Session(ExperimentConfig(**cfg))
    session.step()  # a step into the run: weights no longer the preset's
    for index in (None, 3):
        record = session.preview(index)
        ws = worked_step(session.experiment, record)
        t = record.traces[0]
        expected = [*(v for j in range(len(t.z)) for v in (t.z[j], t.h[j])), t.y_hat,
                    t.loss, t.dl_dyhat, *record.grads, *record.params_after]
        qs = questions(ws)
        assert [q.quantity for q in qs] == expected_quantities(2, len(t.z))
        assert [q.answer.hex() for q in qs] == [float(v).hex() for v in expected]
        assert [q.id for q in qs] == list(range(1, len(qs) + 1))


def test_formulas_and_hints_name_the_factors() -> None:
    qs = {q.quantity: q for q in questions(step_of())}  # sample 0: x = (1, 1), notebook init
    assert qs["z1"].hint == "z1 = w1*x1 + w2*x2 + b1 = 0.5*1 + (-0.3)*1 + 0.1"
    assert qs["h2"].hint == "h2 = relu(z2) = relu(0.7)"
    assert qs["y_hat"].formula == "w5*h1 + w6*h2 + b3"
    assert qs["dL/dw3"].formula == "dL/dy_hat * w6 * relu'(z2) * x1"
    assert qs["dL/dw3"].filled == "(-1.71124)*(-0.1)*1*1"
    assert qs["new w6"].hint == "new w6 = w6 - lr*dL/dw6 = (-0.1) - 0.005*(-1.19787)"
    assert qs["new w6"].solution.endswith(" = -0.0940107")


def test_larger_networks_use_the_engines_names() -> None:
    ws = exercise(5, "sigmoid", hidden=3, inputs=3)
    qs = questions(ws)
    assert [q.quantity for q in qs] == expected_quantities(3, 3)
    unit2 = select(qs, "unit 2")
    assert [q.quantity for q in unit2] == ["z2", "h2", "dL/dw4", "dL/dw5", "dL/dw6",
                                           "dL/dw11", "dL/db2", "new w4", "new w5",
                                           "new w6", "new w11", "new b2"]
    assert select(qs, "unit2") == unit2


def test_subsets_and_what_they_are_given() -> None:
    ws = step_of()
    qs = questions(ws)
    assert subsets(2) == ["all", "forward", "backward", "unit 1", "unit 2"]
    assert [q.quantity for q in select(qs, "forward")] == ["z1", "h1", "z2", "h2", "y_hat",
                                                           "L"]
    assert select(qs, "backward")[0].quantity == "dL/dy_hat"
    assert len(select(qs, "forward")) + len(select(qs, "backward")) == len(qs) == 25
    assert givens(ws, "all") == []
    assert givens(ws, "forward") == []  # dL/dy_hat would give y_hat and L away
    assert [n for n, _ in givens(ws, "backward")] == ["z1", "h1", "z2", "h2", "y_hat"]
    assert [n for n, _ in givens(ws, "unit 1")] == ["h2"]  # y_hat would give h1 away
    for bad in ("unit 3", "unit", "sideways"):
        with pytest.raises(UserError, match="choose all, forward, backward or unit1..unit2"):
            select(qs, bad)


def test_a_mini_batch_is_refused_with_a_reason() -> None:
    with pytest.raises(UserError, match="batch size to 1"):
        questions(step_of(batch_size=4))


def q(answer: float, old: float | None = None) -> Question:
    return Question(1, "x", "", "", answer, "forward", None, old)


@pytest.mark.parametrize(("answer", "typed", "right"), [
    (0.123456, 0.123456, True),
    (0.123456, 0.1235, True),  # relative 3.5e-4
    (0.123456, 0.123, True),  # 3 significant digits (relative 3.7e-3)
    (0.123456, 0.1233, True),  # relative 1.3e-3, but the same to 3 digits
    (0.123456, 0.1226, False),  # relative 7e-3: 0.1226 is not 0.123 to 3 digits
    (0.1236, 0.123, False),  # 3 digits of 0.1236 are 0.124
    (0.1235, 0.124, True), (0.1235, 0.123, True),  # a tie rounds either way
    (-2.5, 2.5, False),
    (1234.5, 1234.0, True),
    (1234.5, 1230.0, True),
    (1234.5, 1240.0, False),  # 1234.5 to 3 digits is 1230 (1235 would be a tie)
    (1e-7, 1.0004e-7, True),
    (0.0, 0.0, True),
    (0.0, ABS_TOL, True),
    (0.0, 1e-6, False),
    (5.551115123125783e-17, 0.0, True),  # a rounding residue where 0 is meant
    (float("inf"), 1e300, False), (float("nan"), 0.0, False),  # a diverged step
])
def test_the_checking_rule(answer: float, typed: float, right: bool) -> None:
    assert q(answer).accepts(typed) is right


def test_a_new_parameter_is_checked_on_its_change() -> None:
    new = q(0.500004875, old=0.5)
    assert not new.accepts(0.5)  # the old value back: within 1e-3 relative, but no change
    assert not new.accepts(0.500005)  # change 5e-6 vs 4.875e-6
    assert new.accepts(0.50000488) and new.accepts(0.500004875)
    assert new.shown == "0.50000488" and new.accepts(float(new.shown))


def test_the_shown_answer_is_always_accepted() -> None:
    session = Session(ExperimentConfig(lr=0.0005, init="small"))
    for _ in range(5):
        for question in questions(worked_step(session.experiment, session.preview())):
            assert question.accepts(float(question.shown)), question
        session.step()


@pytest.mark.parametrize(("text", "value"), [
    ("-0.5", -0.5), (".5", 0.5), ("1e-3", 1e-3), ("  2.5 ", 2.5), ("- 0.5", -0.5),
    ("1 000.5", 1000.5), ("+3", 3.0), ("5.", 5.0), ("−0.25", -0.25), ("1E+2", 100.0),
    ("-.5e1", -5.0),
])
def test_typed_numbers(text: str, value: float) -> None:
    assert parse_answer(text) == value


@pytest.mark.parametrize(("text", "message"), [
    ("", "type a number"), ("   ", "type a number"),
    ("abc", "'abc' is not a number: type e.g. -0.5, .5 or 1e-3"),
    ("1..2", "is not a number"), ("0x10", "is not a number"), ("1_000", "is not a number"),
    ("nan", "is not a number"), ("inf", "is not a number"), ("1/2", "is not a number"),
    ("--1", "is not a number"), ("e5", "is not a number"),
    ("0,5", "write decimals with a dot (0.5, not 0,5)"),
    ("1e999", "too large"),
])
def test_garbage_is_a_message_not_a_wrong_answer(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace(".", r"\.")):
        parse_answer(text)


def test_one_drill_right_wrong_hint_answer_skip_and_score() -> None:
    drill = Drill(step_of(), "forward")
    z1, h1, z2, h2, y_hat, loss = drill.questions
    assert drill.answer(z1.shown).kind == RIGHT
    garbage = drill.answer("zero point three")
    assert garbage.kind == "invalid" and drill.current is h1 and not drill.hinted
    wrong = drill.answer("0.5")
    assert wrong.kind == "wrong" and wrong.message == f"Not 0.5. Hint: {h1.hint}"
    assert drill.hinted and drill.current is h1
    assert drill.answer(" 0.3 ").kind == RIGHT  # right after the hint
    assert drill.answer("1").kind == "wrong"
    second = drill.answer("2")
    assert second.kind == REVEALED and second.message == f"Not 2 either: {z2.solution}"
    assert drill.reveal().message == f"Shown: {h2.solution}"
    assert drill.skip().kind == SKIPPED
    assert drill.current is loss and not drill.done
    assert drill.score == "2/5 right (1 first try) · 2 shown · 1 skipped · 1 to go"
    assert drill.answer(loss.shown).kind == RIGHT and drill.done
    assert [r.status for r in drill.results] == [RIGHT, HINTED, REVEALED, REVEALED, SKIPPED,
                                                 RIGHT]
    assert [r.typed for r in drill.results] == [[], [0.5], [1.0, 2.0], [], [], []]
    assert y_hat.quantity == "y_hat" and drill.answer("1").kind == "invalid"


def test_typing_the_old_value_of_a_parameter_says_so() -> None:
    drill = Drill(step_of(), "backward")
    while drill.current is not None and drill.current.old is None:
        drill.skip()
    assert drill.current is not None and drill.current.quantity == "new w1"
    assert "That is w1 before the step" in drill.answer("0.5").message


def test_exercise_numbers_are_rounded_workable_and_seeded() -> None:
    sheets = [exercise(seed) for seed in range(12)]
    for ws in sheets:
        t, r = ws.trace, ws.record
        for v in [*t.x, t.y, *r.params_before]:
            assert v == round(v, 2) and -1.0 <= v <= 1.0
        assert max(t.z) > 0.0 and min(abs(z) for z in t.z) >= 0.05  # an open ReLU, no kink
        assert r.lr == 0.1 and r.params_after != r.params_before
    assert len({tuple(ws.record.params_before) for ws in sheets}) == 12
    again = exercise(7)
    assert again.record.params_before == sheets[7].record.params_before
    assert again.trace.x == sheets[7].trace.x
    assert [q.answer for q in questions(again)] == [q.answer for q in questions(sheets[7])]
    wide = exercise(3, "tanh", hidden=3, inputs=4, lr=0.5)
    assert [q.quantity for q in questions(wide)] == expected_quantities(4, 3)


#: What each value of a 2-2-1 step is computed from (written out by hand, apart from the
#: formulas the drill reads): a value computed from a part's question gives it away.
FROM = {"z1": [], "z2": [], "h1": ["z1"], "h2": ["z2"], "y_hat": ["h1", "h2"],
        "L": ["y_hat"], "dL/dy_hat": ["y_hat"]}


def downstream(name: str) -> set[str]:
    """Every value `name` is computed from, at any depth."""
    return {d for direct in FROM[name] for d in (direct, *downstream(direct))}


@pytest.mark.parametrize("part", ["all", "forward", "backward", "unit 1", "unit 2"])
def test_no_given_gives_a_question_of_its_part_away(part: str) -> None:
    ws = step_of()
    asked = {q.quantity for q in select(questions(ws), part)}
    given = dict(givens(ws, part))
    for name in given:
        assert name not in asked and not downstream(name) & asked, (part, name)
    # what is given is enough: each question's formula uses only the sample, parameters,
    # lr, givens, the part's own questions, or values worked out from those on the way
    known = {*given, *asked, *FROM}
    for q in select(questions(ws), part):
        for name in uses(q):
            assert name in known or name in ("x1", "x2", "y", "lr", "relu", "relu'") \
                or name in ws.names or name.startswith("dL/d"), (q.quantity, name)
    if part == "forward":  # y_hat = y + dL/dy_hat / 2 and L = (dL/dy_hat / 2)^2
        assert given == {}


def test_no_given_of_a_deep_part_is_computed_from_its_questions() -> None:
    ws = exercise(2, "tanh", (3, 2))
    qs = {q.quantity: q for q in questions(ws)}

    def inputs(name: str) -> set[str]:  # the values a question's LayerStep says it uses
        direct = {n for n in qs[name].needs if n in qs}
        return direct.union(*(inputs(n) for n in direct))

    for part in subsets(3, 2):
        asked = {q.quantity for q in select(list(qs.values()), part)}
        for name, _ in givens(ws, part):
            assert not inputs(name) & asked and name not in asked, (part, name)
    assert [n for n, _ in givens(ws, "layer 3")] == ["h2[1]", "h2[2]"]
