"""A drill: the student computes every number of one SGD step, and each answer is checked.

The questions come from a `WorkedStep` (worked.py): the answers are the trainer's own
`StepRecord` floats and the gradients' formulas are its named chain-rule factors, so a drill
can never disagree with the inspector or `nntui step`. Nothing here computes the network.
A network with several hidden layers is drilled layer by layer from the inspector's own
`LayerStep` records (worked_deep.py): z and h of each unit (`z1[2]`, `h1[2]`), y_hat, L,
dL/dy_hat, the δ of each hidden unit from the layer above (`δ2[1]`), every gradient as δ
times its input (`dL/dW2[1,2]`) and every new parameter (`new W2[1,2]`).

The checking rule (stated in the app, the sheets and the README): a typed number is right
when it is within a relative 1e-3 of the answer, or the same to 3 significant digits (within
half a unit of the answer's third digit: 0.123 for 0.123456); within 1e-9 of it counts
too, so an answer of 0 can be checked. A new parameter is checked
on its change (new - old), so that typing the old value back is not right at a small
learning rate.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from nntui.engine.network import Architecture
from nntui.engine.optimizers import Settings
from nntui.engine.scaling import Scaler
from nntui.engine.trainer import Trainer
from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.lab.data import Table
from nntui.lab.experiment import Dataset, Experiment
from nntui.lab.numbers import num
from nntui.lab.worked import WorkedStep, factor, fmt, worked_step
from nntui.lab.worked_deep import Filled, output_filled

REL_TOL = 1e-3
SIG_DIGITS = 3
ABS_TOL = 1e-9
RULE = ("An answer is right within a relative 1e-3 of the key, or when it is the key to 3 "
        "significant digits (0.123 for 0.123456); within 1e-9 counts too, so a 0 can be "
        "checked. A new parameter is checked on its change, new - old.")

FORWARD, BACKWARD = "forward", "backward"
#: Right at the first try, right after the hint, shown after two misses (or asked), skipped.
RIGHT, HINTED, REVEALED, SKIPPED = "right", "hinted", "revealed", "skipped"

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Question:
    """One number of the step: what to compute, how, and the record's own answer."""

    id: int  # its place in the whole drill (1-based), the same in every subset
    quantity: str  # "z1", "h1", "y_hat", "L", "dL/dy_hat", "dL/dw1", "new w1"
    formula: str  # symbolic: "w1*x1 + w2*x2 + b1"
    filled: str  # the formula with the known numbers: "0.5*0.25 + (-0.3)*0.5 + 0.1"
    answer: float  # the StepRecord's float, bit for bit
    part: str  # FORWARD or BACKWARD
    unit: int | None = None  # the hidden unit (0-based) it belongs to; None: the output
    old: float | None = None  # for "new p": p before the step (its change is checked)
    layer: int | None = None  # several hidden layers: its layer (1-based; L+1 the output)
    needs: tuple[str, ...] = ()  # several hidden layers: the known values it uses

    @property
    def hint(self) -> str:
        return f"{self.quantity} = {self.formula} = {self.filled}"

    @property
    def shown(self) -> str:
        """The answer as printed: 6 significant digits, or as many as the check needs
        (a new parameter: enough to show its change), so the shown answer is right."""
        for digits in range(6, 18):
            text = num(self.answer, digits)
            if self.accepts(float(text)):
                return text
        return repr(self.answer)

    @property
    def solution(self) -> str:
        return f"{self.hint} = {self.shown}"

    def accepts(self, typed: float) -> bool:
        """The checking rule (module docstring)."""
        answer = self.answer
        if not math.isfinite(answer):  # a diverged step: no typed number is that
            return False
        if self.old is not None:
            typed, answer = typed - self.old, answer - self.old
        error = abs(typed - answer)
        if error <= max(ABS_TOL, REL_TOL * abs(answer)):
            return True
        if answer == 0.0:
            return False
        # The same to 3 significant digits: within half a unit of the answer's third digit
        # (both 0.123 and 0.124 for 0.1235; a hair of slack for the binary rounding).
        unit = 10.0 ** (math.floor(math.log10(abs(answer))) - (SIG_DIGITS - 1))
        return error <= 0.5 * unit * (1 + 1e-9)


