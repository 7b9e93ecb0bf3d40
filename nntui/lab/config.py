"""The experiment configuration: one dataclass whose fields are the option registry.

Each field is declared with `option(...)` (options.py): its default, parser, help, field
label, panel, what a change invalidates, sweep separator and blankability live in that one
entry. The command line, TOML files, the app's fields and sweeps all go through `OPTIONS`,
so a value is parsed and checked the same way wherever it is typed. TOML keys are the
option names without the leading dashes (`test-size = 0.2`); `_` is accepted for `-`.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from nntui.engine.losses import TASKS
from nntui.engine.naming import ACTIVATIONS, PRESETS, SCALINGS, check_widths, hidden_widths
from nntui.engine.optimizers import OPTIMIZERS
from nntui.errors import UserError
from nntui.lab.options import (
    DATA,
    LIVE,
    MODEL,
    Option,
    above,
    at_least,
    between,
    option,
)

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from nntui.engine.optimizers import Settings

DATASETS = ("generated", "diabetes", "csv", "blobs", "circle")
MAX_ROWS = 1_000_000  # beyond this (at 4 x 16 hidden units) the arrays take gigabytes
MAX_EPOCHS = 1_000_000
MAX_CONFIG_BYTES = 2**20  # a TOML experiment is a few hundred bytes


@dataclass
class ExperimentConfig:
    """Everything that defines a run; defaults are the notebook's experiment."""

    dataset: str = option(
        "generated", "choice", "data source", "source", "data", DATA,
        metavar="|".join(DATASETS), choices=DATASETS, renames_params=True,
        sweep_values=DATASETS[:2])
    csv: str | None = option(
        None, "text", "CSV file to read (implies --dataset csv)", "CSV path", "data", DATA,
        metavar="PATH", blankable=True, placeholder="path/to/file.csv", renames_params=True)
    features: list[str] | None = option(
        None, "names", "feature columns (default: bmi,bp for diabetes; all but the target "
        "for a CSV)", "features", "data", DATA, metavar="A,B", blankable=True,
        placeholder="default", renames_params=True)
    target: str | None = option(
        None, "text", "target column (default: progression / the last CSV column)",
        "target", "data", DATA, metavar="C", blankable=True, placeholder="default")
    rows: int | None = option(
        None, "int", "rows to draw (generated, default 100) or the first rows to keep "
        "(tables, default all)", "rows", "data", DATA, metavar="N", blankable=True,
        placeholder="all / 100", sweep_values=(30, 100, 300, 1000),
        check=between(2, MAX_ROWS))
    n1_range: tuple[int, int] = option(
        (0, 5), "int-pair", "integer range of n1, HI excluded", "n1 range", "data", DATA,
        metavar="LO,HI", sweep_values=((0, 5), (0, 20)))
    n2_range: tuple[int, int] = option(
        (0, 5), "int-pair", "integer range of n2, HI excluded", "n2 range", "data", DATA,
        metavar="LO,HI", sweep_values=((0, 5), (0, 50)))
    noise_range: tuple[float, float] = option(
        (0.0, 2.0), "float-pair", "uniform noise range (0,0: no noise)", "noise", "data",
        DATA, metavar="LO,HI", sweep_values=((0.0, 2.0), (0.0, 10.0), (0.0, 50.0)),
        allow_point=True)
    seed: int = option(
        0, "int", "seed for data, split, shuffling and random init", "seed", "data", DATA,
        metavar="S", sweep_values=(0, 1, 2, 3), check=at_least(0))
    scale: str = option(
        "minmax", "choice", "scaling fitted on the training rows", "scaling", "data", DATA,
        metavar="|".join(SCALINGS), choices=SCALINGS, sweep_values=SCALINGS)
    test_size: float = option(
        0.2, "float", "fraction of rows held out for testing, in [0, 1)", "test frac",
        "data", DATA, metavar="F", sweep_values=(0.0, 0.2, 0.5),
        check=lambda v: None if 0.0 <= v < 1.0 else f"must be in [0, 1), got {v:g}")
    init: str = option(
        "notebook", "choice", "initial weights preset", "preset", "init", MODEL,
        metavar="PRESET", choices=PRESETS, sweep_values=("large", "small", "ones", "normal"))
    sigma: float = option(
        1.0, "float", "spread of the normal and uniform presets", "sigma", "init", MODEL,
        metavar="SIGMA", sweep_values=(0.01, 0.1, 1.0), check=above(0))
    init_seed: int | None = option(
        None, "int", "seed of random presets (default: --seed)", "init seed", "init", MODEL,
        metavar="S", blankable=True, placeholder="= data seed", sweep_values=(0, 1, 2, 3),
        check=at_least(0))
    set: dict[str, float] = option(
        {}, "assignments", "override initial parameters, e.g. w1=0.5,b3=-0.1", "set",
        "init", MODEL, metavar="NAME=VALUE,...")
    lr: float = option(
        0.005, "float", "learning rate", "lr", "learn", LIVE, metavar="LR",
        sweep_values=(0.00005, 0.005, 0.01, 0.1, 1.0), check=above(0, " (try 0.005)"))
    epochs: int = option(
        300, "int", "epochs to train", "epochs", "learn", LIVE, metavar="E",
        sweep_values=(10, 100, 300, 1000), check=between(1, MAX_EPOCHS))
    batch_size: int = option(
        1, "int", "samples per update (1: per-sample SGD)", "batch", "learn", MODEL,
        metavar="B", sweep_values=(1, 4, 16), check=at_least(1))
    shuffle: bool = option(
        False, "bool", "shuffle rows every epoch (seeded)", "shuffle", "learn", MODEL,
        choices=("off", "on"), sweep_values=(False, True))

    hidden: int | tuple[int, ...] = option(
        2, "widths", "hidden units, or the widths of several hidden layers (3,2)", "hidden",
        "learn", MODEL, metavar="K[,K...]", renames_params=True, sweep_values=(1, 2, 4, 8),
        check=lambda v: check_widths(hidden_widths(v)))
    activation: str = option(
        "relu", "choice", "hidden-layer activation", "activation", "learn", MODEL,
        metavar="|".join(ACTIVATIONS), choices=ACTIVATIONS, sweep_values=ACTIVATIONS)
    task: str = option(
        "regress", "choice", "regress (linear output, squared error) or classify (sigmoid "
        "output, cross-entropy; a 2-valued target)", "task", "learn", DATA,
        metavar="|".join(TASKS), choices=TASKS, sweep_values=TASKS)
    spread: float = option(
        0.3, "float", "spread (standard deviation) of the blobs and circle points",
        "spread", "data", DATA, metavar="S", sweep_values=(0.1, 0.3, 0.6, 1.0),
        check=between(0.0, 100.0))
    optimizer: str = option(
        "sgd", "choice", "update rule: sgd, momentum (--momentum) or adam (--beta1, --beta2, "
        "--eps)", "optimizer", "learn", MODEL, metavar="|".join(OPTIMIZERS),
        choices=OPTIMIZERS, sweep_values=OPTIMIZERS)
    momentum: float = option(
        0.9, "float", "momentum β: v <- βv - lr·g (optimizer momentum)", "momentum β",
        "learn", MODEL, metavar="BETA", sweep_values=(0.5, 0.9, 0.99),
        check=lambda v: None if 0.0 <= v < 1.0 else f"must be in [0, 1), got {v:g}")
    beta1: float = option(
        0.9, "float", "Adam's β1 (decay of the mean gradient m)", "adam β1", "learn", MODEL,
        metavar="B1", sweep_values=(0.8, 0.9, 0.99),
        check=lambda v: None if 0.0 <= v < 1.0 else f"must be in [0, 1), got {v:g}")
    beta2: float = option(
        0.999, "float", "Adam's β2 (decay of the mean squared gradient v)", "adam β2",
        "learn", MODEL, metavar="B2", sweep_values=(0.99, 0.999),
        check=lambda v: None if 0.0 <= v < 1.0 else f"must be in [0, 1), got {v:g}")
    eps: float = option(
        1e-8, "float", "Adam's ε in lr·m̂/(√v̂ + ε)", "adam ε", "learn", MODEL, metavar="EPS",
        sweep_values=(1e-8, 1e-4), check=above(0))
    l2: float = option(
        0.0, "float", "L2 weight decay λ: g <- g + λ·w for weights (not biases)", "L2 λ",
        "learn", MODEL, metavar="LAMBDA", sweep_values=(0.0, 0.001, 0.01, 0.1),
        check=at_least(0))

    def replace(self, **changes: Any) -> ExperimentConfig:
        """A validated copy with some fields changed."""
        new = replace(self, **changes)
        validate(new)
        return new

    @property
    def optimizer_settings(self) -> Settings:
        """The engine's optimizer settings of this configuration."""
        from nntui.engine.optimizers import Settings

        return Settings(self.optimizer, self.momentum, self.beta1, self.beta2, self.eps,
                        self.l2)

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


