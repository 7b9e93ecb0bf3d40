"""What the fit view draws: predictions against the truth, and the fitted function.

Two pictures of the same network (issue 12, item 3):

- `scatter`: predicted against actual target for the training and test rows;
- `along_input`: y_hat along one input with the others held at their training median,
  split into what each unit of the last hidden layer adds (w5·h1, w6·h2, ...; in a
  deeper network `W3[1,2]·h2[2]`) plus the output bias, so a dead unit is a flat line;
  with the target function where it is known (generated data).

Every number comes from the engine's vectorised forward (`Architecture.layer_values`) and
the run's scalers, in original units by default or in the scaled units the network trains
in.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import ref

import numpy as np

from nntui.engine.naming import unit_name
from nntui.engine.network import Architecture
from nntui.lab.experiment import Dataset, Experiment

ORIGINAL, SCALED = "original", "scaled"
#: Rows drawn per part in the scatter: evenly spaced, so a large table stays cheap to draw.
SCATTER_LIMIT = 400
#: Points along the chosen input.
CURVE_POINTS = 121


def evenly(n: int, limit: int) -> np.ndarray:
    """At most `limit` evenly spaced indices of range(n), the first and last included."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, max(limit, 2))).astype(int))


@dataclass
class Scatter:
    """Actual and predicted target per part ("train", "test"), in `units`."""

    actual: dict[str, np.ndarray]
    predicted: dict[str, np.ndarray]
    units: str
    target: str  # the target column's name


def scatter(exp: Experiment, theta: np.ndarray | None = None, scaled: bool = False,
            limit: int = SCATTER_LIMIT) -> Scatter:
    """Predicted vs actual for (at most `limit` evenly spaced) training and test rows."""
    t, ds = exp.trainer, exp.dataset
    theta = t.theta if theta is None else theta
    actual: dict[str, np.ndarray] = {}
    predicted: dict[str, np.ndarray] = {}
    for part, x, y, rows in (("train", t.x_train, t.y_train, ds.train_idx),
                             ("test", t.x_test, t.y_test, ds.test_idx)):
        keep = evenly(len(y), limit)  # the trainer's scaled rows: nothing re-scaled
        pred = exp.arch.predict(theta, x[keep])
        if scaled:
            actual[part], predicted[part] = y[keep], pred
        else:
            actual[part] = ds.table.y[rows[keep]]
            predicted[part] = ds.y_scaler.inverse(pred)
    return Scatter(actual, predicted, SCALED if scaled else ORIGINAL, ds.table.target)


@dataclass
class Curve:
    """The fitted function along one input, the others held at their training median."""

    input_name: str
    x: np.ndarray  # the chosen input's values (in `units`)
    y_hat: np.ndarray
    parts: dict[str, np.ndarray]  # "w5·h1" -> that unit's contribution; "b3" -> the bias
    target: np.ndarray | None  # the known target function (generated data), else None
    target_label: str
    held: dict[str, float]  # the other inputs' training medians (in `units`, as the axis)
    units: str


def unit_labels(arch: Architecture) -> list[str]:
    """'w5·h1', 'w6·h2', ... ('W3[1,2]·h2[2]' in a deeper network): each last-hidden-layer
    unit's output weight times its output."""
    last = arch.depth - 1
    return [f"{arch.names[arch.output_weight(j)]}·{unit_name('h', last, j, arch.depth)}"
            for j in range(arch.widths[last])]


def target_function(exp: Experiment, x: np.ndarray) -> tuple[np.ndarray, str] | None:
    """The generated data's expected target at inputs `x` (original units), or None.

    `data.generated` draws n3 = n1**2 + n2 + noise with uniform noise in [lo, hi): its
    expected value is n1**2 + n2 + (lo + hi) / 2. Tables have no known function.
    """
    cfg = exp.config
    if cfg.dataset != "generated":
        return None
    lo, hi = cfg.noise_range
    mean_noise = (lo + hi) / 2
    label = "target n1²+n2" + (f"+{mean_noise:g} (mean noise)" if mean_noise else "")
    return x[:, 0] ** 2 + x[:, 1] + mean_noise, label


_medians: tuple[ref[Dataset], np.ndarray] | None = None  # the last dataset's


def medians(ds: Dataset) -> np.ndarray:
    """Each input's median over the training rows (original units): worked out once per
    dataset, not on every live redraw (a large table's median takes a while)."""
    global _medians
    if _medians is None or _medians[0]() is not ds:
        _medians = ref(ds), np.median(ds.raw("train")[0], axis=0)
    return _medians[1]


def along_input(exp: Experiment, index: int, theta: np.ndarray | None = None,
                scaled: bool = False, points: int = CURVE_POINTS) -> Curve:
    """y_hat and each unit's contribution along input `index` over the table's range.

    In original units a contribution is v_j·h_j times the target's scale span and the
    bias is b·span + shift, so the parts add up to y_hat (to rounding); in scaled units
    they are exactly the products the forward pass sums.
    """
    theta = exp.trainer.theta if theta is None else theta
    ds, arch = exp.dataset, exp.arch
    column = ds.table.x[:, index]
    held = medians(ds)
    x_orig = np.tile(held, (points, 1))
    x_orig[:, index] = np.linspace(column.min(), column.max(), points)
    x_scaled = ds.x_scaler.transform(x_orig)
    _, hs, y_hat = arch.layer_values(theta, x_scaled)
    w_out, b_out = arch.layer_params(theta)[-1]
    v, c = w_out[0], float(b_out[0])
    with np.errstate(all="ignore"):
        contrib = hs[-1] * v  # the products the forward pass sums, unit by unit
    bias_name = arch.names[arch.output_bias]
    known = target_function(exp, x_orig)
    target = known[0] if known is not None else None
    if scaled:
        parts = {label: contrib[:, j] for j, label in enumerate(unit_labels(arch))}
        parts[bias_name] = np.full(points, c)
        if target is not None:
            target = ds.y_scaler.transform(target)
        xs, ys = x_scaled[:, index], y_hat
    else:
        span, shift = ds.y_scaler.span, ds.y_scaler.shift
        with np.errstate(all="ignore"):
            parts = {label: contrib[:, j] * span for j, label in enumerate(unit_labels(arch))}
            parts[bias_name] = np.full(points, c * span + shift)
        xs, ys = x_orig[:, index], ds.y_scaler.inverse(y_hat)
    names = ds.table.features
    held_here = x_scaled[0] if scaled else held
    return Curve(names[index], xs, ys, parts, target, known[1] if known else "",
                 {n: float(m) for i, (n, m) in enumerate(zip(names, held_here)) if i != index},
                 SCALED if scaled else ORIGINAL)
