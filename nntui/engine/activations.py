"""One specification per hidden-layer activation: value, derivative, code, scikit-learn name.

Every user of an activation reads it from here: the readable trace (scalar functions), the
vectorised passes (array functions), the generated fast loop (code templates) and the
framework check (scikit-learn's name). numpy is imported inside the array functions only,
because the command line and the app need `ACTIVATIONS` before numpy is loaded.

Derivatives are computed from z, not from h = g(z): h(1 - h) and 1 - h^2 lose every digit
once a unit saturates (|z| beyond about 20-37), while e / (1 + e)^2 with e = exp(-|z|) keeps
full relative precision for every z (docs/design.md §2).

The chain rule dL/dz = dL/dh * g'(z) follows one convention everywhere (`chain`): where
g'(z) is exactly 0 (a closed ReLU gate, a unit saturated beyond exp's range) dL/dz is exactly
0, even when dL/dh is infinite (0 x inf would be NaN). The step path, the fast loop and the
compiled kernel (`_kernel.c`, which writes each template's lines in C) all follow it, so they
perform the same floating-point operations and agree bit for bit. The array forms give the
scalar forms' bits too (`libm`): the epoch losses of every path are the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nntui.errors import UserError

if TYPE_CHECKING:
    import numpy as np

#: The fast loop's default dL/dz line: the `chain` convention written out.
CHAIN_CODE = "{dz} = {dlh} * {gp} if {gp} != 0.0 else 0.0"


@dataclass(frozen=True)
class Activation:
    """Everything nntui needs to know about one activation g.

    Code templates are statements with the placeholders {z} (the unit's input), {h} (set
    it to g(z)), {gp} (set it to g'(z) when `chain_code` reads it), {e} (a scratch
    variable), and in `chain_code` {dlh} (an expression for dL/dh) and {dz} (set it to
    dL/dz). They must perform exactly the operations of `value`, `derivative` and `chain`,
    so that the fast loop and `Architecture.trace` agree bit for bit (tests check this).
    """

    name: str
    sklearn_name: str  # MLPRegressor's name for the same function
    value: Callable[[float], float]
    derivative: Callable[[float], float]  # g'(z), computed from z
    array_value: Callable[[np.ndarray], np.ndarray]
    array_derivative: Callable[[np.ndarray], np.ndarray]
    code: tuple[str, ...]  # sets {h}, and {gp} if chain_code uses it
    chain_code: str = CHAIN_CODE  # sets {dz}; equal to chain(dlh, g'(z)) bit for bit


def chain(dl_dh: float, gp: float) -> float:
    """dL/dz = dL/dh * g'(z), exactly 0 where g'(z) is 0 (never 0 x inf = NaN)."""
    return dl_dh * gp if gp != 0.0 else 0.0


def libm(fn: Callable[[float], float], a: np.ndarray) -> np.ndarray:
    """`fn` (math.exp or math.tanh, the C library's) elementwise.

    numpy's own exp and tanh are SIMD code that may differ from the C library's in the last
    bit; the scalar functions, the fast loop and the compiled kernel all call the C
    library, so the array forms do too and every path gives the same bits.
    """
    import numpy as np

    return np.fromiter(map(fn, a.ravel().tolist()), float, a.size).reshape(a.shape)


# -- ReLU: g'(0) = 0 by convention --------------------------------------------------------
def _relu(z: float) -> float:
    return z if z > 0.0 else 0.0


def _relu_prime(z: float) -> float:
    return 1.0 if z > 0.0 else 0.0


def _relu_array(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.where(z > 0.0, z, 0.0)


def _relu_prime_array(z: np.ndarray) -> np.ndarray:
    return (z > 0.0).astype(float)


# -- sigmoid: exp only ever sees -|z|, so it never overflows ------------------------------
def _sigmoid(z: float) -> float:
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)


def _sigmoid_prime(z: float) -> float:
    e = math.exp(-abs(z))
    return e / ((1.0 + e) * (1.0 + e))


def _sigmoid_array(z: np.ndarray) -> np.ndarray:
    import numpy as np

    with np.errstate(all="ignore"):  # exp(-|z|) underflows to 0 for |z| > 745: correct
        e = libm(math.exp, -np.abs(z))
        return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_prime_array(z: np.ndarray) -> np.ndarray:
    import numpy as np

    with np.errstate(all="ignore"):
        e = libm(math.exp, -np.abs(z))
        return e / ((1.0 + e) * (1.0 + e))


# -- tanh: tanh'(z) = 1 - tanh(z)^2 = 4e / (1 + e)^2 with e = exp(-2|z|) -------------------
def _tanh_prime(z: float) -> float:
    e = math.exp(-2.0 * abs(z))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _tanh_array(z: np.ndarray) -> np.ndarray:
    return libm(math.tanh, z)


def _tanh_prime_array(z: np.ndarray) -> np.ndarray:
    import numpy as np

    with np.errstate(all="ignore"):  # -2|z| may overflow to -inf, exp then gives 0
        e = libm(math.exp, -2.0 * np.abs(z))
        return 4.0 * e / ((1.0 + e) * (1.0 + e))


# -- linear ---------------------------------------------------------------------------------
def _identity(z: float) -> float:
    return z


def _one(z: float) -> float:
    return 1.0


def _identity_array(z: np.ndarray) -> np.ndarray:
    return z


def _ones_array(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.ones_like(z)


_SPECS: dict[str, Activation] = {a.name: a for a in (
    Activation(
        "relu", "relu", _relu, _relu_prime, _relu_array, _relu_prime_array,
        code=("{h} = {z} if {z} > 0.0 else 0.0",),
        # chain(dlh, 1.0) == dlh exactly and chain(dlh, 0.0) == 0.0: no multiply needed.
        chain_code="{dz} = {dlh} if {z} > 0.0 else 0.0",
    ),
    Activation(
        "sigmoid", "logistic", _sigmoid, _sigmoid_prime, _sigmoid_array,
        _sigmoid_prime_array,
        code=("{e} = exp(-abs({z}))",
              "{h} = 1.0 / (1.0 + {e}) if {z} >= 0.0 else {e} / (1.0 + {e})",
              "{gp} = {e} / ((1.0 + {e}) * (1.0 + {e}))"),
    ),
    Activation(
        "tanh", "tanh", math.tanh, _tanh_prime, _tanh_array, _tanh_prime_array,
        code=("{h} = tanh({z})",
              "{e} = exp(-2.0 * abs({z}))",
              "{gp} = 4.0 * {e} / ((1.0 + {e}) * (1.0 + {e}))"),
    ),
    Activation(
        "linear", "identity", _identity, _one, _identity_array, _ones_array,
        code=("{h} = {z}",),
        chain_code="{dz} = {dlh}",  # chain(dlh, 1.0) == dlh exactly
    ),
)}

#: Valid activation names, in the order the command line and the app list them.
ACTIVATIONS: tuple[str, ...] = tuple(_SPECS)


def activation(name: str) -> Activation:
    """The specification of `name`; an unknown name is a UserError listing the valid ones."""
    spec = _SPECS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise UserError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return spec
