"""The one number formatter: what every table, equation and summary prints."""

from __future__ import annotations

DIGITS = 6  # significant digits shown by default


def num(value: float | None, digits: int = DIGITS) -> str:
    """`value` with `digits` significant digits; '-' for a missing one; -0.0 prints as 0."""
    if value is None:
        return "-"
    return f"{value + 0.0:.{digits}g}"


SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def compact(value: float | None, digits: int = 3) -> str:
    """`value` in few characters, for a one-line status: `1.48M`, `12.3k`, `0.0531`,
    `9.96e-4` (SI suffixes above 1000, a short exponent below 0.01); '-' for a missing one."""
    if value is None:
        return "-"
    value += 0.0
    size = abs(value)
    for scale, suffix in SI:
        if size >= scale * (1 - 0.5 * 10.0 ** -digits):
            return f"{value / scale:.{digits}g}{suffix}"
    if 0 < size < 0.01:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return num(value, digits)