#: The registry: every option, in declaration order.
OPTIONS: dict[str, Option] = {
    f.name: Option(key=f.name, **f.metadata["option"]) for f in fields(ExperimentConfig)}


def option_for(name: str) -> Option:
    """The option of a config key, TOML name or flag (`n1_range`, `n1-range`, `--n1-range`)."""
    key = name.lstrip("-").replace("-", "_")
    if key not in OPTIONS:
        raise UserError(f"unknown option {name!r}; known options are "
                        f"{', '.join(o.name for o in OPTIONS.values())}")
    return OPTIONS[key]


def parse_int(name: str, text: Any) -> int:
    """A whole number for a non-option value (`--sample`), or a UserError naming it."""
    from nntui.lab.options import _number

    return int(_number(name, text, True))


def parse_value(key: str, value: Any) -> Any:
    """Parse one option value (text or TOML value) into its config type; UserError if bad."""
    return option_for(key).parse(value)


def blank_text(key: str, dataset: str) -> str:
    """What an option left blank means with this data source, for the sidebar's hint and
    the runs list: rows are '100' generated ones (regression or two-class) or 'all' of a
    table; no CSV is 'none'."""
    if key == "rows":
        return str(ExperimentConfig(rows=None).generated_rows) \
            if dataset in ("generated", "blobs", "circle") else "all"
    return "none" if key == "csv" else "default"


