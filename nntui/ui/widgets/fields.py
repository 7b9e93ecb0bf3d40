"""One labelled setting: a compact input or choice, with its error shown right below it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select


def field_id(key: str) -> str:
    """The widget id of a setting's field: `field-n1-range`, `field-param-W2-1-2` for the
    parameter `W2[1,2]` (an id holds no brackets or commas)."""
    for char in ":_[,":
        key = key.replace(char, "-")
    return "field-" + key.replace("]", "")


class SettingField(Vertical):
    """A labelled field that reports a committed value (Enter, leaving it, or a choice)."""

    DEFAULT_CSS = """
    SettingField { height: auto; }
    SettingField > Horizontal { height: 1; }
    SettingField .field-label { width: 11; color: $text-muted; }
    SettingField Input, SettingField Select { width: 1fr; }
    SettingField .field-error { color: $error; display: none; width: 1fr; height: auto; }
    SettingField.-error .field-error, SettingField.-hint .field-error { display: block; }
    SettingField.-hint .field-error { color: $text-accent; }
    SettingField.-error Input { background: $error 25%; }
    """

    BINDINGS = [Binding("escape", "leave", "Leave field", tooltip="back to the keys")]

    @dataclass
    class Committed(Message):
        """The user finished editing: `text` is the field's raw text (or chosen value)."""

        field: SettingField
        key: str
        text: str

    def __init__(self, key: str, label: str, value: str, choices: tuple[str, ...] = (),
                 tooltip: str = "", placeholder: str = "") -> None:
        super().__init__(id=field_id(key))
        self.key = key
        self.label = label
        self.initial = value
        self.choices = choices
        self.help_text = tooltip
        self.placeholder = placeholder
        self._committed = value

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label, classes="field-label")
            if self.choices:
                yield Select([(c, c) for c in self.choices], value=self.initial,
                             allow_blank=False, compact=True)
            else:
                yield Input(self.initial, placeholder=self.placeholder, compact=True,
                            select_on_focus=True)
        yield Label("", classes="field-error")

    def on_mount(self) -> None:
        if self.help_text:
            self.tooltip = self.help_text

    @property
    def text(self) -> str:
        if self.choices:
            return str(self.query_one(Select).value)
        return self.query_one(Input).value

    def set_value(self, text: str) -> None:
        """Show a value that came from elsewhere, without reporting it as an edit."""
        self._committed = text
        if self.choices:
            with self.prevent(Select.Changed):
                self.query_one(Select).value = text
        else:
            self.query_one(Input).value = text
        self.clear_error()

    def show_error(self, message: str) -> None:
        """Refuse the value in place; the message wraps under the field (typed text in it
        is shown as typed, never read as markup)."""
        self.query_one(".field-error", Label).update(Text(message))
        self.remove_class("-hint")
        self.add_class("-error")

    def show_hint(self, message: str) -> None:
        """Say what to do next (not an error): shown under the field like an error."""
        self.query_one(".field-error", Label).update(Text(message))
        self.add_class("-hint")

    def clear_error(self) -> None:
        self.remove_class("-error", "-hint")

    def _commit(self) -> None:
        text = self.text
        if text != self._committed or self.has_class("-error"):
            self._committed = text
            self.post_message(self.Committed(self, self.key, text))

    def action_leave(self) -> None:
        """Give the keys back to the app (the edit is committed on blur)."""
        self.screen.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._commit()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        event.stop()
        self._commit()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._commit()
