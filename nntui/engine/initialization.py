"""Initial-weight presets (the notebook's experiments) and overrides by parameter name.

Fixed presets give the same numbers for every seed so that two students comparing notes see
the same start; random presets draw from a generator seeded by the init seed.
"""

from __future__ import annotations

import math

import numpy as np

from nntui.engine.naming import PRESETS, check_overrides
from nntui.engine.network import Architecture
from nntui.errors import UserError

#: Moderate values; unit 1 (0.5*x1 - 0.3*x2 + 0.1) is off for part of the [0,1]^2 square,
#: so the 2-2-1 default shows both open and closed ReLU gates.
NOTEBOOK_WEIGHTS = (0.5, -0.3, 0.2, 0.4, 0.6, -0.1, 0.3, 0.25, -0.45, 0.35)
NOTEBOOK_HIDDEN_BIAS = 0.1
NOTEBOOK_OUTPUT_BIAS = 0.0
#: Large: magnitudes 2-3 with mixed signs; small is the same pattern divided by 1000.
LARGE_VALUES = (2.5, -2.0, 3.0, 2.2, -2.8, 2.6, -2.4, 2.9, 2.1, -2.7)

PRESET_HELP = {
    "notebook": "fixed moderate values (w cycle 0.5, -0.3, 0.2, 0.4, ...; hidden b 0.1)",
    "large": "fixed values of size 2-3 with mixed signs",
    "small": "the large pattern / 1000 (about 0.002)",
    "ones": "every weight and bias 1",
    "normal": "weights and biases ~ N(0, σ²), σ = --sigma",
    "uniform": "weights and biases ~ U(-σ, σ), σ = --sigma",
    "xavier": "weights ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)); biases 0",
    "he": "weights ~ N(0, σ²) with σ = sqrt(2 / fan_in); biases 0",
}


def _cycle(values: tuple[float, ...], count: int) -> list[float]:
    return [values[i % len(values)] for i in range(count)]


def initial_params(
    arch: Architecture, preset: str, seed: int = 0, sigma: float = 1.0
) -> np.ndarray:
    """The parameter vector of a preset (see PRESET_HELP), for every layer.

    Fixed presets cycle their values over the vector in parameter order; xavier and he
    draw each weight layer in turn (the first hidden layer first, the output layer last).
    """
    m = arch.n_params
    if preset == "notebook":
        values = _cycle(NOTEBOOK_WEIGHTS, arch.n_weights)
        values += [NOTEBOOK_HIDDEN_BIAS] * sum(arch.widths) + [NOTEBOOK_OUTPUT_BIAS]
        return np.array(values)
    if preset == "large":
        return np.array(_cycle(LARGE_VALUES, m))
    if preset == "small":
        return np.array(_cycle(LARGE_VALUES, m)) / 1000.0
    if preset == "ones":
        return np.ones(m)
    rng = np.random.default_rng([seed, 2])
    if preset == "normal":
        return rng.normal(0.0, sigma, size=m)
    if preset == "uniform":
        return rng.uniform(-sigma, sigma, size=m)
    if preset in ("xavier", "he"):
        theta = np.zeros(m)
        for weights, _ in arch.layer_params(theta):  # views: filled in place
            fan_out, fan_in = weights.shape
            if preset == "xavier":
                a = math.sqrt(6.0 / (fan_in + fan_out))
                weights[:] = rng.uniform(-a, a, size=weights.shape)
            else:
                weights[:] = rng.normal(0.0, math.sqrt(2.0 / fan_in), size=weights.shape)
        return theta
    raise UserError(f"unknown init preset {preset!r}; choose one of {', '.join(PRESETS)}")


def apply_overrides(arch: Architecture, theta: np.ndarray, overrides: dict[str, float]) -> None:
    """Set parameters by name in place (names checked first)."""
    check_overrides(arch.n_inputs, arch.hidden, overrides)
    names = arch.names
    for name, value in overrides.items():
        theta[names.index(name)] = value
