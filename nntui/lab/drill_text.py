"""A drill as text: the exercise sheets of `nntui drill` (plain, Markdown, JSON) and the
lines the app's drill screen shows (what is given, the activation's definition)."""

from __future__ import annotations

from typing import Any

from nntui.lab.drill import RULE, Question, givens, questions, select
from nntui.lab.worked import WorkedStep, fmt

#: What a student needs to know of each activation to work a step by hand.
DEFINITIONS = {
    "relu": "relu(z) = max(0, z); relu'(z) = 1 if z > 0, else 0 (relu'(0) = 0)",
    "sigmoid": "sigmoid(z) = 1/(1 + e^-z); sigmoid'(z) = sigmoid(z)*(1 - sigmoid(z))",
    "tanh": "tanh(z) = (e^z - e^-z)/(e^z + e^-z); tanh'(z) = 1 - tanh(z)^2",
    "linear": "linear(z) = z; linear'(z) = 1",
}


def network_line(ws: WorkedStep) -> str:
    arch = ws.exp.arch
    return (f"a {arch.n_inputs}-{arch.n_hidden}-1 network ({arch.activation} hidden units, "
            "linear output), L = (y_hat - y)^2, one SGD step p <- p - lr*dL/dp")


def given_values(ws: WorkedStep, subset: str = "all") -> list[list[tuple[str, float]]]:
    """What is given, in groups: the sample; every parameter before the step and lr; what
    the subset does not ask but needs (`drill.givens`; empty for the whole drill)."""
    t, r = ws.trace, ws.record
    return [[*((f"x{i + 1}", v) for i, v in enumerate(t.x)), ("y", t.y)],
            [*zip(ws.names, r.params_before), ("lr", r.lr)], givens(ws, subset)]


def given_lines(ws: WorkedStep, subset: str = "all") -> list[str]:
    """The givens as `name = value` lines, one per group (the drill screen's top)."""
    return ["  ".join(f"{name} = {fmt(v)}" for name, v in group)
            for group in given_values(ws, subset) if group]


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table: columns of numbers (or blanks) right-aligned, text left."""
    align = ["---:" if all(_numeric(c) for c in col[1:]) else "---"
             for col in zip(head, *rows)]
    return ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|",
            *("| " + " | ".join(row) + " |" for row in rows)]


def _numeric(cell: str) -> bool:
    try:
        float(cell.strip() or "0")
    except ValueError:
        return False
    return True


def _plain(head: list[str], rows: list[list[str]]) -> list[str]:
    """A plain-text table, columns padded."""
    widths = [max(len(c) for c in col) for col in zip(head, *rows)]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
            for row in (head, *rows)]


def sheet(ws: WorkedStep, seed: int, subset: str = "all", answers: bool = False,
          markdown: bool = False) -> str:
    """The exercise sheet: what is given, the questions with blanks, the answer key."""
    qs = select(questions(ws), subset)
    table = _table if markdown else _plain
    code = (lambda s: f"`{s}`") if markdown else (lambda s: s)
    blank = " " if markdown else "__________"
    given = [table([n for n, _ in group], [[fmt(v) for _, v in group]]) + [""]
             for group in given_values(ws, subset) if group]
    title = f"Drill sheet {seed}: one SGD step by hand"
    out = [f"# {title}" if markdown else f"{title}\n{'=' * len(title)}", "",
           f"The network: {network_line(ws)}.", "",
           f"Activation: {code(DEFINITIONS[ws.exp.arch.activation])}.", "",
           "## Given" if markdown else "Given", "",
           *(line for lines in given for line in lines),
           "## Questions" if markdown else "Questions", "",
           f"Work them out in order. {RULE}", "",
           *table(["#", "quantity", "formula", "answer"],
                  [[str(q.id), q.quantity, code(q.formula), blank] for q in qs])]
    if answers:
        out += ["", "## Answer key" if markdown else "Answer key", "",
                *table(["#", "quantity", "worked", "answer"],
                       [[str(q.id), q.quantity, code(q.filled), q.shown] for q in qs])]
    return "\n".join(out)


def question_json(q: Question) -> dict[str, Any]:
    return {"id": q.id, "quantity": q.quantity, "formula": q.formula, "worked": q.filled,
            "answer": q.answer}


def sheet_json(ws: WorkedStep, seed: int, subset: str = "all") -> dict[str, Any]:
    """The `nntui drill --json` object: the exercise and every question with its answer."""
    arch, t, r = ws.exp.arch, ws.trace, ws.record
    return {
        "seed": seed,
        "activation": arch.activation,
        "network": {"inputs": arch.n_inputs, "hidden": arch.n_hidden},
        "sample": {"x": list(t.x), "y": t.y},
        "params": dict(zip(ws.names, r.params_before)),
        "lr": r.lr,
        "part": subset,
        "rule": RULE,
        "questions": [question_json(q) for q in select(questions(ws), subset)],
    }
