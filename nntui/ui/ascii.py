"""ASCII drawing for plain terminals (the Linux console, a vt100, a font without box
drawing): every character the app shows is mapped to ASCII as the lines are rendered.

The mapping is a Textual line filter, the hook Textual itself uses for NO_COLOR, so it
reaches every widget, border, scrollbar and toast, and screenshots as well as the
terminal. Each character becomes as many ASCII characters as the cells it took (a
wide one becomes two), so the layout never moves. Curves are drawn with ASCII markers
by the plot itself (loss_plot.py), since a mapped braille dot would lose their shape.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter
from textual.widget import Widget

#: Terminals that cannot show box drawing or braille: ASCII unless asked otherwise.
PLAIN_TERMS = frozenset({"linux", "vt100", "vt102", "vt220"})

#: Symbols the app's own text uses, and what they become.
SYMBOLS = {
    "·": ".", "•": "*", "●": "*", "○": "o", "…": ".", "—": "-", "–": "-", "×": "x",
    "÷": "/", "±": "+", "²": "2", "½": "h", "§": "S", "σ": "s", "√": "V", "█": "#",
    "░": ":", "▒": "#", "▓": "#", "✓": "v", "✔": "v", "✗": "x", "✘": "x", "⏎": "<",
    "β": "b", "ε": "e", "λ": "l", "δ": "d",
    "\u2800": " ",
}

#: Direction words in Unicode names (arrows, triangles, half lines).
DIRECTIONS = (("LEFT", "<"), ("RIGHT", ">"), ("UP", "^"), ("DOWN", "v"))


#: ASCII spellings of the symbols in formulas, labels and key names. They are wider than
#: the symbols, so they are put in the text before it is laid out (`spell`), by the widgets
#: that show formulas; the cell filter (`ascii_char`) stays the fallback for the rest
#: (borders, separators) and would turn them into look-alikes: `ŷ = y` into `y = y`,
#: `n1²` into `n12`, `→` into `>`, the backspace key `⌫` into `?` (the help key).
SPELLINGS = {
    "ŷ": "y_hat", "²": "^2", "ᵀ": "^T", "→": "->", "←": "<-", "↑": "up", "↓": "down",
    "±": "+/-", "⌫": "bksp", "⏎": "enter", "⊙": "(*)", "δ": "delta", "▶": ">", "×": "x",
    "÷": "/", "−": "-", "≈": "~", "≤": "<=", "≥": ">=", "β": "beta", "ε": "eps",
    "λ": "lambda", "σ": "sigma", "Σ": "sum", "√": "sqrt", "½": "1/2", "…": "...",
    "\u0302": "_hat",  # the combining circumflex of m̂ and v̂: m_hat, v_hat
}
_SPELLING = str.maketrans(SPELLINGS)
#: A middle dot between two operands is a product (`lr·m̂`, `W2[1,1]·δ2[1]`): `*`. With
#: spaces around it, it separates (`epoch 3 · update 7`) and the cell filter draws `.`;
#: a spaced product is written with `*` by the widget itself in ASCII mode (`times`).
_PRODUCT = re.compile("(?<=[\\w)\\]'\u0302²ᵀ])·(?=[\\w(\\[√])")
#: `√v̂` -> `sqrt(v_hat)`: a root of one name gets the parentheses spelling needs.
_ROOT = re.compile("√([^\\W\\d]\\w*\u0302?)")


def spelled(text: str) -> str:
    """`text` with the symbols of SPELLINGS spelled in ASCII (`n1²` -> `n1^2`), a product
    dot as `*` (`lr·g` -> `lr*g`) and a root of a name with parentheses (`√v̂` ->
    `sqrt(v_hat)`)."""
    if text.isascii():
        return text
    return _ROOT.sub(r"sqrt(\1)", _PRODUCT.sub("*", text)).translate(_SPELLING)


def times(app: App[Any]) -> str:
    """The product sign a widget writes between spaced factors: `·`, or `*` in ASCII."""
    return "*" if ascii_drawing(app) else "·"


def spell(app: App[Any], text: str) -> str:
    """`text` as `app` should show it: ASCII spellings while it draws with ASCII only."""
    return spelled(text) if ascii_drawing(app) else text


def spell_text(app: App[Any], text: Text) -> Text:
    """A styled Text with its symbols spelled in ASCII (`spell`), styles kept."""
    if text.plain.isascii() or not ascii_drawing(app):
        return text
    cuts = sorted({i for span in text.spans for i in (span.start, span.end)})
    out = text.blank_copy()
    for piece in text.divide(cuts):
        start = len(out)
        out.append(spelled(piece.plain))
        for span in piece.spans:
            out.stylize(span.style, start, len(out))
    return out


def spell_renderable(app: App[Any], renderable: RenderableType) -> RenderableType:
    """A widget's content with its symbols spelled in ASCII while `app` draws with ASCII
    only: text, strings, and the texts in groups and tables (cells, headers, caption)."""
    if not ascii_drawing(app):
        return renderable
    if isinstance(renderable, str):
        return spelled(renderable)
    if isinstance(renderable, Text):
        return spell_text(app, renderable)
    if isinstance(renderable, Group):
        return Group(*(spell_renderable(app, r) for r in renderable.renderables),
                     fit=renderable.fit)
    if isinstance(renderable, Table):
        for column in renderable.columns:
            column.header = spell_renderable(app, column.header)
            column._cells = [spell_renderable(app, c)  # noqa: SLF001 - rich has no setter
                             for c in column._cells]  # noqa: SLF001
        if isinstance(renderable.caption, (str, Text)):
            renderable.caption = spell_renderable(app, renderable.caption)  # type: ignore[assignment]
    return renderable


def plain_terminal(environ: dict[str, str] | None = None) -> bool:
    """Whether $TERM names a terminal that draws ASCII only (the app then starts so)."""
    env = os.environ if environ is None else environ
    return env.get("TERM", "") in PLAIN_TERMS


@lru_cache(maxsize=4096)
def ascii_char(char: str) -> str:
    """One character as ASCII, exactly as wide as it was drawn (0, 1 or 2 cells)."""
    if char.isascii():
        return char
    width = cell_len(char)
    if width == 0:
        return ""
    if char in SYMBOLS:
        return SYMBOLS[char] * width
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        if " AND " in name or "DIAGONAL" in name:
            out = "+"
        elif "HORIZONTAL" in name or name.endswith(("LEFT", "RIGHT")):
            out = "-"
        else:
            out = "|"
    elif name.startswith("BRAILLE"):
        out = "."
    elif "EIGHTH BLOCK" in name:  # thin borders (vkey, hkey, tall) and scrollbar ends
        out = "|" if ("LEFT ONE" in name or "RIGHT ONE" in name) else (
            "-" if "ONE EIGHTH" in name else " ")
    elif "BLOCK" in name or "QUADRANT" in name:
        out = "#"
    elif "ARROW" in name or "TRIANGLE" in name or "POINTING" in name:
        out = next((sign for word, sign in DIRECTIONS if word in name), ">")
    else:
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out = base[:1] if base[:1].isprintable() and base[:1] else "?"
    return out * width


def to_ascii(text: str) -> str:
    """`text` with every character mapped to ASCII, cell for cell."""
    if text.isascii():
        return text
    return "".join(ascii_char(c) for c in text)


class AsciiFilter(LineFilter):
    """Maps the text of every rendered line to ASCII (styles and widths unchanged)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [seg if seg.control or seg.text.isascii()
                else Segment(to_ascii(seg.text), seg.style, seg.control)
                for seg in segments]


def ascii_drawing(app: App[Any]) -> bool:
    """Whether `app` currently draws with ASCII only."""
    return any(isinstance(f, AsciiFilter) for f in app.get_line_filters())


def set_ascii_drawing(app: App[Any], on: bool) -> None:
    """Turn ASCII drawing on or off, and redraw everything already on screen."""
    filters = app._filters  # noqa: SLF001 - Textual's own NO_COLOR hook; no public setter
    found = [f for f in filters if isinstance(f, AsciiFilter)]
    if found:
        found[0].enabled = on
    elif on:
        filters.append(AsciiFilter())
    app.set_class(on, "-ascii")
    for screen in app.screen_stack:
        for widget in screen.walk_children(Widget, with_self=True):
            widget._styles_cache.clear()  # noqa: SLF001 - lines are cached filtered
            widget.refresh()
