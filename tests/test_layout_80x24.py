"""What a new user's trial found cut off at 80x24 (keys, status, diagram, drill, lab,
framework check), and what `--ascii` turned into misleading text: each screen at 80x24
shows all of it. The formatters are tested directly; Pilot only for what the screen shows."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Input

from app_helpers import hit, make_app, plain, running, settle, wait_until
from app_helpers import screen_text as text_now
from nntui.lab.numbers import compact, num
from nntui.ui.ascii import spelled, to_ascii
from nntui.ui.screens.drill import pack
from nntui.ui.widgets.keybar import KeyBar
from nntui.ui.widgets.status import StatusLine
from nntui.ui.widgets.worked_view import fit_lines


def test_compact_numbers_are_short_and_say_the_same() -> None:
    assert compact(1_479_000) == "1.48M" and compact(12_345) == "12.3k"
    assert compact(0.0009963) == "9.96e-4" and compact(0.001171, 4) == "1.171e-3"
    assert compact(0.0531) == "0.0531" and compact(-0.00012) == "-1.2e-4"
    assert compact(0.0) == "0" and compact(None) == "-" and compact(999.9) == "1k"
    for value in (1_479_000, 12_345, 0.0009963, 0.0531, -0.00012, 3.5e9):
        text = compact(value)
        scale = {"k": 1e3, "M": 1e6, "G": 1e9}.get(text[-1], 1.0)
        number = float(text[:-1]) * scale if scale != 1.0 else float(text)
        assert abs(number - value) <= 0.005 * abs(value)  # 3 significant digits
    assert num(0.0009963) == "0.0009963"  # the one formatter of tables is unchanged


def test_diagram_lines_break_before_an_edge_never_inside_one() -> None:
    line = "x2=1 ─w2 -0.0115317─┴▶ [b1 -0.37794] z1=0.603349 → h1=0.603349 ─w5 1.06337─▶ y_hat"
    lines = fit_lines([line], 70)
    assert lines == [line[:line.index(" ─w5")], "    ─w5 1.06337─▶ y_hat"]
    assert fit_lines([line], 200) == [line]


def test_givens_are_packed_between_assignments() -> None:
    items = ["w1 = 0.992643", "w2 = -0.0117093", "b2 = 0.1", "lr = 0.005"]
    lines = pack(items, 30)
    assert lines == ["w1 = 0.992643  w2 = -0.0117093", "b2 = 0.1  lr = 0.005"]
    assert all(len(line) <= 30 for line in lines)


def test_ascii_spellings_keep_the_meaning() -> None:
    assert spelled("n1²") == "n1^2" and spelled("ŷ = y") == "y_hat = y"
    assert spelled("z1=0.6 → h1=0.6") == "z1=0.6 -> h1=0.6"
    assert spelled("w5 → w6 ↑ ±1") == "w5 -> w6 up +/-1" and spelled("s/⌫") == "s/bksp"
    assert spelled("δ1[2] = (W2ᵀ δ2) ⊙ g'(z1)") == "delta1[2] = (W2^T delta2) (*) g'(z1)"
    assert to_ascii("⌫") == "?"  # what the cell filter alone made of it: the help key


async def screen_text(pilot: Pilot) -> str:
    """The screen once the layout its last updates asked for is done."""
    app = pilot.app
    await wait_until(pilot, lambda: not app.screen._layout_required, "the layout")  # noqa: SLF001
    return text_now(app)  # type: ignore[arg-type]


def bar_problems(app: object, where: str) -> list[str]:
    """Every shown key of the screen whose description is not in its key bar, or a bar
    with more lines than it has rows."""
    screen = app.screen  # type: ignore[attr-defined]
    bar = screen.query_one(KeyBar)
    text = plain(bar)
    lines = text.rstrip("\n").splitlines()
    problems = [f"{where}: {len(lines)} lines in {bar.size.height} rows"] \
        if len(lines) > bar.size.height else []
    for _node, binding, _on, _tip in screen.active_bindings.values():
        if isinstance(binding, Binding) and binding.show:
            shown = binding.group.description if binding.group else binding.description
            if shown not in text and not (isinstance(screen.focused, Input)
                                          and len(binding.key) == 1):
                problems.append(f"{where}: {binding.key} {shown!r}")
    return problems


async def test_every_shown_key_is_in_the_key_bar_on_every_screen_at_80x24() -> None:
    app = make_app(epochs=20)
    problems: list[str] = []
    async with running(app) as pilot:
        await hit(pilot, "f")
        await settle(pilot)
        for tab in "123456":
            await hit(pilot, tab)
            await settle(pilot)
            problems += bar_problems(app, f"tab {tab}")
        for keys, where in ((("i",), "inspector"), (("d",), "drill"),
                            (("escape", "escape", "L"), "lab page 1"),
                            (("escape", "k"), "framework check")):
            await hit(pilot, *keys)
            await settle(pilot)
            problems += bar_problems(app, where)
    assert problems == []


async def test_the_key_bar_lays_the_screen_out_only_when_its_height_changes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    layouts: list[bool] = []
    real = KeyBar.update

    def update(self: KeyBar, content: object = "", *, layout: bool = True) -> None:
        layouts.append(layout)
        real(self, content, layout=layout)  # type: ignore[arg-type]

    app = make_app()
    async with running(app) as pilot:
        monkeypatch.setattr(KeyBar, "update", update)
        for tab in "2312":  # the same three lines of keys on each
            await hit(pilot, tab)
            await settle(pilot)
        assert layouts and not any(layouts)
        await hit(pilot, "5")  # the fit tab's keys need a fourth line
        await settle(pilot)
        assert any(layouts) and app.query_one(KeyBar).size.height == 4


async def test_the_status_line_is_one_line_at_80_columns() -> None:
    StatusLine.show_rate = True
    app = make_app()
    StatusLine.show_rate = True  # make_app hides the speed: it is what made the line wrap
    async with running(app) as pilot:
        await hit(pilot, "f")
        await settle(pilot)
        status = app.query_one(StatusLine)
        text = plain(status).strip()
        assert status.size.height == 1 and len(text) <= status.content_size.width
        t = app.session.trainer
        assert f"train {compact(t.train_loss[-1], 3)}" in text
        assert f"test {compact(t.test_loss[-1], 3)}" in text
    StatusLine.show_rate = False


async def test_inspector_diagram_and_drill_fit_80x24() -> None:
    app = make_app()
    async with running(app) as pilot:
        await hit(pilot, "f")
        await settle(pilot)
        await hit(pilot, "i")
        shown = await screen_text(pilot)
        assert shown.count("─▶ y_hat") == 2 and "…" not in shown  # each edge to its end
        await hit(pilot, "d", "ctrl+s")  # a drill skipped: its score stays in the header
        shown = await screen_text(pilot)
        assert "earlier 0/25" in shown and "25 to go" in shown
        await hit(pilot, "ctrl+t", "ctrl+t")  # the backward part: the most givens
        shown = await screen_text(pilot)
        assert "right: within a relative 1e-3" in shown and "new p: new - old" in shown
        given = plain(app.screen.query_one("#drill-given")).splitlines()
        assert given and not any(line.rstrip().endswith("=") for line in given)


async def test_the_drill_keeps_each_parts_score_and_numbers_within_the_part() -> None:
    app = make_app()
    async with running(app) as pilot:
        await hit(pilot, "i", "d", "0", "full_stop", "3", "enter")  # z1 = 0.3, right
        screen = app.screen
        assert "1/1 right" in plain(screen.query_one("#drill-status"))
        await hit(pilot, "ctrl+t", "ctrl+t")  # forward, then backward
        assert "Q1 of 19  dL/dy_hat" in plain(screen.query_one("#drill-question"))
        await hit(pilot, "ctrl+t", "ctrl+t", "ctrl+t")  # unit 1, unit 2, back to all
        assert screen.part == "all" and "1/1 right" in plain(screen.query_one("#drill-status"))
        assert "Q2 of 25  h1" in plain(screen.query_one("#drill-question"))


async def test_a_drill_it_cannot_make_offers_no_field_and_no_keys() -> None:
    app = make_app(batch_size=4)
    async with running(app) as pilot:
        await hit(pilot, "i", "d")
        screen = app.screen
        assert not screen.query_one("#drill-answer").display
        keys = plain(screen.query_one(KeyBar))
        assert "Back" in keys and not {"Skip", "Answer", "Part", "Apply"} & set(keys.split())


async def test_lab_page_10_shows_its_whole_note_and_status() -> None:
    app = make_app()
    async with running(app) as pilot:
        await hit(pilot, "L", *"n" * 9, "r")
        await settle(pilot)
        # the text is anchored: it scrolls to the new note once it is laid out
        await wait_until(pilot, lambda: "predicting the mean." in text_now(app),
                         "the run's note in view")
        shown = await screen_text(pilot)
        assert "Learning rate 1" in shown and "predicting the mean." in shown
        status = plain(app.screen.query_one("#guided-status")).strip()
        assert "diverged, 4 epochs, test R²" in status and status.endswith(
            status.split()[-1]) and "·" not in status.split("R²")[-1]
        assert "x Report  esc Back  ? Help  q Quit" in shown


async def test_framework_check_shows_its_note_whole() -> None:
    app = make_app(epochs=20)
    async with running(app) as pilot:
        await hit(pilot, "k")
        await settle(pilot)
        shown = await screen_text(pilot)
        assert "(the same as the sum for one row)." in shown
        assert "PyTorch, reduction='sum'" in shown and "they agree" in shown


async def test_ascii_mode_spells_formulas_and_keys() -> None:
    app = make_app(epochs=20)
    app = type(app)(app.session, ascii_only=True)
    async with running(app) as pilot:
        await hit(pilot, "f")
        await settle(pilot)
        await hit(pilot, "5")
        await settle(pilot)
        fit = await screen_text(pilot)
        assert "y_hat = y" in fit and "y = y" not in fit.replace("y_hat = y", "")
        await hit(pilot, "p")  # the fitted curve: its target is n1^2 + n2 (+ noise)
        await settle(pilot)
        curve = await screen_text(pilot)
        assert "target n1^2+n2" in curve and "y_hat along n1" in curve and "n12" not in curve
        await hit(pilot, "i")
        inspector = await screen_text(pilot)
        assert "-> h1=" in inspector and "-> y_hat" in inspector
        assert "> h1=" not in inspector.replace("-> h1=", "")
        keys = plain(app.screen.query_one(KeyBar))
        assert "u/bksp Undo" in keys and keys.count("?") == 1 and "? Help" in keys
        await hit(pilot, "escape", "L")
        await settle(pilot)
        lab = await screen_text(pilot)
        assert lab.isascii()
