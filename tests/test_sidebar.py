"""The sidebar on screen: keys and clicks move its cursor, open its editor or a choice
list, and every edit reaches the session (enter, tab, escape, or leaving the box)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from app_helpers import drain, edit, field, hit, make_app, running, settle, sidebar_text
from nntui.ui.widgets.settings import FieldEditor, SheetPart, Sidebar


async def open_editor(pilot: Pilot, key: str) -> Input:
    """The cursor to a setting's row, then enter: its text box, focused."""
    sidebar = pilot.app.query_one(Sidebar)
    sidebar.focus()
    sidebar.model.go_to(key)
    await hit(pilot, "enter")
    box = pilot.app.focused
    assert isinstance(box, Input), key
    return box


async def test_tab_enters_the_sidebar_and_enter_edits_the_value_under_the_cursor() -> None:
    app = make_app()
    async with running(app) as pilot:
        sidebar = app.query_one(Sidebar)
        await hit(pilot, "tab")
        assert app.focused is sidebar and sidebar.model.current.key == "panel:data"
        await hit(pilot, "down", "down")
        assert sidebar.model.current.key == "rows"
        await hit(pilot, "enter")
        box = app.focused
        assert isinstance(box, Input) and box.value == "" and box.placeholder == "100"
        assert app.query_one(FieldEditor).display
        box.value = "60"
        await hit(pilot, "enter")
        await settle(pilot)
        assert app.session.config.rows == 60 and field(app, "rows").text == "60"
        assert app.focused is sidebar  # back on the list, ready for the next one
        await hit(pilot, "escape")
        assert app.focused is None
        await hit(pilot, "s")  # the app's keys work again
        assert app.session.trainer.updates == 1


async def test_tab_in_the_editor_applies_it_and_edits_the_next_setting() -> None:
    app = make_app()
    async with running(app) as pilot:
        sidebar = app.query_one(Sidebar)
        (await open_editor(pilot, "lr")).value = "0.02"
        await hit(pilot, "tab")
        await settle(pilot)
        assert app.session.lr == 0.02
        assert sidebar.model.current.key == "epochs" and isinstance(app.focused, Input)
        assert app.focused.value == "300"
        app.focused.value = "40"
        await hit(pilot, "escape")  # escape applies too: nothing typed is lost
        await settle(pilot)
        assert app.session.config.epochs == 40 and app.focused is sidebar


async def test_leaving_the_box_for_another_widget_applies_the_edit() -> None:
    app = make_app()
    async with running(app) as pilot:
        sidebar = app.query_one(Sidebar)
        (await open_editor(pilot, "seed")).value = "7"
        app.screen.set_focus(None)  # e.g. a click on the plot
        await drain(pilot)
        await settle(pilot)
        assert app.session.config.seed == 7 and sidebar.editing is None
        assert not app.query_one(FieldEditor).display


async def test_a_choice_list_opens_in_place_and_enter_picks_from_it() -> None:
    app = make_app()
    async with running(app) as pilot:
        sidebar = app.query_one(Sidebar)
        sidebar.focus()
        sidebar.model.go_to("activation")
        await hit(pilot, "enter")
        assert "● relu" in sidebar_text(app) and "tanh" in sidebar_text(app)
        await hit(pilot, "escape")  # closes the list, keeps the value and the focus
        assert sidebar.model.choosing is None and app.focused is sidebar
        await hit(pilot, "enter", "down", "enter")
        await settle(pilot)
        chosen = field(app, "activation").choices[field(app, "activation").choices
                                                  .index("relu") + 1]
        assert app.session.config.activation == chosen
        assert "● " not in sidebar_text(app)


async def test_enter_and_the_arrows_open_and_close_a_panel() -> None:
    app = make_app()
    async with running(app) as pilot:
        sidebar = app.query_one(Sidebar)
        sidebar.focus()
        sidebar.model.go_to("panel:init")
        assert "w1" not in sidebar_text(app)
        await hit(pilot, "enter")
        assert "initial parameters" in sidebar_text(app) and " w1 " in sidebar_text(app)
        await hit(pilot, "left")
        assert " w1 " not in sidebar_text(app)
        await hit(pilot, "right")
        model = sidebar.model
        before_note = model.rows[model.index("note:params") - 1].key
        model.go_to(before_note)
        await hit(pilot, "down")
        assert model.current.key == "param:w1"  # the note is passed over
        await hit(pilot, "left")
        assert sidebar.model.current.key == "panel:init"


async def test_a_click_on_a_row_edits_it_and_a_click_on_a_panel_opens_it() -> None:
    app = make_app()
    async with running(app) as pilot:
        sidebar = app.query_one(Sidebar)
        top = app.query_one("#sheet-top", SheetPart)
        row = next(n for n, line in enumerate(top.lines)
                   if sidebar.model.rows[line.row].key == "seed")
        await pilot.click(top, offset=(3, row))
        await settle(pilot)
        assert isinstance(app.focused, Input) and app.focused.value == "0"
        app.focused.value = "3"
        below = app.query_one("#sheet-bottom", SheetPart)  # the lines under the editor
        panel = next(n for n, line in enumerate(below.lines)
                     if sidebar.model.rows[line.row].key == "panel:init")
        await pilot.click(below, offset=(2, panel))  # the open edit is applied first
        await settle(pilot)
        assert app.session.config.seed == 3
        assert not sidebar.model.collapsed["init"] and " w1 " in sidebar_text(app)


async def test_a_refused_value_gives_way_to_the_value_in_effect_when_the_keys_leave() -> None:
    """The row shows what is typed, refused, while the cursor is there; leaving the
    sidebar (or any applied change) shows the value in effect again."""
    app = make_app()
    async with running(app) as pilot:
        await edit(pilot, "rows", "xyz")
        row = field(app, "rows")
        assert row.text == "xyz" and "'rows'" in row.error and "--rows" not in row.error
        await edit(pilot, "task", "classify")  # refused on generated data
        assert field(app, "task").error and field(app, "task").text == "classify"
        await edit(pilot, "seed", "4")  # applied: every row shows what is in effect
        assert field(app, "task").text == "regress" and not field(app, "task").error
        assert row.text == "" and not row.error  # rows: blank, the default
        await edit(pilot, "lr", "-1")
        await hit(pilot, "escape")
        await settle(pilot)
        assert app.focused is None
        assert field(app, "lr").text == "0.005" and not field(app, "lr").error
        assert "-1" not in sidebar_text(app)


async def test_tab_in_the_editor_goes_past_lists_and_panel_titles() -> None:
    app = make_app()
    async with running(app) as pilot:
        sidebar = app.query_one(Sidebar)
        sidebar.focus()
        sidebar.model.go_to("seed")  # next: scaling (a list), test frac (typed)
        await hit(pilot, "enter", "tab")
        assert sidebar.model.current.key == "test_size" and isinstance(app.focused, Input)
        await hit(pilot, "tab")  # past the closed Initial weights and the Learning title
        assert sidebar.model.current.key == "lr" and isinstance(app.focused, Input)
        await hit(pilot, "shift+tab")
        assert sidebar.model.current.key == "test_size"


async def test_a_toast_names_the_setting_that_started_the_run_again() -> None:
    app = make_app()
    async with running(app, notifications=True) as pilot:
        await edit(pilot, "batch_size", "4")
        messages = [n.message for n in app._notifications]  # noqa: SLF001
        assert any(m.startswith("The batch setting changed") for m in messages), messages
