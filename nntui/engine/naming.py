"""Names the command line and the app need before numpy is loaded (start-up stays fast).

`ACTIVATIONS` comes from the activation specifications (numpy-free as well).
"""

from __future__ import annotations

from nntui.engine.activations import ACTIVATIONS
from nntui.errors import UserError

__all__ = ["ACTIVATIONS", "DATASETS", "PRESETS", "RANDOM_PRESETS", "SCALINGS",
           "check_overrides", "param_names"]

DATASETS = ("generated", "diabetes", "csv")
SCALINGS = ("minmax", "standard", "none")
PRESETS = ("notebook", "large", "small", "ones", "normal", "uniform", "xavier", "he")
RANDOM_PRESETS = ("normal", "uniform", "xavier", "he")


def param_names(n_inputs: int, n_hidden: int) -> list[str]:
    """w1..w[n*k+k] then b1..b[k+1] (docs/design.md §2)."""
    n_weights = n_inputs * n_hidden + n_hidden
    return [f"w{i}" for i in range(1, n_weights + 1)] + [
        f"b{j}" for j in range(1, n_hidden + 2)]


def check_overrides(n_inputs: int, n_hidden: int, overrides: dict[str, float]) -> None:
    """An unknown parameter name is a UserError that lists the valid ones."""
    names = param_names(n_inputs, n_hidden)
    for name in overrides:
        if name not in names:
            raise UserError(
                f"--set {name}: this network has no parameter {name!r}; it has "
                f"w1..w{n_inputs * n_hidden + n_hidden} and b1..b{n_hidden + 1}"
            )
