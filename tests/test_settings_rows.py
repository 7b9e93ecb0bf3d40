"""The sidebar's rows without a screen: what each source and optimizer shows, where the
cursor may go, parameter rows that follow the network, and the lines a width gives."""

from __future__ import annotations

from nntui.lab.config import OPTIONS, ExperimentConfig
from nntui.ui.widgets.settings_rows import MAX_PARAM_FIELDS, SheetModel

PARAMS = {"w1": 0.5, "w2": -0.25, "b1": 0.0}


def keys(model: SheetModel) -> list[str]:
    return [model.rows[i].key for i in model.selectable()]


def test_every_option_but_set_has_a_row_holding_its_formatted_value() -> None:
    cfg = ExperimentConfig(lr=0.05, hidden=(3, 2), n1_range=(-1.0, 4.0))
    model = SheetModel.build(cfg, PARAMS)
    for key, opt in OPTIONS.items():
        if opt.kind == "assignments":
            continue
        row = model.row(key)
        assert row.text == row.committed == opt.format(getattr(cfg, key)), key
        assert row.label == opt.label and row.panel == opt.panel and row.help
    assert model.row("param:w2").text == "-0.25"


def test_the_source_and_the_optimizer_decide_which_fields_show() -> None:
    model = SheetModel.build(ExperimentConfig(), PARAMS)
    shown = keys(model)
    assert "n1_range" in shown and "features" not in shown and "csv" not in shown
    assert "momentum" not in shown and "beta1" not in shown
    assert "param:w1" not in shown  # the initial weights' panel starts closed
    model.row("dataset").text = "csv"
    model.row("optimizer").text = "adam"
    model.apply_rules()
    shown = keys(model)
    assert {"csv", "features", "target", "beta1", "beta2", "eps"} <= set(shown)
    assert "n1_range" not in shown and "momentum" not in shown and "spread" not in shown
    assert model.row("rows").placeholder == "all"  # a table's blank rows mean all of them


def test_the_cursor_walks_the_shown_rows_and_leaves_a_hidden_field_for_its_panel() -> None:
    model = SheetModel.build(ExperimentConfig(), PARAMS)
    order = keys(model)
    model.move(1)
    assert model.current.key == order[1] == "dataset"
    model.move(1000)
    assert model.current.key == order[-1]
    model.move(-1000)
    assert model.current.key == "panel:data"
    model.go_to("n2_range")
    model.row("dataset").text = "diabetes"
    model.apply_rules()  # n2_range went away under the cursor
    assert model.current.key == "panel:data"
    model.go_to("param:b1")
    assert not model.collapsed["init"] and model.current.key == "param:b1"
    model.toggle_panel("init", True)
    assert model.current.key == "panel:init"


def test_a_choice_list_moves_its_own_cursor_within_the_choices() -> None:
    model = SheetModel.build(ExperimentConfig(), PARAMS)
    model.go_to("activation")
    model.open_choices()
    choices = model.current.choices
    assert model.choosing == choices.index("relu")
    model.move(100)
    assert model.choosing == len(choices) - 1 and model.current.key == "activation"
    lines = model.lines(30)
    assert [line.text for line in lines if line.kind == "choice"] == list(choices)


def test_sync_shows_what_is_in_effect_and_rebuilds_parameter_rows_for_a_new_network() -> None:
    model = SheetModel.build(ExperimentConfig(), PARAMS)
    model.row("lr").text, model.row("lr").error = "0", "must be above 0"
    model.go_to("param:w2")
    model.sync(ExperimentConfig(lr=0.1, seed=4), {"w1": 1.0, "w2": 2.0, "b1": 3.0})
    assert model.row("lr").text == "0.1" and not model.row("lr").error
    assert model.row("seed").text == "4"
    assert model.row("param:w2").text == "2" and model.current.key == "param:w2"
    many = {f"w{i}": float(i) for i in range(1, MAX_PARAM_FIELDS + 6)}
    model.sync(ExperimentConfig(), many)
    names = [row.key for row in model.rows if row.key.startswith("param:")]
    assert len(names) == MAX_PARAM_FIELDS and model.current.key == "param:w2"
    assert "5 more" in model.row("note:more").label
    model.sync(ExperimentConfig(), {"w1": 0.0})
    assert model.current.key == "panel:init"  # its row is gone
    assert [row.key for row in model.rows if row.key.startswith("param:")] == ["param:w1"]
    assert model.index("panel:learn") > model.index("param:w1") > model.index("panel:init")


def test_errors_and_hints_wrap_under_their_row_within_the_width() -> None:
    model = SheetModel.build(ExperimentConfig(), PARAMS)
    message = "CSV file not found: /a/rather/long/folder/name/that/goes/on/insurance.csv"
    model.row("seed").error = message
    lines = model.lines(30)
    at = next(n for n, line in enumerate(lines) if model.rows[line.row].key == "seed")
    wrapped = [line for line in lines[at + 1:] if line.kind == "error"]
    assert len(wrapped) >= 3 and all(len(line.text) <= 28 for line in wrapped)
    joined = "".join(line.text for line in wrapped).replace(" ", "")
    assert joined == message.replace(" ", "")  # a long path is broken, nothing is lost


def test_leaving_forgets_refused_texts_hints_and_an_open_list() -> None:
    model = SheetModel.build(ExperimentConfig(), PARAMS)
    model.row("lr").text, model.row("lr").error = "0", "must be above 0"
    model.row("dataset").hint = "now the path"
    model.go_to("activation")
    model.open_choices()
    model.revert_refused()
    assert model.row("lr").text == model.row("lr").committed == "0.005"
    assert not model.row("lr").error and not model.row("dataset").hint
    assert model.choosing is None


def test_next_text_skips_titles_lists_and_closed_panels() -> None:
    model = SheetModel.build(ExperimentConfig(), PARAMS)
    model.go_to("seed")
    assert model.next_text(1) and model.current.key == "test_size"  # past scaling
    assert model.next_text(1) and model.current.key == "lr"  # past two titles
    assert model.next_text(-1) and model.current.key == "test_size"
    model.go_to("l2")
    assert not model.next_text(1) and model.current.key == "l2"  # the last one
