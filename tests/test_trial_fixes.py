"""What a new user's trial of the command line and the app found, each pinned down:
repeated --set, names with spaces, outputs into a missing folder, the help a subcommand's
error points to, --config completion, the runs list's blank values, the rows hint and
the toast of a restart after a finished run."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from app_helpers import field, make_app, running
from nntui.cli.commands import config_from_args
from nntui.cli.experiments import sweep_axes
from nntui.cli.parser import build_parser
from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig, load_toml, presets, save_toml
from nntui.lab.history import RunHistory
from nntui.lab.runs import RunStore, config_changes
from nntui.lab.session import Session
from nntui.lab.storage import atomic_write, write_output
from nntui.lab.sweep import grid
from nntui.ui.settings_controller import restart_note

Cli = Callable[..., tuple[int, str, str]]


# -- B2: --set accumulates; a deep name may have spaces ----------------------------------------
def test_repeated_set_accumulates_and_the_later_value_wins(run_json: Callable[..., dict]) -> None:
    doc = run_json("--set", "w1=0.9", "--set", "w2=0.1,w1=0.7", "--set", "b3=-1",
                   "--epochs", "1")
    assert doc["config"]["set"] == {"w1": 0.7, "w2": 0.1, "b3": -1.0}
    assert (doc["initial_params"]["w1"], doc["initial_params"]["w2"]) == (0.7, 0.1)


def test_repeated_set_is_the_same_in_the_app_parser_a_sweep_and_toml(tmp_path: Path) -> None:
    args = ["--set", "w1=0.9", "--set", "w2=0.1"]
    app = config_from_args(build_parser().parse_args(args))
    assert app.set == {"w1": 0.9, "w2": 0.1}
    base, axes = sweep_axes(build_parser().parse_args(["sweep", *args, "--lr", "0.1,1"]))
    assert base.set == {"w1": 0.9, "w2": 0.1}
    # a sweep of one --set with alternatives and a fixed one: each run has both
    base, axes = sweep_axes(build_parser().parse_args(
        ["sweep", "--set", "w1=0.1;w1=2", "--set", "w2=0.3"]))
    assert [c.set for c in grid(base, axes)] == [{"w1": 0.1, "w2": 0.3}, {"w1": 2.0, "w2": 0.3}]
    toml = tmp_path / "x.toml"
    toml.write_text('set = ["w1=0.9", "w2=0.1,w1=0.5"]\n')
    assert load_toml(str(toml)).set == {"w1": 0.5, "w2": 0.1}


def test_a_deep_name_with_a_space_is_the_parameter(run_json: Callable[..., dict]) -> None:
    doc = run_json("--hidden", "3,2", "--set", "W2[1, 2]=0.5", "--set", " W3[ 1 ,1 ]=-2",
                   "--epochs", "1")
    assert doc["config"]["set"] == {"W2[1,2]": 0.5, "W3[1,1]": -2.0}
    assert doc["initial_params"]["W2[1,2]"] == 0.5


# -- B8: no output into a folder that does not exist --------------------------------------------
def test_an_output_into_a_missing_folder_is_an_error_and_creates_nothing(
        tmp_path: Path) -> None:
    target = tmp_path / "missing" / "deeper" / "r.md"
    with pytest.raises(FileNotFoundError) as caught:
        write_output(str(target), "text")
    assert caught.value.strerror == f"the folder {target.parent} does not exist"
    assert not (tmp_path / "missing").exists()
    with pytest.raises(UserError, match=r"cannot write config file .*x\.toml: the folder "
                       r".*missing does not exist"):  # the app's ctrl+s and --save-config
        save_toml(ExperimentConfig(), str(tmp_path / "missing" / "x.toml"))
    assert not (tmp_path / "missing").exists()
    atomic_write(str(tmp_path / "ours" / "state.json"), "{}")  # nntui's own: made
    assert (tmp_path / "ours" / "state.json").read_text() == "{}"


def test_export_and_save_config_refuse_a_missing_folder(cli: Cli, tmp_path: Path) -> None:
    results = str(tmp_path / "runs")
    assert cli("run", "--epochs", "1", "--results", results)[0] == 0
    out = tmp_path / "no" / "dir"
    code, stdout, err = cli("export", "last", "-o", str(out / "r.md"), "--results", results)
    assert (code, err) == (2, f"nntui: error: cannot write {out / 'r.md'}: the folder {out} "
                           "does not exist\n")
    code, _, err = cli("run", "--epochs", "1", "--no-save",
                       "--save-config", str(out / "x.toml"))
    assert code == 2 and f"the folder {out} does not exist" in err
    assert not (tmp_path / "no").exists()
    assert cli("export", "last", "-o", str(tmp_path / "r.md"), "--results", results)[0] == 0


# -- errors point to the failing command's own help ---------------------------------------------
@pytest.mark.parametrize(("args", "help_of"), [
    (["runs", "rm"], "nntui runs rm"),
    (["runs", "prune"], "nntui runs prune"),
    (["completion", "tcsh"], "nntui completion"),
    (["run", "--nope"], "nntui run"),
    (["--nope"], "nntui"),
])
def test_an_error_points_to_the_help_of_its_command(cli: Cli, args: list[str],
                                                    help_of: str) -> None:
    code, _, err = cli(*args)
    assert code == 2 and err.startswith("nntui: error: ")
    assert err.rstrip().endswith(f"(see '{help_of} --help')")


# -- completion of --config ----------------------------------------------------------------------
def test_bash_completes_config_with_ready_experiments_and_files(cli: Cli,
                                                                tmp_path: Path) -> None:
    code, script, _ = cli("completion", "bash")
    assert code == 0
    (tmp_path / "nntui.bash").write_text(script)
    (tmp_path / "lr-mine.toml").write_text("")
    probe = """source nntui.bash
