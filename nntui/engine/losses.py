"""One specification per task: the output unit, its loss, the output δ, code, scikit-learn.

`regress`: a linear output y_hat = z_out and the squared error L = (y_hat - y)², whose output
δ = dL/dz_out = dL/dy_hat = 2(y_hat - y). `classify`: a sigmoid output y_hat = σ(z_out)
and the binary cross-entropy L = -(y log y_hat + (1 - y) log(1 - y_hat)). Its δ simplifies:
dL/dy_hat · dy_hat/dz = (y_hat - y)/(y_hat(1 - y_hat)) · y_hat(1 - y_hat) = y_hat - y.

L is computed from z_out, never from y_hat, so it has no log(0): with e = exp(-|z|),
log(1 + exp(-z)) = log1p(e) + max(-z, 0) (the log-sum-exp form), so
L = log1p(e) + max(z, 0) - z*y for y in {0, 1}. exp only sees -|z| and never overflows.

Every user reads the task from here, as activations.py is read for the hidden units: the
readable trace (scalar functions), the vectorised passes (array forms), the generated fast
loop (code templates, which perform exactly the scalar functions' operations, so every path
agrees bit for bit) and the framework check (scikit-learn's class and output activation).
numpy is imported inside the array functions only (the command line needs `TASKS` early).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nntui.errors import UserError

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Loss:
    """Everything nntui needs to know about one task's output and loss.

    `code` holds statements with {zo} (the output's z, already set), {yh} (set it to
    y_hat), {d} (set it to δ = dL/dz_out) and {e} (scratch); they perform exactly the
    operations of `output` and `delta`, so the fast loop and the trace agree bit for bit.
    """

    task: str
    name: str  # what the loss is called
    formula: str  # L as the worked step writes it
    output_name: str  # the output unit's activation
    sklearn_class: str  # MLPRegressor or MLPClassifier
    sklearn_output: str  # scikit-learn's out_activation_
    output: Callable[[float], float]  # y_hat from z_out
    value: Callable[[float, float], float]  # L from z_out and y
    delta: Callable[[float, float], float]  # dL/dz_out from y_hat and y
    array_output: Callable[[np.ndarray], np.ndarray]
    array_value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    code: tuple[str, ...]
    delta_formula: str  # δ as written in the worked step
    halved_by_sklearn: bool  # scikit-learn minimises ½L (its δ is half of nntui's)


# -- regression: linear output, squared error ------------------------------------------
def _identity(z: float) -> float:
    return z


def _squared(z: float, y: float) -> float:
    err = z - y
    return err * err


def _two_err(y_hat: float, y: float) -> float:
    return 2.0 * (y_hat - y)


def _identity_array(z: np.ndarray) -> np.ndarray:
    return z


def _squared_array(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    err = z - y
    return err * err


# -- classification: sigmoid output, binary cross-entropy from z ------------------------
def sigmoid(z: float) -> float:
    """σ(z) with exp(-|z|) only: never overflows (the same form as the sigmoid units)."""
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)


def _bce(z: float, y: float) -> float:
    e = math.exp(-abs(z))
    return math.log1p(e) + (max(z, 0.0) - z * y)


def _minus(y_hat: float, y: float) -> float:
    return y_hat - y


def _sigmoid_array(z: np.ndarray) -> np.ndarray:
    import numpy as np

    from nntui.engine.activations import libm

    with np.errstate(all="ignore"):
        e = libm(math.exp, -np.abs(z))
        return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _bce_array(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    import numpy as np

    from nntui.engine.activations import libm

    with np.errstate(all="ignore"):
        e = libm(math.exp, -np.abs(z))
        return libm(math.log1p, e) + (np.maximum(z, 0.0) - z * y)


_SPECS: dict[str, Loss] = {s.task: s for s in (
    Loss("regress", "squared error", "L = (y_hat - y)^2", "linear", "MLPRegressor",
         "identity", _identity, _squared, _two_err, _identity_array, _squared_array,
         code=("{d} = 2.0 * ({zo} - y)",), delta_formula="2(y_hat - y)",
         halved_by_sklearn=True),
    Loss("classify", "binary cross-entropy",
         "L = -(y log y_hat + (1 - y) log(1 - y_hat))", "sigmoid", "MLPClassifier",
         "logistic", sigmoid, _bce, _minus, _sigmoid_array, _bce_array,
         code=("{e} = exp(-abs({zo}))",
               "{yh} = 1.0 / (1.0 + {e}) if {zo} >= 0.0 else {e} / (1.0 + {e})",
               "{d} = {yh} - y"),
         delta_formula="(y_hat - y)", halved_by_sklearn=False),
)}

#: Valid tasks, default first.
TASKS: tuple[str, ...] = tuple(_SPECS)


def loss(task: str) -> Loss:
    """The specification of `task`; an unknown one is a UserError listing the valid ones."""
    spec = _SPECS.get(task) if isinstance(task, str) else None
    if spec is None:
        raise UserError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    return spec