def validate(cfg: ExperimentConfig) -> None:
    """Every option's own check, then the checks across options; messages say how to fix."""
    for opt in OPTIONS.values():
        value = getattr(cfg, opt.key)
        if value is None:
            continue
        if opt.kind == "choice" and value not in opt.choices:
            raise UserError(f"{opt.flag}: {value!r} is not one of {', '.join(opt.choices)}")
        problem = opt.check(value) if opt.check is not None else None
        if problem:
            raise UserError(f"{opt.flag} {problem}")
    if cfg.dataset == "csv" and not cfg.csv:
        raise UserError("--dataset csv needs --csv PATH")


def from_mapping(values: dict[str, Any], base: ExperimentConfig | None = None,
                 origin: str = "config") -> ExperimentConfig:
    """Apply option values (key -> raw value) on top of `base`; unknown keys are errors."""
    changes: dict[str, Any] = {}
    for raw_key, value in values.items():
        key = str(raw_key).replace("-", "_")
        if key not in OPTIONS:
            raise UserError(
                f"{origin}: unknown key {raw_key!r}; known keys are "
                f"{', '.join(sorted(o.name for o in OPTIONS.values()))}"
            )
        changes[key] = OPTIONS[key].parse(value)
    if changes.get("csv") and "dataset" not in changes:
        changes["dataset"] = "csv"
    cfg = replace(base or ExperimentConfig(), **changes)
    validate(cfg)
    return cfg


PRESETS_PACKAGE = "nntui.presets"


def presets() -> dict[str, Traversable]:
    """The ready experiments shipped in the package (name -> file), sorted by name.

    Package data read through importlib.resources: found wherever the package is, so a
    checkout, a wheel, `pip install --user` and pipx all see the same list. Every list of
    ready experiments (`nntui presets`, `--config` help, the app's ctrl+o) comes from here.
    """
    found = {f.name.removesuffix(".toml"): f for f in presets_folder().iterdir()
             if f.name.endswith(".toml") and f.is_file()}
    return dict(sorted(found.items()))


def presets_folder() -> Traversable:
    """Where the ready experiments are: what importlib.resources.files() gives.

    A package in a plain folder (a checkout, a wheel unpacked by pip) is that folder as a
    Path, which is also what files() returns for it; finding it directly spares every
    start the ~5 ms of importing importlib.resources (`--help` of --config names the
    presets, so the parser lists them). Any other loader (a zip) goes through files().
    """
    import importlib
    from importlib.machinery import SourceFileLoader, SourcelessFileLoader
    from pathlib import Path

    spec = importlib.import_module(PRESETS_PACKAGE).__spec__
    if spec is not None and spec.origin is not None and \
            type(spec.loader) in (SourceFileLoader, SourcelessFileLoader):
        return Path(spec.origin).parent
    from importlib.resources import files

    return files(PRESETS_PACKAGE)


def preset_description(preset: Traversable) -> str:
    """A ready experiment's one-line description: the first comment line of its file."""
    for line in preset.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""


