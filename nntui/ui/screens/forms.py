"""Small dialogs: a sweep of one setting, and saving or loading settings as TOML."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from nntui.errors import UserError
from nntui.lab.config import OPTIONS, ExperimentConfig, load_toml, presets, resolve_config
from nntui.lab.sweep import grid


def classic_values(key: str) -> str:
    """The classic values of a sweep, as the field shows them (the option's separator)."""
    opt = OPTIONS[key]
    return opt.sweep_separator.join(opt.format(v) for v in opt.sweep_values)


SWEEPABLE = [key for key, opt in OPTIONS.items() if opt.sweep_values]


class SweepScreen(ModalScreen["list[ExperimentConfig] | None"]):
    """Choose a setting and its values; returns the validated configs to run."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="close without running")]

    def __init__(self, base: ExperimentConfig) -> None:
        super().__init__(classes="dialog")
        self.base = base

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Static("Sweep one setting (everything else as now)", classes="dialog-title")
            yield Label("setting")
            yield Select([(OPTIONS[k].name, k) for k in SWEEPABLE], value="lr",
                         allow_blank=False, id="sweep-key")
            yield Label("values (ranges: LO,HI separated by ';')")
            yield Input(classic_values("lr"), id="sweep-values")
            yield Static("", id="sweep-error", classes="dialog-error")
            yield Static("enter runs the sweep on both cores · escape cancels",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#sweep-values").focus()

    @on(Select.Changed, "#sweep-key")
    def key_changed(self, event: Select.Changed) -> None:
        self.query_one("#sweep-values", Input).value = classic_values(str(event.value))

    @on(Input.Submitted, "#sweep-values")
    def submitted(self, event: Input.Submitted) -> None:
        key = str(self.query_one("#sweep-key", Select).value)
        try:
            configs = grid(self.base, {key: OPTIONS[key].alternatives(event.value)})
        except UserError as exc:
            self.query_one("#sweep-error", Static).update(Text(str(exc)))  # typed: no markup
            return
        self.dismiss(configs)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question (replacing a file): y or enter says yes, n or escape says no."""

    BINDINGS = [Binding("y,enter", "answer(True)", "Yes", tooltip="yes"),
                Binding("n,escape", "answer(False)", "No", tooltip="no")]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Static(Text(self.question), classes="dialog-title")  # a path: no markup
            yield Static("y or enter: yes · n or escape: no", classes="dialog-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


@dataclass
class FileChoice:
    """What the settings dialog returns: a path, and the config read from it (loading)."""

    path: str
    config: ExperimentConfig | None = None


class SettingsFileScreen(ModalScreen["FileChoice | None"]):
    """Save the settings to a TOML file, or load a file or a ready experiment."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="close")]

    def __init__(self, mode: str, default: str = "experiment.toml") -> None:
        super().__init__(classes="dialog")
        self.mode = mode  # "save" or "load"
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            title = "Save settings as TOML" if self.mode == "save" else "Load settings"
            yield Static(title, classes="dialog-title")
            if self.mode == "load":
                yield Label("a ready experiment (nntui presets)")
                yield Select([(Text(name), name) for name in presets()], prompt="choose…",
                             id="preset")
                yield Label("or a TOML file")
            else:
                yield Label("file")
            yield Input(self.default if self.mode == "save" else "", id="path",
                        placeholder="path/to/experiment.toml")
            yield Static("", id="file-error", classes="dialog-error")
            yield Static("enter confirms · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#path").focus()

    @on(Select.Changed, "#preset")
    def preset_chosen(self, event: Select.Changed) -> None:
        if event.value is not Select.BLANK:
            self.finish(str(event.value))

    @on(Input.Submitted, "#path")
    def submitted(self, event: Input.Submitted) -> None:
        self.finish(event.value.strip())

    def finish(self, path: str) -> None:
        if not path:
            self.query_one("#file-error", Static).update("Type a file name.")
            return
        if self.mode == "save":
            self.dismiss(FileChoice(path))
            return
        try:
            self.dismiss(FileChoice(resolve_config(path), load_toml(path)))
        except UserError as exc:
            self.query_one("#file-error", Static).update(Text(str(exc)))  # a path: no markup

    def action_cancel(self) -> None:
        self.dismiss(None)