def parse_answer(text: str) -> float:
    """A typed number: `-0.5`, `.5`, `1e-3`, spaces anywhere; anything else a UserError
    that says what to type (it never counts as a wrong answer)."""
    compact = "".join(text.split()).replace("\u2212", "-")  # the typographic minus too
    if not compact:
        raise UserError("type a number (e.g. -0.5, .5 or 1e-3), then Enter")
    if "," in compact and "." not in compact and _NUMBER.fullmatch(compact.replace(",", ".")):
        raise UserError(f"{text.strip()!r}: write decimals with a dot "
                        f"({compact.replace(',', '.')}, not {compact})")
    if not _NUMBER.fullmatch(compact):
        raise UserError(f"{text.strip()!r} is not a number: type e.g. -0.5, .5 or 1e-3")
    value = float(compact)
    if not math.isfinite(value):
        raise UserError(f"{text.strip()!r} is too large to be an answer")
    return value


def _sum(terms: list[tuple[str, str]], bias: tuple[str, str]) -> tuple[str, str]:
    """(`w1*x1 + w2*x2 + b1`, `0.5*0.25 + (-0.3)*0.5 + 0.1`) from (symbol, number) pairs."""
    return (" + ".join([*(s for s, _ in terms), bias[0]]),
            " + ".join([*(n for _, n in terms), bias[1]]))


def questions(ws: WorkedStep) -> list[Question]:
    """Every question of the step, in order: z1, h1, ..., y_hat, L, dL/dy_hat, each
    dL/dp and each new p (parameter order, the names of engine/naming.py)."""
    if len(ws.record.indices) != 1:
        raise UserError("the drill works on one sample at a time: set the batch size to 1")
    if ws.exp.arch.depth > 1:
        return _layered_questions(ws)
    arch, t, r, names = ws.exp.arch, ws.trace, ws.record, ws.names
    p, g = r.params_before, arch.activation
    out: list[Question] = []

    def ask(quantity: str, formula: str, filled: str, answer: float, part: str,
            unit: int | None = None, old: float | None = None) -> None:
        out.append(Question(len(out) + 1, quantity, formula, filled, answer, part, unit,
                            old))

    for j in range(arch.n_hidden):
        u, b = j + 1, arch.hidden_bias(j)
        ks = [arch.input_weight(j, i) for i in range(arch.n_inputs)]
        formula, filled = _sum(
            [(f"{names[k]}*x{i + 1}", f"{factor(p[k])}*{factor(t.x[i])}")
             for i, k in enumerate(ks)], (names[b], factor(p[b])))
        ask(f"z{u}", formula, filled, t.z[j], FORWARD, j)
        ask(f"h{u}", f"{g}(z{u})", f"{g}({fmt(t.z[j])})", t.h[j], FORWARD, j)
    formula, filled = _sum(
        [(f"{names[arch.output_weight(j)]}*h{j + 1}",
          f"{factor(p[arch.output_weight(j)])}*{factor(t.h[j])}")
         for j in range(arch.n_hidden)], (names[arch.output_bias], factor(p[arch.output_bias])))
    ends, top = output_filled(ws, formula, filled, (), "*")
    for f in ends:  # y_hat and L (classify: z_out, y_hat = sigmoid(z_out), L)
        ask(f.name, f.symbol, f.numbers, f.value, FORWARD)
    ask(top.name, top.symbol, top.numbers, top.value, BACKWARD)  # the output's δ
    chain = ws.chain()
    for k, term in enumerate(chain):
        # dL/dy_hat is already known by now: the product starts from its name.
        first, *rest = term.factors
        ask(f"dL/d{term.name}", " * ".join([first.name, *(f.symbol for f in rest)]),
            "*".join(factor(f.value) for f in term.factors), r.grads[k], BACKWARD,
            term.unit if term.unit is not None else _output_unit(ws, k))
    units = [q.unit for q in out[-len(names):]]
    for k in range(len(names)):
        f = new_parameter(ws, k)
        ask(f.name, f.symbol, f.numbers, f.value, BACKWARD, units[k], p[k])
    return out


