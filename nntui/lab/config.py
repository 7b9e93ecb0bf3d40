"""The experiment configuration: one dataclass, one table of options, one validator.

The command line, TOML files and the app's fields all go through `OPTIONS`, so a value is
parsed and checked the same way wherever it is typed. TOML keys are the option names
without the leading dashes (`test-size = 0.2`); `_` is accepted for `-`.
"""

from __future__ import annotations

import math
import os
import sys
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from nntui.engine.naming import ACTIVATIONS, DATASETS, PRESETS, SCALINGS
from nntui.errors import UserError


@dataclass
class ExperimentConfig:
    """Everything that defines a run; defaults are the notebook's experiment."""

    dataset: str = "generated"
    csv: str | None = None
    features: list[str] | None = None
    target: str | None = None
    rows: int | None = None
    n1_range: tuple[int, int] = (0, 5)
    n2_range: tuple[int, int] = (0, 5)
    noise_range: tuple[float, float] = (0.0, 2.0)
    seed: int = 0
    scale: str = "minmax"
    test_size: float = 0.2
    hidden: int = 2
    activation: str = "relu"
    init: str = "notebook"
    sigma: float = 1.0
    init_seed: int | None = None
    set: dict[str, float] = field(default_factory=dict)
    lr: float = 0.005
    epochs: int = 300
    batch_size: int = 1
    shuffle: bool = False

    def replace(self, **changes: Any) -> ExperimentConfig:
        """A validated copy with some fields changed."""
        new = replace(self, **changes)
        validate(new)
        return new

    @property
    def generated_rows(self) -> int:
        return 100 if self.rows is None else self.rows

    @property
    def effective_init_seed(self) -> int:
        return self.seed if self.init_seed is None else self.init_seed

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/TOML-ready values keyed by option name (None fields left out)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value is None:
                continue
            out[key.replace("_", "-")] = list(value) if isinstance(value, tuple) else value
        return out


# -- parsing single values (shared by the CLI, TOML and the app) ---------------------------
def _number(name: str, text: Any, kind: type) -> Any:
    if isinstance(text, bool):
        raise UserError(f"{name}: expected a number, got {text!r}")
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = text
    else:
        s = str(text).strip()
        try:
            value = int(s) if kind is int else float(s)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise UserError(f"{name}: {s!r} is not {what}") from None
    if kind is int:
        if isinstance(value, float):
            if not value.is_integer():
                raise UserError(f"{name}: {value!r} is not a whole number")
            value = int(value)
        return value
    value = float(value)
    if not math.isfinite(value):
        raise UserError(f"{name}: {text!r} is not a finite number")
    return value


def parse_int(name: str, text: Any) -> int:
    """A whole number for option `name`, or a UserError naming it."""
    return _number(name, text, int)


def _pair(name: str, value: Any, kind: type) -> tuple[Any, Any]:
    parts = [p for p in value.split(",")] if isinstance(value, str) else value
    if not isinstance(parts, list | tuple) or len(parts) != 2:
        raise UserError(f"{name}: expected LO,HI (two numbers), got {value!r}")
    lo, hi = (_number(name, p, kind) for p in parts)
    if lo >= hi:
        raise UserError(f"{name}: LO must be below HI, got {lo},{hi}")
    return lo, hi


def _names(name: str, value: Any) -> list[str]:
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, list | tuple):
        raise UserError(f"{name}: expected a comma-separated list of column names")
    out = [str(p).strip() for p in parts]
    if not out or any(not p for p in out):
        raise UserError(f"{name}: empty column name in {value!r}")
    return out


def _assignments(name: str, value: Any) -> dict[str, float]:
    if isinstance(value, dict):
        items = list(value.items())
    else:
        items = []
        for part in str(value).split(","):
            if "=" not in part:
                raise UserError(f"{name}: expected NAME=VALUE, got {part.strip()!r}")
            key, _, val = part.partition("=")
            items.append((key, val))
    return {str(k).strip(): _number(f"{name} {str(k).strip()}", v, float) for k, v in items}


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    s = str(value).strip().lower()
    if s not in choices:
        raise UserError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return s


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off"):
        return False
    raise UserError(f"{name}: expected true or false, got {value!r}")


PARSERS: dict[str, Any] = {
    "dataset": lambda v: _choice("--dataset", v, DATASETS),
    "csv": lambda v: str(v),
    "features": lambda v: _names("--features", v),
    "target": lambda v: str(v).strip(),
    "rows": lambda v: _number("--rows", v, int),
    "n1_range": lambda v: _pair("--n1-range", v, int),
    "n2_range": lambda v: _pair("--n2-range", v, int),
    "noise_range": lambda v: _pair("--noise-range", v, float),
    "seed": lambda v: _number("--seed", v, int),
    "scale": lambda v: _choice("--scale", v, SCALINGS),
    "test_size": lambda v: _number("--test-size", v, float),
    "hidden": lambda v: _number("--hidden", v, int),
    "activation": lambda v: _choice("--activation", v, ACTIVATIONS),
    "init": lambda v: _choice("--init", v, PRESETS),
    "sigma": lambda v: _number("--sigma", v, float),
    "init_seed": lambda v: _number("--init-seed", v, int),
    "set": lambda v: _assignments("--set", v),
    "lr": lambda v: _number("--lr", v, float),
    "epochs": lambda v: _number("--epochs", v, int),
    "batch_size": lambda v: _number("--batch-size", v, int),
    "shuffle": lambda v: _bool("--shuffle", v),
}


