"""The option registry: every experiment option described once.

An `Option` says how a value is parsed (from a flag, a TOML value or a field's text), how
it is shown as text again, its help and field label, which sidebar panel holds it, what a
change invalidates, how a sweep separates its alternatives and whether it may be left
blank. `ExperimentConfig` (config.py) declares each of its fields with `option(...)`, so
the command line, TOML files, the app's sidebar, sweeps and the session's rules all derive
from the same entries: adding an option is one entry plus its use.

Numpy-free on purpose: the command line and the app's first paint need it early.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nntui.errors import UserError

#: What a change of the option invalidates, from least to most.
LIVE, MODEL, DATA = "live", "model", "data"

#: Kinds of value; each has one parser and one formatter below.
KINDS = ("choice", "int", "float", "int-pair", "float-pair", "names", "text", "assignments",
         "bool", "widths")

#: Numbers a field or flag may hold: beyond these, arithmetic overflows or memory runs out.
NUMBER_LIMIT = 1e12


@dataclass(frozen=True)
class Option:
    """One setting of an experiment (see the module docstring)."""

    key: str  # the config field, e.g. "n1_range"
    kind: str
    help: str
    label: str  # the sidebar label
    panel: str  # "data", "init" or "learn"
    invalidates: str  # LIVE, MODEL or DATA
    metavar: str = ""
    choices: tuple[str, ...] = ()
    blankable: bool = False  # empty text means "the default" (None)
    placeholder: str = ""  # the field's hint when blank
    renames_params: bool = False  # a change can change what w1, w2, ... name
    sweep_values: tuple[Any, ...] = ()  # the classic values offered by a sweep
    check: Callable[[Any], str | None] | None = None  # a range check: a message if bad
    allow_point: bool = False  # a pair may have LO = HI (noise 0,0: no noise)

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")

    @property
    def name(self) -> str:
        """The option's name in TOML files and run documents (`test-size`)."""
        return self.key.replace("_", "-")

    @property
    def sweep_separator(self) -> str:
        """Values that contain commas themselves are separated by ';' in a sweep."""
        return ";" if self.kind in ("int-pair", "float-pair", "names", "assignments") else ","

    def parse(self, value: Any) -> Any:
        """Parse text (a flag or a field) or a TOML value; a UserError says what is wrong."""
        if self.blankable and (value is None or (isinstance(value, str) and not value.strip())):
            return None
        parsed = PARSERS[self.kind](self, value)
        if self.check is not None and parsed is not None:
            problem = self.check(parsed)
            if problem:
                raise UserError(f"{self.flag} {problem}")
        return parsed

    def format(self, value: Any) -> str:
        """The value as text that `parse` reads back (field text, tables, labels)."""
        return format_value(value)

    def alternatives(self, text: str | list[str]) -> list[str]:
        """The alternatives written in one sweep value (`0.1,1` or `0,5;0,20`).

        Layer widths: `1,3` is two one-layer networks, as ever; with a `;` in it the
        alternatives are whole width lists (`3,2;4,4`, or `3,2;` for a single one).
        A repeated flag (`--set w1=0.1;w1=2 --set w2=0`, a list): every combination of
        its values' alternatives, joined as one value (`w1=0.1,w2=0`, `w1=2,w2=0`).
        """
        if isinstance(text, list):
            combos = itertools.product(*(self.alternatives(t) for t in text))
            return [",".join(combo) for combo in combos]
        by_semicolon = self.sweep_separator == ";" or (self.kind == "widths" and ";" in text)
        parts = text.split(";") if by_semicolon else text.replace(";", ",").split(",")
        return [p.strip() for p in parts if p.strip()] or [text]


