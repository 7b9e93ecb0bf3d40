"""Names the command line and the app need before numpy is loaded (start-up stays fast).

`ACTIVATIONS` comes from the activation specifications (numpy-free as well).

Parameter names (docs/design.md §2). A network with one hidden layer keeps the notebook's
flat names: w1..w[n*k+k], then b1..b[k+1]. A deeper network names each parameter by its
layer and units, 1-based, so a student can read where it sits: `W2[1,3]` is the weight of
layer 2 into its unit 1 from unit 3 of layer 1, `b2[1]` that unit's bias; layer L+1 is the
output layer (`W3[1,2]`, `b3[1]` in a 2-3-2-1 network). Both schemes use the one parameter
order: every layer's weights (unit by unit, each in input order), then every layer's
biases, so the 2-2-1 vector is w1..w6, b1..b3 either way.
"""

from __future__ import annotations

from collections.abc import Sequence

from nntui.engine.activations import ACTIVATIONS
from nntui.errors import UserError

__all__ = ["ACTIVATIONS", "DATASETS", "MAX_LAYERS", "MAX_WIDTH", "PRESETS", "RANDOM_PRESETS",
           "SCALINGS", "check_overrides", "check_widths", "hidden_widths", "param_names",
           "unit_name"]

DATASETS = ("generated", "diabetes", "csv", "blobs", "circle")
SCALINGS = ("minmax", "standard", "none")
PRESETS = ("notebook", "large", "small", "ones", "normal", "uniform", "xavier", "he")
RANDOM_PRESETS = ("normal", "uniform", "xavier", "he")
#: At most this many hidden layers of at most this many units: every number stays readable.
MAX_LAYERS = 4
MAX_WIDTH = 16


def hidden_widths(hidden: int | Sequence[int]) -> tuple[int, ...]:
    """The hidden layers' widths of a `--hidden` value (`2` or `(3, 2)`)."""
    return (int(hidden),) if isinstance(hidden, int) else tuple(int(k) for k in hidden)


def check_widths(widths: Sequence[int]) -> str | None:
    """What is wrong with a list of hidden-layer widths (None if nothing)."""
    if not 1 <= len(widths) <= MAX_LAYERS:
        return f"must list 1 to {MAX_LAYERS} hidden layers, got {len(widths)}"
    for k in widths:
        if not 1 <= k <= MAX_WIDTH:
            return f"needs 1 to {MAX_WIDTH} units in each hidden layer, got {k}"
    return None


def layer_sizes(n_inputs: int, hidden: int | Sequence[int]) -> tuple[int, ...]:
    """(inputs, hidden widths..., 1): the sizes weight layer l maps from (l) and to (l+1)."""
    return (n_inputs, *hidden_widths(hidden), 1)


def param_names(n_inputs: int, hidden: int | Sequence[int]) -> list[str]:
    """Every parameter's name in vector order (see the module docstring)."""
    sizes = layer_sizes(n_inputs, hidden)
    if len(sizes) == 3:  # one hidden layer: the notebook's w1..w[n*k+k], b1..b[k+1]
        n, k = sizes[0], sizes[1]
        return [f"w{i}" for i in range(1, n * k + k + 1)] + [
            f"b{j}" for j in range(1, k + 2)]
    layers = range(1, len(sizes))
    weights = [f"W{n}[{j},{i}]" for n in layers
               for j in range(1, sizes[n] + 1) for i in range(1, sizes[n - 1] + 1)]
    biases = [f"b{n}[{j}]" for n in layers for j in range(1, sizes[n] + 1)]
    return weights + biases


def unit_name(kind: str, layer: int, unit: int, depth: int) -> str:
    """A hidden value's name: `z2` in a one-hidden-layer network, `z1[2]` in a deeper one.

    `layer` and `unit` are 0-based; `kind` is z, h, δ, ...
    """
    return f"{kind}{unit + 1}" if depth == 1 else f"{kind}{layer + 1}[{unit + 1}]"


def check_overrides(n_inputs: int, hidden: int | Sequence[int],
                    overrides: dict[str, float]) -> None:
    """An unknown parameter name is a UserError that lists the valid ones."""
    names = param_names(n_inputs, hidden)
    for name in overrides:
        if name not in names:
            raise UserError(
                f"--set {name}: this network has no parameter {name!r}; it has "
                f"{names[0]}..{names[len(names) - sum(hidden_widths(hidden)) - 2]} and "
                f"{names[len(names) - sum(hidden_widths(hidden)) - 1]}..{names[-1]}"
            )
