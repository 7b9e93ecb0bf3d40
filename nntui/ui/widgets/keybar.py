"""A footer that wraps: every active key on up to four lines, even at 80 columns.

Textual's Footer is a single row, so at 80x24 most of nntui's keys fell off its end. This
bar lists the same active bindings (the focused widget's first, then the screen's and the
app's), merges bindings that share a `Binding.Group` ("+ - * / lr"), and wraps between
items only. While a text field has focus, the keys that would be typed into it (letters,
digits, `+ - * /`, space) are left out: the bar shows what works there.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import OverflowMethod
from rich.text import Text
from textual.binding import Binding
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.widgets import Input, Static

from nntui.ui.ascii import ascii_drawing, spelled

#: The bar's most lines: the main screen's Fit, Landscape and Runs tabs need four at 80x24.
MAX_LINES = 4

#: What a text field adds to the bar while it has focus (its keys are not shown there).
FIELD_KEYS = [("enter", "Confirm", True), ("tab", "Next field", True)]


#: Textual's key name of every printable character ("plus": "+", "space": " ", "q": "q").
CHARACTERS = {_character_to_key(chr(code)): chr(code) for code in range(32, 127)}
#: Keys a text field takes as text.
TYPED = frozenset(CHARACTERS)


def typed(key: str) -> bool:
    """Whether a text field takes this key as text (a printable character)."""
    return key in TYPED or (len(key) == 1 and key.isprintable())


class KeyBar(Static):
    """Docked at the bottom of its screen; redrawn whenever the active bindings change.

    Four lines at most: the main screen's Fit, Landscape and Runs tabs add their own keys
    to the app's, and at 80 columns every one of them must still show."""

    _lines = 0  # lines of the text shown: the screen is laid out again only when they change

    DEFAULT_CSS = f"""
    KeyBar {{
        dock: bottom;
        height: auto;
        max-height: {MAX_LINES};
        background: $footer-background;
        color: $footer-description-foreground;
        padding: 0 1;
    }}
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.call_after_refresh(self.show_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.show_keys)

    def items(self) -> list[tuple[str, str, bool]]:
        """(keys, description, enabled) for every shown binding, groups merged."""
        typing = isinstance(self.screen.focused, Input)
        ascii = ascii_drawing(self.app)
        items: list[tuple[str, str, bool]] = list(FIELD_KEYS) if typing else []
        by_action: dict[str, int] = {}
        groups: dict[str, int] = {}
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if not binding.show or (typing and typed(binding.key)):
                continue
            key = spelled(self.app.get_key_display(binding)) if ascii else \
                self.app.get_key_display(binding)
            group = binding.group
            if group is not None:
                if group.description in groups:
                    i = groups[group.description]
                    keys, desc, on = items[i]
                    items[i] = (f"{keys} {key}", desc, on or enabled)
                    continue
                groups[group.description] = len(items)
                items.append((key, group.description, enabled))
                continue
            if binding.action in by_action:  # one action on several keys: "s/enter"
                i = by_action[binding.action]
                keys, desc, on = items[i]
                items[i] = (f"{keys}/{key}", desc, on)
                continue
            by_action[binding.action] = len(items)
            items.append((key, binding.description, enabled))
        return [(digit_range(keys), spelled(desc) if ascii else desc, on)
                for keys, desc, on in items]

    def on_resize(self) -> None:
        self.show_keys()

    def show_keys(self) -> None:
        """Pack the items into lines of the bar's width, breaking only between items."""
        if not self.is_attached:
            return
        width = max(20, self.size.width - 2)
        entries = []
        for keys, description, enabled in self.items():
            style = "" if enabled else "dim"
            entries.append(Text.assemble((keys, f"bold {self.key_color} {style}"),
                                         (" " + description, style)))
        text = pack(entries, width, "ellipsis")
        lines = min(text.plain.count("\n") + 1, MAX_LINES)
        # A layout only when the height changes (not after every tab switch). The height
        # is checked after the refresh too: a layout asked for while the screen was being
        # pushed can be lost (the guided lab's bar stayed 1 line high), so ask again.
        self.update(text, layout=lines != self._lines or self.size.height != lines)
        self._lines = lines
        self.call_after_refresh(self.check_height)

    def check_height(self) -> None:
        if self.is_attached and self.size.height != self._lines:
            self.refresh(layout=True)

    @property
    def key_color(self) -> str:
        return self.app.theme_variables.get("footer-key-foreground", "yellow")


def pack(entries: Iterable[Text], width: int, overflow: OverflowMethod) -> Text:
    """`entries` two spaces apart, wrapped between entries (never inside one) to lines of
    `width`: the key bar's items, a plot legend's keys."""
    text = Text(no_wrap=True, overflow=overflow)
    used = 0
    for entry in entries:
        if used and used + 2 + entry.cell_len > width:
            text.append("\n")
            used = 0
        elif used:
            text.append("  ")
            used += 2
        text.append_text(entry)
        used += entry.cell_len
    return text


def digit_range(keys: str) -> str:
    """`1 2 3 4 5 6` -> `1-6`: a run of digit keys takes little room in the bar."""
    digits = keys.split(" ")
    if len(digits) > 2 and all(len(d) == 1 and d.isdigit() for d in digits) and all(
            int(b) == int(a) + 1 for a, b in zip(digits, digits[1:], strict=False)):
        return f"{digits[0]}-{digits[-1]}"
    return keys


def group(description: str) -> Binding.Group:
    """A footer group: its bindings are shown as one item (keys, then `description`)."""
    return Binding.Group(description, compact=True)