def format_value(value: Any) -> str:
    """Any config value as text: numbers in shortest form, lists joined by commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}" if float(f"{value:g}") == value else repr(value)
    if isinstance(value, dict):
        return ",".join(f"{k}={format_value(v)}" for k, v in value.items())
    if isinstance(value, tuple | list):
        return ",".join(format_value(v) for v in value)
    return str(value)


# -- parsers (one per kind) -----------------------------------------------------------------
def _number(flag: str, value: Any, whole: bool) -> int | float:
    if isinstance(value, bool):
        raise UserError(f"{flag}: expected a number, got {value!r}")
    if isinstance(value, int | float):
        number: int | float = value
    else:
        text = str(value).strip()
        try:
            number = int(text) if whole else float(text)
        except ValueError:
            try:  # "1e3" is a whole number too
                number = float(text)
            except ValueError:
                what = "a whole number" if whole else "a number"
                raise UserError(f"{flag}: {text!r} is not {what}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise UserError(f"{flag}: {value!r} is not a finite number")
    if abs(number) > NUMBER_LIMIT:
        raise UserError(f"{flag}: {value!r} is too large (the limit is ±{NUMBER_LIMIT:g})")
    if whole:
        if isinstance(number, float):
            if not number.is_integer():
                raise UserError(f"{flag}: {value!r} is not a whole number")
            number = int(number)
        return number
    return float(number)


def _pair(opt: Option, value: Any) -> tuple[Any, Any]:
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, list | tuple) or len(parts) != 2:
        raise UserError(f"{opt.flag}: expected LO,HI (two numbers), got {value!r}")
    whole = opt.kind == "int-pair"
    lo, hi = (_number(opt.flag, p, whole) for p in parts)
    if lo > hi or (lo == hi and not opt.allow_point):
        below = "at most" if opt.allow_point else "below"
        raise UserError(f"{opt.flag}: LO must be {below} HI, got {lo},{hi}")
    return lo, hi


def _names(opt: Option, value: Any) -> list[str]:
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, list | tuple):
        raise UserError(f"{opt.flag}: expected a comma-separated list of column names")
    out = [str(p).strip() for p in parts]
    if not out or any(not p for p in out):
        raise UserError(f"{opt.flag}: empty column name in {value!r}")
    return out


def _assignments(opt: Option, value: Any) -> dict[str, float]:
    """`w1=0.5,b3=-0.1` (text), a TOML table, or a list of either (a repeated `--set`):
    the assignments merged in order, so a later value of the same name wins. Spaces in a
    name are dropped: `W2[1, 2]` is the parameter `W2[1,2]`."""
    if isinstance(value, list | tuple):
        merged: dict[str, float] = {}
        for one in value:
            merged.update(_assignments(opt, one))
        return merged
    if isinstance(value, dict):
        items = list(value.items())
    else:
        items = []
        for part in split_outside_brackets(str(value)):
            if "=" not in part:
                raise UserError(f"{opt.flag}: expected NAME=VALUE, got {part.strip()!r}")
            key, _, val = part.partition("=")
            items.append((key, val))
    out: dict[str, float] = {}
    for k, v in items:
        name = "".join(str(k).split())
        out[name] = float(_number(f"{opt.flag} {name}", v, False))
    return out


def split_outside_brackets(text: str) -> list[str]:
    """`W2[1,2]=0.5,b1=1` -> ['W2[1,2]=0.5', 'b1=1']: the commas of a deep name stay."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(text):
        depth += (char == "[") - (char == "]")
        if char == "," and depth <= 0:
            parts.append(text[start:at])
            start, depth = at + 1, 0
    return [*parts, text[start:]]


def _widths(opt: Option, value: Any) -> int | tuple[int, ...]:
    """A layer width (`2`) or a list of them (`3,2`, TOML [3, 2]); one layer stays an int.

    The option's `check` says whether the widths are allowed.
    """
    if isinstance(value, str):
        parts: Any = value.split(",")
    elif isinstance(value, list | tuple):
        parts = value
    else:
        parts = [value]
    if isinstance(value, str) and not value.strip():
        raise UserError(f"{opt.flag}: expected hidden-layer widths such as 2 or 3,2, got ''")
    widths = tuple(int(_number(opt.flag, p, True)) for p in parts)
    return widths[0] if len(widths) == 1 else widths


def _choice(opt: Option, value: Any) -> str:
    text = str(value).strip().lower()
    if text not in opt.choices:
        raise UserError(f"{opt.flag}: {value!r} is not one of {', '.join(opt.choices)}")
    return text


def _bool(opt: Option, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise UserError(f"{opt.flag}: expected true or false (on/off), got {value!r}")


def _text(opt: Option, value: Any) -> str:
    if isinstance(value, dict | list | bool) or value is None:
        raise UserError(f"{opt.flag}: expected text, got {value!r}")
    return str(value).strip()


PARSERS: dict[str, Callable[[Option, Any], Any]] = {
    "choice": _choice,
    "int": lambda opt, v: _number(opt.flag, v, True),
    "float": lambda opt, v: _number(opt.flag, v, False),
    "int-pair": _pair,
    "float-pair": _pair,
    "names": _names,
    "text": _text,
    "assignments": _assignments,
    "bool": _bool,
    "widths": _widths,
}


# -- range checks shared by several options -------------------------------------------------
def at_least(low: float) -> Callable[[Any], str | None]:
    return lambda v: None if v >= low else \
        f"must be at least {format_value(low)}, got {format_value(v)}"


def between(low: float, high: float) -> Callable[[Any], str | None]:
    return lambda v: None if low <= v <= high else \
        f"must be between {format_value(low)} and {format_value(high)}, got {format_value(v)}"


def above(low: float, hint: str = "") -> Callable[[Any], str | None]:
    return lambda v: None if v > low else \
        f"must be above {format_value(low)}{hint}, got {format_value(v)}"


def option(default: Any, kind: str, help: str, label: str, panel: str, invalidates: str,
           **extra: Any) -> Any:
    """A dataclass field of ExperimentConfig that carries its Option (see config.py)."""
    if kind not in KINDS:
        raise ValueError(f"unknown option kind {kind!r}")
    meta = {"option": dict(kind=kind, help=help, label=label, panel=panel,
                           invalidates=invalidates, **extra)}
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)