def parse_value(key: str, value: Any) -> Any:
    """Parse one option value (text or TOML value) into its config type; UserError if bad."""
    return PARSERS[key](value)


def validate(cfg: ExperimentConfig) -> None:
    """Cross-field and range checks; the messages say how to fix the value."""
    checks = [
        (cfg.rows is None or cfg.rows >= 2, "--rows must be at least 2"),
        (0.0 <= cfg.test_size < 1.0, f"--test-size must be in [0, 1), got {cfg.test_size}"),
        (1 <= cfg.hidden <= 64, f"--hidden must be between 1 and 64, got {cfg.hidden}"),
        (cfg.sigma > 0.0, f"--sigma must be above 0, got {cfg.sigma}"),
        (cfg.lr > 0.0, f"--lr must be above 0 (try 0.005), got {cfg.lr}"),
        (1 <= cfg.epochs <= 1_000_000, f"--epochs must be between 1 and 1000000, got "
         f"{cfg.epochs}"),
        (cfg.batch_size >= 1, f"--batch-size must be at least 1, got {cfg.batch_size}"),
        (cfg.dataset != "csv" or bool(cfg.csv), "--dataset csv needs --csv PATH"),
        (cfg.seed >= 0 and (cfg.init_seed is None or cfg.init_seed >= 0),
         "--seed and --init-seed must be 0 or more"),
    ]
    for ok, message in checks:
        if not ok:
            raise UserError(message)


def from_mapping(values: dict[str, Any], base: ExperimentConfig | None = None,
                 origin: str = "config") -> ExperimentConfig:
    """Apply option values (key -> raw value) on top of `base`; unknown keys are errors."""
    known = {f.name for f in fields(ExperimentConfig)}
    changes: dict[str, Any] = {}
    for raw_key, value in values.items():
        key = raw_key.replace("-", "_")
        if key not in known:
            raise UserError(
                f"{origin}: unknown key {raw_key!r}; known keys are "
                f"{', '.join(sorted(k.replace('_', '-') for k in known))}"
            )
        changes[key] = parse_value(key, value)
    if changes.get("csv") and "dataset" not in changes:
        changes["dataset"] = "csv"
    cfg = replace(base or ExperimentConfig(), **changes)
    validate(cfg)
    return cfg


#: A checkout's data/experiments, then where `pip install` puts them (share/nntui/...).
PRESET_DIRS = (Path(__file__).resolve().parents[2] / "data" / "experiments",
               Path(sys.prefix) / "share" / "nntui" / "experiments")


def presets() -> dict[str, Path]:
    """The ready experiments shipped in data/experiments (name -> path)."""
    for directory in PRESET_DIRS:
        if directory.is_dir():
            return {p.stem: p for p in sorted(directory.glob("*.toml"))}
    return {}


def resolve_config(path: str) -> str:
    """A path as given, or the preset of that name (`--config lr-sweep`)."""
    if not os.path.exists(path) and path.removesuffix(".toml") in presets():
        return str(presets()[path.removesuffix(".toml")])
    return path


def load_toml(path: str, base: ExperimentConfig | None = None) -> ExperimentConfig:
    """Read a TOML experiment file (data only: nothing in it is executed)."""
    path = resolve_config(path)
    if not os.path.isfile(path):
        what = "is a directory" if os.path.isdir(path) else "not found"
        raise UserError(f"config file {path} {what}")
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config file {path} is not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read config file {path}: {exc}") from None
    sweep = data.pop("sweep", {})  # a preset's [sweep] lists, used by `nntui sweep`
    if not isinstance(sweep, dict) or not all(isinstance(v, list) for v in sweep.values()):
        raise UserError(f"config file {path}: [sweep] must hold lists, e.g. lr = [0.01, 0.1]")
    return from_mapping(data, base, origin=f"config file {path}")


def save_toml(cfg: ExperimentConfig, path: str) -> None:
    """Write the configuration as TOML, atomically (temporary file, then rename)."""
    import tomli_w

    from nntui.lab.storage import atomic_write

    try:
        atomic_write(path, tomli_w.dumps(cfg.to_dict()))
    except OSError as exc:
        raise UserError(f"cannot write config file {path}: {exc.strerror or exc}") from None