def find_preset(path: str) -> Traversable | None:
    """The ready experiment `path` names (`lr-sweep` or `lr-sweep.toml`); None if a file or
    folder of that name exists (a real path always wins) or no experiment has that name."""
    if os.path.exists(path):
        return None
    return presets().get(path.removesuffix(".toml"))


def resolve_config(path: str) -> str:
    """A path as given, or where the ready experiment of that name is (for messages)."""
    preset = find_preset(path)
    return path if preset is None else str(preset)


def read_toml(path: str) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The settings and the optional [sweep] table of a TOML experiment file, parsed once.

    Data only: nothing in the file is executed. Sweep keys must be known options.
    """
    import tomllib  # here: only a --config file needs it, not every start

    from nntui.lab.storage import UnreadableFile, problem, read_limited

    preset = find_preset(path)
    if preset is None and (not os.path.exists(path) or os.path.isdir(path)):
        if os.path.isdir(path):
            raise UserError(f"config file {path} is a directory")
        raise UserError(f"config file {path} not found; ready experiments: "
                        f"{', '.join(presets())} (see 'nntui presets')")
    path = path if preset is None else str(preset)
    try:  # read once and bounded: a stream (/dev/stdin) works, /dev/zero stops
        raw = (preset.read_bytes() if preset is not None
               else read_limited(path, MAX_CONFIG_BYTES)[0])
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config file {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise UserError(f"config file {path} is nested too deeply to be a config") from None
    except UnreadableFile as exc:
        raise UserError(f"config file {path} is not a config: {exc.problem}") from None
    except UnicodeDecodeError:
        raise UserError(f"config file {path} is not a text file (not UTF-8)") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read config file {path}: {problem(exc)}") from None
    if isinstance(data.get("csv"), str) and data["csv"].strip():
        data["csv"] = csv_from_toml(data["csv"].strip(), path)
    sweep = data.pop("sweep", {})  # a preset's [sweep] lists, used by `nntui sweep`
    if not isinstance(sweep, dict):
        raise UserError(f"config file {path}: [sweep] must be a table, e.g. lr = [0.01, 0.1]")
    axes: dict[str, list[Any]] = {}
    for name, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise UserError(f"config file {path}: sweep.{name} must be a non-empty list of "
                            "values, e.g. lr = [0.01, 0.1]")
        axes[option_for(str(name)).key] = values
    return data, axes


def csv_from_toml(csv: str, toml_path: str) -> str:
    """A TOML file's CSV path: relative paths are relative to the TOML file's folder.

    So a config keeps working from any folder. Files saved before this rule held the path
    as typed (relative to the folder nntui ran in): if only that one exists, it is used.
    The result is as one would type it here: relative inside this folder, else absolute.
    """
    csv = os.path.expanduser(csv)
    if not os.path.isabs(csv):
        beside = os.path.join(os.path.dirname(os.path.realpath(toml_path)), csv)
        csv = csv if not os.path.exists(beside) and os.path.exists(csv) else beside
    return relative_inside(csv, os.getcwd())


def csv_for_toml(csv: str, toml_path: str) -> str:
    """The CSV path to write in a TOML file: relative to its folder if inside it, else absolute."""
    if toml_path == "-":
        return os.path.abspath(os.path.expanduser(csv))
    return relative_inside(os.path.expanduser(csv),
                           os.path.dirname(os.path.realpath(toml_path)))


def relative_inside(path: str, folder: str) -> str:
    """`path` relative to `folder` if it lies inside it, else absolute (both normalised)."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, folder)
    except ValueError:  # another drive (Windows)
        return absolute
    return absolute if relative.split(os.sep)[0] == os.pardir else relative


def load_toml(path: str, base: ExperimentConfig | None = None) -> ExperimentConfig:
    """The configuration a TOML experiment file describes (its [sweep] table ignored)."""
    settings, _ = read_toml(path)
    return from_mapping(settings, base, origin=f"config file {resolve_config(path)}")


def save_toml(cfg: ExperimentConfig, path: str) -> None:
    """Write the configuration as TOML (`-`: standard output) with lab.storage's rules.

    The CSV path is written so that it works from any folder (see csv_for_toml).
    """
    import tomli_w

    from nntui.lab.storage import problem, write_output

    values = cfg.to_dict()
    if cfg.csv:
        values["csv"] = csv_for_toml(cfg.csv, path)
    try:
        write_output(path, tomli_w.dumps(values))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot write config file {path}: {problem(exc)}") from None
