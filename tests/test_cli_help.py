"""What a new user reads and types (issue 13): ready experiments by name, `--help` with
examples and grouped options, no option where it means nothing, shell completion."""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from nntui.cli.parser import GROUPS, build_parser
from nntui.cli.subcommands import SUBCOMMANDS
from nntui.lab.config import OPTIONS, load_toml, preset_description, presets

Cli = Callable[..., tuple[int, str, str]]


def help_of(*command: str) -> str:
    """`nntui COMMAND --help`, as printed (argparse exits after printing)."""
    parser = build_parser()
    for name in command:  # the subparser of each level
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return parser.format_help()


# -- ready experiments ---------------------------------------------------------------------------
def test_presets_lists_every_ready_experiment_with_its_description(cli: Cli) -> None:
    code, out, _ = cli("presets")
    assert code == 0
    lines = out.splitlines()[:len(presets())]
    listed = {line.split()[0]: line.split(None, 1)[1] for line in lines}
    assert listed == {name: preset_description(p) for name, p in presets().items()}
    assert all(listed.values()) and max(map(len, out.splitlines())) <= 80
    assert {"lr-sweep", "init-sweep", "rows-sweep", "wide-range", "wide-range-lr1",
            "diabetes"} <= set(listed)


def test_presets_name_prints_a_toml_that_loads_as_the_preset(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("presets", "wide-range.toml")
    copy = tmp_path / "copy.toml"
    copy.write_text(out)
    assert code == 0 and load_toml(str(copy)) == load_toml("wide-range")
    code, _, err = cli("presets", "no-such")
    assert code == 2 and err.startswith("nntui: error: no ready experiment 'no-such'")
    assert "lr-sweep" in err


def test_presets_are_the_files_importlib_resources_finds() -> None:
    """presets() finds a plain folder itself (sparing every start importlib.resources):
    the same files, as the same kind of object, that importlib.resources gives."""
    from importlib.resources import files

    shipped = {f.name.removesuffix(".toml"): f for f in files("nntui.presets").iterdir()
               if f.name.endswith(".toml")}
    assert presets() == shipped and len(shipped) >= 6
    assert {type(p) for p in presets().values()} == {type(files("nntui.presets"))}


def test_presets_in_a_zip_are_read_through_importlib_resources(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anything but a plain folder (here a zipped package) still lists and reads."""
    import zipfile

    import nntui.lab.config

    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped_presets/__init__.py", "")
        z.writestr("zipped_presets/fast.toml", "# A fast one\nlr = 0.5\n")
        z.writestr("zipped_presets/notes.txt", "not a preset")
    monkeypatch.syspath_prepend(str(archive))
    monkeypatch.setattr(nntui.lab.config, "PRESETS_PACKAGE", "zipped_presets")
    found = presets()
    assert list(found) == ["fast"] and preset_description(found["fast"]) == "A fast one"
    assert load_toml("fast").lr == 0.5


def test_a_real_file_wins_over_a_preset_of_the_same_name(cli: Cli, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.chdir(tmp_path)
    Path("lr-sweep").write_text("lr = 0.25\nepochs = 7\n")
    assert load_toml("lr-sweep").lr == 0.25
    assert load_toml("lr-sweep.toml").lr == 0.005  # no such file here: the preset


def test_an_unknown_config_names_the_ready_experiments(cli: Cli) -> None:
    code, _, err = cli("run", "--config", "lr-swep", "--no-save")
    assert code == 2 and "config file lr-swep not found; ready experiments: " in err
    assert ", ".join(presets()) in err


def test_config_help_lists_the_ready_experiments() -> None:
    text = " ".join(help_of("run").split())
    assert f"by name: {', '.join(presets())}" in text


# -- help: one line, examples, groups ----------------------------------------------------------
@pytest.mark.parametrize("spec", SUBCOMMANDS, ids=[s.name for s in SUBCOMMANDS])
def test_each_subcommand_has_a_line_and_examples_that_parse(spec: object) -> None:
    from nntui.cli.subcommands import Subcommand

    assert isinstance(spec, Subcommand)
    assert "\n" not in spec.help and 2 <= len(spec.examples) <= 3
    text = help_of(spec.name)
    assert spec.help[1:] in text.split("\n\n")[1] and "examples:\n  nntui " in text
    for example in spec.examples:
        argv = shlex.split(example, comments=True)
        argv = argv[1:argv.index(">")] if ">" in argv else argv[1:]
        assert argv[0] == spec.name
        build_parser().parse_args(argv)  # an example that no longer parses exits here


def test_experiment_options_are_grouped_by_their_panel() -> None:
    text = help_of("run")
    sections = {block.split(":\n")[0]: block for block in text.split("\n\n")}
    for opt in OPTIONS.values():
        assert f"  {opt.flag}" in sections[f"{GROUPS[opt.panel]} options"], opt.flag
    assert "--config" in sections["settings files"] and "--save" in sections["results"]


@pytest.mark.parametrize(("command", "absent", "present"), [
    (("runs",), ["--no-save", "--lr", "--save-config"], ["--results"]),
    (("export",), ["--no-save", "--epochs"], ["--results", "--format"]),
    (("runs", "prune"), ["--no-save"], ["--keep", "--dry-run", "--results"]),
    (("step",), ["--results", "--no-save"], ["--sample", "--lr"]),
    (("compare-sklearn",), ["--results", "--no-save"], ["--lr"]),
    (("sweep",), ["--save-config"], ["--results", "--no-save", "--config"]),
    (("presets",), ["--lr", "--results"], []),
    (("completion",), ["--lr", "--results"], []),
])
def test_no_option_where_it_means_nothing(command: tuple[str, ...], absent: list[str],
                                          present: list[str]) -> None:
    words = set(help_of(*command).replace(",", " ").replace("[", " ").replace("]", " ").split())
    assert not words & set(absent) and set(present) <= words


def test_hidden_options_are_still_accepted_for_old_scripts(cli: Cli) -> None:
    code, out, _ = cli("step", "--no-save", "--epochs", "1")
    assert code == 0 and "Step 1 of 1" in out


# -- shell completion ----------------------------------------------------------------------------
def completion(cli: Cli, shell: str) -> str:
    code, out, err = cli("completion", shell)
    assert code == 0 and err == ""
    return out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_names_the_subcommands_and_options(cli: Cli, shell: str) -> None:
    script = completion(cli, shell)
    for word in [s.name for s in SUBCOMMANDS] + ["prune", "--n1-range", "--keep", "--dry-run"]:
        if shell == "fish" and word.startswith("--"):
            word = f"-l {word[2:]}"  # fish names long options so
        assert word in script, word
    checker = shutil.which(shell)
    if checker is not None and shell != "bash":  # bash: checked below, always present
        subprocess.run([checker, "-n"], input=script, text=True, check=True)


def test_bash_completion_is_valid_and_completes(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "nntui.bash"
    script.write_text(completion(cli, "bash"))
    subprocess.run(["bash", "-n", str(script)], check=True)
    probe = f"""source {shlex.quote(str(script))}
complete_line() {{ COMP_LINE="$1"; COMP_POINT=${{#COMP_LINE}}; read -ra COMP_WORDS <<< "$1"
  [[ "$1" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMPREPLY=(); _shtab_nntui; echo "${{COMPREPLY[*]}}"; }}
complete_line "nntui ru"
complete_line "nntui run --activation "
complete_line "nntui runs "
complete_line "nntui runs --"
"""
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["run", "runs"]
    assert lines[1].split() == ["relu", "sigmoid", "tanh", "linear"]
    assert {"rm", "prune"} <= set(lines[2].split())
    assert "--no-save" not in lines[3].split() and "--results" in lines[3].split()


def test_an_unknown_shell_is_refused(cli: Cli) -> None:
    code, out, err = cli("completion", "tcsh")
    assert code == 2 and out == "" and err.startswith("nntui: error: argument SHELL")
