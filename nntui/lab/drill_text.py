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


#: A deeper network's parameters are given in groups of at most this many (a table per
#: group on a sheet), each group within one weight layer.
GROUP = 9


#: What a classification sheet's student needs to know of the output.
CLASSIFY_OUTPUT = ("sigmoid(z) = 1/(1 + e^-z); with the cross-entropy, dL/dz_out = "
                   "y_hat - y (the y_hat(1 - y_hat) of sigmoid' cancels)")
#: The output and loss of each task, as a sheet states them.
OUTPUTS = {
    "regress": "linear output), L = (y_hat - y)^2",
    "classify": "sigmoid output y_hat = sigmoid(z_out)), a 0/1 target y, "
                "L = -(y ln(y_hat) + (1 - y) ln(1 - y_hat))",
}


def update_rule(ws: WorkedStep) -> str:
    """The step's update rule in one phrase: plain SGD, or the optimizer with its
    constants and the state it starts from (the record's own settings)."""
    step = ws.record.optimizer
    if step is None:
        return "one SGD step p <- p - lr*dL/dp"
    s = step.settings
    decay = (f", with L2 weight decay g = dL/dp + λ*p on the weights (λ = {fmt(s.l2)})"
             if s.l2 else "")
    if s.name == "sgd":
        return f"one SGD step p <- p - lr*g{decay or ', g = dL/dp'}"
    if s.name == "momentum":
        return (f"one momentum step v <- β*v - lr*g, p <- p + v (β = {fmt(s.momentum)}, "
                f"update t = {step.t}){decay or ', g = dL/dp'}")
    return (f"one Adam step m <- β1*m + (1-β1)*g, v <- β2*v + (1-β2)*g^2, "
            f"p <- p - lr*m̂/(√v̂ + ε) with m̂ = m/(1-β1^t), v̂ = v/(1-β2^t) "
            f"(β1 = {fmt(s.beta1)}, β2 = {fmt(s.beta2)}, ε = {fmt(s.eps)}, t = {step.t})"
            f"{decay or ', g = dL/dp'}")


def network_line(ws: WorkedStep) -> str:
    arch = ws.exp.arch
    layers = ("" if arch.depth == 1 else f"{arch.depth} hidden layers, ")
    return (f"a {arch.shape} network ({layers}{arch.activation} hidden units, "
            f"{OUTPUTS[arch.task]}, {update_rule(ws)}")


def _param_groups(ws: WorkedStep) -> list[list[tuple[str, float]]]:
    """The parameters before the step: one group (one hidden layer), or per weight layer,
    each layer's weights then its biases, at most GROUP to a group."""
    arch, p, names = ws.exp.arch, ws.record.params_before, ws.names
    if arch.depth == 1:
        return [list(zip(names, p))]
    groups = []
    for layer in range(arch.depth + 1):
        ks = [arch.weight(layer, j, i) for j in range(arch.sizes[layer + 1])
              for i in range(arch.sizes[layer])]
        ks += [arch.bias(layer, j) for j in range(arch.sizes[layer + 1])]
        groups += [[(names[k], p[k]) for k in ks[n : n + GROUP]]
                   for n in range(0, len(ks), GROUP)]
    return groups


def given_values(ws: WorkedStep, subset: str = "all") -> list[list[tuple[str, float]]]:
    """What is given, in groups: the sample; every parameter before the step and lr; what
    the subset does not ask but needs (`drill.givens`; empty for the whole drill)."""
    t, r = ws.trace, ws.record
    *params, last = _param_groups(ws)
    return [[*((f"x{i + 1}", v) for i, v in enumerate(t.x)), ("y", t.y)],
            *params, [*last, ("lr", r.lr)], givens(ws, subset)]


def needed_values(ws: WorkedStep, q: Question) -> list[tuple[str, float]]:
    """The known values question `q` uses (several hidden layers: `Question.needs`), by
    name: the sample, parameters, lr, and the answers of the questions before it."""
    t, r = ws.trace, ws.record
    known = {**{f"x{i + 1}": v for i, v in enumerate(t.x)}, "y": t.y, "lr": r.lr,
             **dict(zip(ws.names, r.params_before))}
    known.update((other.quantity, other.answer) for other in questions(ws)
                 if other.id < q.id)
    return [(name, known[name]) for name in dict.fromkeys(q.needs) if name in known]


def given_lines(ws: WorkedStep, subset: str = "all",
                current: Question | None = None) -> list[str]:
    """The givens as `name = value` lines, one per group (the drill screen's top). With
    several hidden layers there are too many to list: the sample and lr, then the values
    the current question uses."""
    if ws.exp.arch.depth > 1 and current is not None:
        t, r = ws.trace, ws.record
        sample = [*((f"x{i + 1}", v) for i, v in enumerate(t.x)), ("y", t.y), ("lr", r.lr)]
        uses = "  ".join(f"{name} = {fmt(v)}" for name, v in needed_values(ws, current))
        return ["  ".join(f"{name} = {fmt(v)}" for name, v in sample),
                f"{current.quantity} uses: {uses}"]
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
    step = ws.record.optimizer
    rule = "SGD" if step is None or step.settings.name == "sgd" else {
        "momentum": "momentum", "adam": "Adam"}[step.settings.name]
    title = f"Drill sheet {seed}: one {rule} step by hand"
    out = [f"# {title}" if markdown else f"{title}\n{'=' * len(title)}", "",
           f"The network: {network_line(ws)}.", "",
           f"Activation: {code(DEFINITIONS[ws.exp.arch.activation])}.", "",
           *([f"Output: {code(CLASSIFY_OUTPUT)}.", ""] if ws.exp.arch.task == "classify"
             else []),
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
        "network": {"inputs": arch.n_inputs, "hidden": arch.n_hidden,
                    "layers": list(arch.widths), "shape": arch.shape},
        "sample": {"x": list(t.x), "y": t.y},
        "params": dict(zip(ws.names, r.params_before)),
        "lr": r.lr,
        "task": arch.task,
        "optimizer": None if r.optimizer is None else {
            "name": r.optimizer.settings.name, "momentum": r.optimizer.settings.momentum,
            "beta1": r.optimizer.settings.beta1, "beta2": r.optimizer.settings.beta2,
            "eps": r.optimizer.settings.eps, "l2": r.optimizer.settings.l2,
            "t": r.optimizer.t},
        "part": subset,
        "rule": RULE,
        "questions": [question_json(q) for q in select(questions(ws), subset)],
    }
