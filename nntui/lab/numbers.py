"""The one number formatter: what every table, equation and summary prints."""

from __future__ import annotations

DIGITS = 6  # significant digits shown by default


def num(value: float | None, digits: int = DIGITS) -> str:
    """`value` with `digits` significant digits; '-' for a missing one; -0.0 prints as 0."""
    if value is None:
        return "-"
    return f"{value + 0.0:.{digits}g}"
