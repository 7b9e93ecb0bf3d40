"""Plain-Python activations (value, derivative from z), as a student writes them: the
independent reference the drill tests compute their steps with, never the engine's."""

from __future__ import annotations

import math
from collections.abc import Callable

G: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)),
                lambda z: 1 / (1 + math.exp(-z)) * (1 - 1 / (1 + math.exp(-z)))),
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "linear": (lambda z: z, lambda z: 1.0),
}