def _layered_questions(ws: WorkedStep) -> list[Question]:
    """The questions of a network with several hidden layers, from its LayerSteps: the
    forward values layer by layer, dL/dy_hat, δ from the top hidden layer down, then
    each dL/dp and each new p in parameter order."""
    from nntui.lab.worked_deep import layer_steps

    r, names = ws.record, ws.names
    steps = layer_steps(ws, "*")
    out: list[Question] = []

    def ask(f: Filled, part: str, unit: int | None, layer: int, answer: float | None = None,
            old: float | None = None) -> None:
        out.append(Question(len(out) + 1, f.name, f.symbol, f.numbers,
                            f.value if answer is None else answer, part, unit, old, layer,
                            f.needs))

    for step in steps:
        for i, f in enumerate(step.forward):
            ask(f, FORWARD, step.units[i // 2] if step.units else None, step.number)
    ask(steps[-1].backward[0], BACKWARD, None, steps[-1].number)  # dL/dy_hat
    for step in reversed(steps[:-1]):
        for j, d in enumerate(step.deltas):
            ask(d.filled, BACKWARD, step.units[j], step.number)
    layer_of = {g.index: (step, g) for step in steps for g in step.gradients}
    units = [term.unit for term in ws.chain()]  # the hidden unit whose z p feeds
    for k in range(len(names)):  # the record's gradient: a batch of one row's, unchanged
        step, g = layer_of[k]
        ask(g.filled, BACKWARD, units[k], step.number, r.grads[k])
    for k in range(len(names)):
        ask(new_parameter(ws, k), BACKWARD, units[k], layer_of[k][0].number,
            old=r.params_before[k])
    return out


def new_parameter(ws: WorkedStep, k: int) -> Filled:
    """`new p` with the update rule the step used, every term filled in from the record's
    optimizer terms (engine/optimizers.py): plain SGD p - lr*dL/dp; L2 adds λ*p to a
    weight's gradient; momentum p + (β*v - lr*g); Adam p - lr*m̂/(√v̂ + ε) with m̂ and v̂
    written out. The state before the step (v; m and v) and the constants are part of the
    formula, so the question can be worked from what it says."""
    r, name = ws.record, ws.names[k]
    p, after, grad = r.params_before[k], r.params_after[k], f"dL/d{name}"
    needs = (name, "lr", grad)
    step = r.optimizer
    if step is None:
        return Filled(f"new {name}", f"{name} - lr*{grad}",
                      f"{factor(p)} - {factor(r.lr)}*{factor(r.grads[k])}", after, needs)
    s, tm = step.settings, step.terms[k]
    decayed = tm.decay != 0.0 or (s.l2 != 0.0 and k < ws.exp.arch.n_weights)
    g_sym = f"({grad} + λ*{name})" if decayed else grad
    g_num = (f"({factor(tm.grad)} + {fmt(s.l2)}*{factor(p)})" if decayed
             else factor(tm.grad))
    given = [f"λ = {fmt(s.l2)}"] if decayed else []
    if s.name == "sgd":
        symbol, numbers = f"{name} - lr*{g_sym}", f"{factor(p)} - {factor(r.lr)}*{g_num}"
    elif s.name == "momentum":
        (v,) = tm.state_before
        symbol = f"{name} + (β*v - lr*{g_sym})"
        numbers = f"{factor(p)} + ({fmt(s.momentum)}*{factor(v)} - {factor(r.lr)}*{g_num})"
        given = [f"β = {fmt(s.momentum)}", f"v = {fmt(v)} (its velocity before)", *given]
    else:
        m, v = tm.state_before
        symbol = (f"{name} - lr*m̂/(√v̂ + ε), m̂ = (β1*m + (1-β1)*g)/(1-β1^t), "
                  f"v̂ = (β2*v + (1-β2)*g^2)/(1-β2^t), g = {g_sym}")
        m_hat = (f"({fmt(s.beta1)}*{factor(m)} + {fmt(1.0 - s.beta1)}*{g_num})/"
                 f"{fmt(step.c1)}")
        v_hat = (f"({fmt(s.beta2)}*{factor(v)} + {fmt(1.0 - s.beta2)}*{g_num}^2)/"
                 f"{fmt(step.c2)}")
        numbers = (f"{factor(p)} - {factor(r.lr)}*({m_hat})/(√({v_hat}) + {fmt(s.eps)})")
        given = [f"β1 = {fmt(s.beta1)}", f"β2 = {fmt(s.beta2)}", f"ε = {fmt(s.eps)}",
                 f"t = {step.t}", f"m = {fmt(m)}", f"v = {fmt(v)} (its moments before)",
                 *given]
    return Filled(f"new {name}", f"{symbol} (with {', '.join(given)})" if given else symbol,
                  numbers, after, needs)


def _output_unit(ws: WorkedStep, k: int) -> int | None:
    """The hidden unit an output weight leaves from (None for the output bias)."""
    arch = ws.exp.arch
    units = [j for j in range(arch.n_hidden) if arch.output_weight(j) == k]
    return units[0] if units else None


def subsets(n_hidden: int, depth: int = 1) -> list[str]:
    """The subsets a drill can ask: all, forward, backward, then one per hidden unit (one
    per layer, the output layer last, with several hidden layers)."""
    if depth > 1:
        return ["all", FORWARD, BACKWARD, *(f"layer {n}" for n in range(1, depth + 2))]
    return ["all", FORWARD, BACKWARD, *(f"unit {j + 1}" for j in range(n_hidden))]


def select(qs: list[Question], subset: str) -> list[Question]:
    """The questions of a subset (`subsets()`; `unit2` works too), in drill order."""
    if subset == "all":
        return list(qs)
    if subset in (FORWARD, BACKWARD):
        return [q for q in qs if q.part == subset]
    layers = {q.layer for q in qs if q.layer is not None}
    if layers:  # several hidden layers: a part is a layer
        n = subset.strip().lower().removeprefix("layer").strip()
        if subset.strip().lower().startswith("layer") and n.isdigit() and int(n) in layers:
            return [q for q in qs if q.layer == int(n)]
        raise UserError(f"unknown drill part {subset!r}: choose all, forward, backward or "
                        f"layer1..layer{max(layers)}")
    unit = subset.strip().lower().removeprefix("unit").strip()
    units = {q.unit for q in qs if q.unit is not None}
    if subset.strip().lower().startswith("unit") and unit.isdigit() and int(unit) - 1 in units:
        return [q for q in qs if q.unit == int(unit) - 1]
    raise UserError(f"unknown drill part {subset!r}: choose all, forward, backward or "
                    f"unit1..unit{len(units)}")


_NAME = re.compile(r"dL/d\w+(?:\[[\d,]+\])?|δ\w*(?:\[[\d,]+\])?|[A-Za-z_]\w*(?:\[[\d,]+\])?")


def uses(q: Question) -> set[str]:
    """The names a question's formula is computed from (`Question.needs` when known)."""
    return set(q.needs) if q.needs else set(_NAME.findall(q.formula))


def givens(ws: WorkedStep, subset: str) -> list[tuple[str, float]]:
    """The values of the step a subset needs but does not ask, and none that gives its
    answers away: a value computed from one of the subset's questions (dL/dy_hat for the
    forward part: y_hat and L follow from it; y_hat for a unit: its h follows) is never
    given; the student works it out on the way, from what is given."""
    qs = questions(ws)
    asked = {q.quantity for q in select(qs, subset)}
    by_name = {q.quantity: q for q in qs}

    def reveals(name: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether the value `name` is computed (at any depth) from an asked question."""
        q = by_name.get(name)
        return q is not None and name not in seen and any(
            dep in asked or reveals(dep, seen | {name}) for dep in uses(q))

    given: set[str] = set()
    todo = [dep for name in asked for dep in uses(by_name[name])]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name in asked or name not in by_name:
            continue  # a parameter, x, y, lr or a function name: given or not a value
        seen.add(name)
        if reveals(name):
            todo += uses(by_name[name])  # worked out on the way, from what it uses
        else:
            given.add(name)
    return [(q.quantity, q.answer) for q in qs if q.quantity in given]


@dataclass
class Result:
    """What became of one question."""

    question: Question
    status: str  # RIGHT, HINTED, REVEALED or SKIPPED
    typed: list[float] = field(default_factory=list)  # the numbers typed, in order


@dataclass(frozen=True)
class Outcome:
    """What the screen says after Enter: `kind` is "invalid", RIGHT, "wrong" (the hint is
    shown) or REVEALED (second miss: the answer is shown, the drill moves on)."""

    kind: str
    message: str


class Drill:
    """One step's drill: questions asked in order, two tries each, a score."""

    def __init__(self, ws: WorkedStep, subset: str = "all") -> None:
        self.ws = ws
        self.subset = subset
        self.questions = select(questions(ws), subset)
        self.results: list[Result] = []
        self.typed: list[float] = []  # the current question's tries so far

    @property
    def current(self) -> Question | None:
        n = len(self.results)
        return self.questions[n] if n < len(self.questions) else None

    @property
    def done(self) -> bool:
        return self.current is None

    @property
    def hinted(self) -> bool:
        """The current question has been missed once: its hint is shown."""
        return bool(self.typed)

    def _close(self, status: str) -> Question:
        q = self.current
        assert q is not None
        self.results.append(Result(q, status, self.typed))
        self.typed = []
        return q

    def answer(self, text: str) -> Outcome:
        """Check a typed answer. Text that is not a number uses no try."""
        q = self.current
        if q is None:
            return Outcome("invalid", "the drill is done")
        try:
            value = parse_answer(text)
        except UserError as exc:
            return Outcome("invalid", str(exc)[:1].upper() + str(exc)[1:] + ".")
        if q.accepts(value):
            self._close(HINTED if self.typed else RIGHT)
            return Outcome(RIGHT, f"Right: {q.quantity} = {q.shown}.")
        self.typed.append(value)
        change = (f"lr*dL/d{q.quantity[4:]}" if self.ws.record.optimizer is None
                  else "what the update rule adds")
        old = (f" That is {q.quantity[4:]} before the step: the change is {change}."
               if q.old is not None and value == q.old else "")
        if len(self.typed) == 1:
            return Outcome("wrong", f"Not {num(value)}.{old} Hint: {q.hint}")
        self._close(REVEALED)
        return Outcome(REVEALED, f"Not {num(value)} either: {q.solution}")

    def reveal(self) -> Outcome:
        q = self._close(REVEALED)
        return Outcome(REVEALED, f"Shown: {q.solution}")

    def skip(self) -> Outcome:
        q = self._close(SKIPPED)
        return Outcome(SKIPPED, f"Skipped: {q.solution}")

    def count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.results)

    @property
    def score(self) -> str:
        """`4/5 right (3 at the first try) · 1 shown · 0 skipped · 14 to go`."""
        answered = len(self.results)
        return (f"{self.count(RIGHT, HINTED)}/{answered} right ({self.count(RIGHT)} first "
                f"try) · {self.count(REVEALED)} shown · {self.count(SKIPPED)} skipped · "
                f"{len(self.questions) - answered} to go")


#: The sheets' learning rate: large enough that every update shows in 2-3 digits.
SHEET_LR = 0.1
#: A sheet is redrawn (from the same seed) while a z is this close to a ReLU kink, the
#: prediction this close to the target, or every ReLU unit is off: nothing to work out.
SHEET_MARGIN = 0.05


def _round2(values: np.ndarray) -> list[float]:
    return [round(float(v), 2) + 0.0 for v in values]


def exercise(seed: int, activation: str = "relu", hidden: int | tuple[int, ...] = 2,
             inputs: int = 2, lr: float = SHEET_LR, task: str = "regress",
             optimizer: Settings | None = None) -> WorkedStep:
    """A randomized hand exercise: small weights and one sample rounded to 2 decimals,
    drawn from `seed` (the same seed, the same sheet), and the engine's own step on them:
    a one-row, unscaled experiment whose trainer makes the update. `task` classify draws
    a 0/1 target (sigmoid output, cross-entropy); `optimizer` is the update rule (its
    first update: momentum's v and Adam's m, v start at 0, t = 1), plain SGD by default."""
    if not isinstance(hidden, int) and len(hidden) == 1:
        hidden = hidden[0]
    settings = optimizer or Settings()
    arch = Architecture.of(inputs, hidden, activation, task)
    rng = np.random.default_rng([seed, 12])
    for _ in range(1000):
        x = _round2(rng.uniform(0.0, 1.0, inputs))
        y = ([float(rng.integers(0, 2))] if task == "classify"
             else _round2(rng.uniform(0.0, 1.0, 1)))
        theta = _round2(rng.uniform(-1.0, 1.0, arch.n_params))
        trainer = Trainer(arch, np.array(theta), np.array([x]), np.array(y),
                          np.empty((0, inputs)), np.empty(0), lr=lr, compiled=False,
                          optimizer=settings)
        record = trainer.peek()
        t = record.traces[0]
        if (min(abs(z) for z in t.z) >= SHEET_MARGIN and abs(t.y_hat - t.y) >= SHEET_MARGIN
                and (activation != "relu" or all(max(lt.z) > 0.0 for lt in t.layers))):
            break
    table = Table(np.array([x]), np.array(y), [f"x{i + 1}" for i in range(inputs)], "y",
                  classes=["0", "1"] if task == "classify" else None)
    dataset = Dataset(table, np.array([0]), np.array([], dtype=int),
                      Scaler.fit("none", table.x), Scaler.fit("none", table.y))
    cfg = ExperimentConfig(seed=seed, scale="none", test_size=0.0, hidden=hidden,
                           activation=activation, lr=lr, set=dict(zip(arch.names, theta)),
                           task=task, optimizer=settings.name, momentum=settings.momentum,
                           beta1=settings.beta1, beta2=settings.beta2, eps=settings.eps,
                           l2=settings.l2)
    return worked_step(Experiment(cfg, dataset, arch, trainer), record, numeric=False)