complete_line() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"
  [[ "$1" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _shtab_nntui; echo "${COMPREPLY[*]}"; }
complete_line "nntui run --config lr"
complete_line "nntui --config "
"""
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True,
                          cwd=tmp_path)
    first, every = done.stdout.splitlines()
    assert set(first.split()) == {"lr-sweep", "lr-mine.toml"}
    assert set(presets()) | {"lr-mine.toml", "nntui.bash"} <= set(every.split())


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_complete_config_with_ready_experiments(cli: Cli, shell: str) -> None:
    script = cli("completion", shell)[1]
    names = " ".join(presets())
    assert names in script and ("_files" if shell == "zsh" else "__fish_complete_path") in \
        script.split(names)[0].splitlines()[-1] + script.split(names)[1].splitlines()[0]


# -- the runs list's "what changed" never shows a bare '-' --------------------------------------
def test_blank_settings_show_what_they_mean() -> None:
    gen = ExperimentConfig(rows=50000).to_dict()
    table = ExperimentConfig(dataset="diabetes").to_dict()
    csv = ExperimentConfig(dataset="csv", csv="table.csv").to_dict()
    assert config_changes(gen, table) == "dataset generated→diabetes, rows 50000→all"
    assert config_changes(ExperimentConfig().to_dict(), gen) == "rows 100→50000"
    changed = config_changes(table, csv)
    assert "csv none→table.csv" in changed and "-" not in changed.replace("→", "")
    overrides = config_changes(ExperimentConfig().to_dict(),
                               ExperimentConfig(set={"w1": 0.5}, shuffle=True).to_dict())
    assert overrides == "set none→w1=0.5, shuffle off→on"


def test_the_runs_list_shows_rows_all_for_a_table(cli: Cli, tmp_path: Path) -> None:
    results = str(tmp_path)
    for extra in (["--rows", "50"], ["--dataset", "diabetes"]):
        assert cli("run", "--epochs", "1", "--results", results, *extra)[0] == 0
    out = cli("runs", "--results", results)[1]
    assert "rows 50→all" in out and "→-" not in out and "-→" not in out


# -- the rows field's hint follows the data source ----------------------------------------------
@pytest.mark.parametrize(("dataset", "hint"), [("diabetes", "all"), ("generated", "100")])
async def test_the_rows_hint_matches_the_source(dataset: str, hint: str) -> None:

    app = make_app(dataset=dataset)
    async with running(app):
        assert field(app, "rows").placeholder == hint


# -- B7: a restart after a finished run does not say "discarded" -------------------------------
def store_session(tmp_path: Path, persist: bool = True) -> Session:
    return Session(ExperimentConfig(epochs=3),
                   history=RunHistory(RunStore(tmp_path, persist=persist)))


def test_a_restart_after_a_finished_run_says_it_is_saved(tmp_path: Path) -> None:
    s = store_session(tmp_path)
    assert restart_note(s) == ""  # nothing trained: nothing to say
    s.step()
    assert restart_note(s) == " (1 update discarded: no whole epoch yet)"
    s.epoch()
    s.epoch()
    assert restart_note(s) == " (the run so far is saved, stopped at epoch 2)"
    s.epoch()
    assert s.complete and len(s.history.runs) == 1  # recorded as it finished
    assert restart_note(s) == " (the finished run is saved)"
    assert "discarded" not in restart_note(s)
    assert restart_note(store_session(tmp_path, persist=False)) == ""
    unsaved = store_session(tmp_path, persist=False)
    for _ in range(3):
        unsaved.epoch()
    assert restart_note(unsaved) == " (the finished run is kept in this session's runs)"


def test_a_diverged_run_is_named_so(tmp_path: Path) -> None:
    s = Session(ExperimentConfig(lr=1.0, n1_range=(0, 20), n2_range=(0, 50),
                                 noise_range=(0.0, 10.0)), history=RunHistory(None))
    while not s.complete:
        s.epoch()
    assert s.trainer.diverged and restart_note(s).startswith(" (the diverged run is")


def test_the_json_of_a_repeated_set_is_valid(cli: Cli) -> None:
    """--json output stays one document with a repeated flag (nothing else printed)."""
    code, out, _ = cli("run", "--json", "--set", "w1=1", "--set", "w2=2", "--epochs", "1")
    assert code == 0 and json.loads(out)["config"]["set"] == {"w1": 1.0, "w2": 2.0}
    assert shlex.split("--set 'W2[1, 2]=0.5'")[1] == "W2[1, 2]=0.5"
