"""The option registry: every option round-trips through the CLI, TOML and the sidebar."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from nntui.cli.commands import config_from_args
from nntui.cli.parser import build_parser
from nntui.errors import UserError
from nntui.lab.config import OPTIONS, ExperimentConfig, load_toml, option_for, save_toml
from nntui.lab.options import DATA, LIVE, MODEL, format_value

#: A value other than the default for options that offer no classic sweep values.
EXAMPLES: dict[str, Any] = {
    "csv": "data/insurance.csv",
    "features": ["age", "bmi"],
    "target": "charges",
    "set": {"w1": 0.25, "b3": -0.125},
}


def example(key: str) -> Any:
    """A non-default, valid value of option `key`."""
    if key in EXAMPLES:
        return EXAMPLES[key]
    default = getattr(ExperimentConfig(), key)
    values = [v for v in OPTIONS[key].sweep_values if v != default]
    assert values, f"option {key} needs an example value in this test"
    value = values[-1]
    return value


def test_every_option_has_an_example_and_a_full_entry() -> None:
    for key, opt in OPTIONS.items():
        example(key)
        assert opt.help and opt.label and opt.panel in ("data", "init", "learn"), key
        assert opt.invalidates in (LIVE, MODEL, DATA), key


@pytest.mark.parametrize("key", list(OPTIONS))
def test_option_round_trips_through_cli_toml_and_field(key: str, tmp_path: Path) -> None:
    opt = OPTIONS[key]
    value = example(key)
    if isinstance(value, tuple):
        value = tuple(value)
    text = opt.format(value)
    # the sidebar shows `format` and parses what the user leaves there
    assert opt.parse(text) == value
    # the command line: the flag exists and reads the same text
    argv = [opt.flag if value is not False else f"--no-{opt.name}"]
    if opt.kind != "bool":
        argv.append(text)
    if key == "csv":
        argv = ["--dataset", "csv", *argv]
    ns = build_parser().parse_args(["run", *argv])
    cfg = config_from_args(ns)
    assert getattr(cfg, key) == value
    # TOML: save and load give the same config back
    path = tmp_path / "c.toml"
    save_toml(cfg, str(path))
    assert load_toml(str(path)) == cfg


def test_every_option_is_in_help_and_has_a_field() -> None:
    from nntui.lab.config import ExperimentConfig
    from nntui.ui.widgets.settings_rows import SheetModel

    text = build_parser().format_help()
    shown = {row.key for row in SheetModel.build(ExperimentConfig(), {}).rows}
    for key, opt in OPTIONS.items():
        assert opt.flag in text, key
        assert key in shown or opt.kind == "assignments", key  # `set`: one field a parameter


def test_sweep_separator_comes_from_the_kind() -> None:
    assert OPTIONS["lr"].alternatives("0.1,1") == ["0.1", "1"]
    assert OPTIONS["n1_range"].alternatives("0,5;0,20") == ["0,5", "0,20"]
    assert OPTIONS["features"].sweep_separator == ";"


def test_blank_means_default_only_where_allowed() -> None:
    assert OPTIONS["rows"].parse("  ") is None
    with pytest.raises(UserError, match="not a number"):
        OPTIONS["lr"].parse("")


def test_option_names_in_any_spelling() -> None:
    assert option_for("--n1-range") is option_for("n1_range") is option_for("n1-range")
    with pytest.raises(UserError, match="unknown option 'bogus'"):
        option_for("bogus")


def test_unknown_sweep_key_in_toml_is_a_user_error(tmp_path: Path) -> None:
    from nntui.lab.config import read_toml

    path = tmp_path / "s.toml"
    path.write_text("[sweep]\nbogus = [1, 2]\n")
    with pytest.raises(UserError, match="unknown option 'bogus'"):
        read_toml(str(path))


def test_format_value_reads_back_exactly() -> None:
    for value in [0.1, 1 / 3, 5e-05, 1e-12, 123456789.0, -0.5]:
        assert float(format_value(value)) == value
    assert format_value((0, 5)) == "0,5" and format_value({"w1": 0.5}) == "w1=0.5"


def test_a_choice_built_directly_is_still_checked() -> None:
    from nntui.lab.config import validate

    with pytest.raises(UserError, match="--activation: 'softplus' is not one of"):
        validate(ExperimentConfig(activation="softplus"))


def test_parser_namespace_holds_only_given_options() -> None:
    ns = build_parser().parse_args(["run", "--lr", "0.1"])
    assert isinstance(ns, argparse.Namespace)
    assert {k for k in vars(ns) if k in OPTIONS} == {"lr"}
