"""A short preview of the table: the first rows, raw and scaled, and the split sizes."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nntui.lab.experiment import Dataset
from nntui.lab.numbers import num


class DataPreview(Static):
    """Shows the first `rows` training rows of a Dataset."""

    def show(self, dataset: Dataset, rows: int = 8) -> None:
        table = dataset.table
        x_raw, y_raw = dataset.raw("train")
        x_s, y_s = dataset.part("train")
        head = Text.assemble(
            (f"{len(table)} rows", "bold"),
            f" ({len(dataset.train_idx)} train / {len(dataset.test_idx)} test), "
            f"{len(table.features)} input(s) -> {table.target}, {dataset.x_scaler.kind} "
            "scaling",
        )
        if table.dropped_rows:
            head.append(f"; {table.dropped_rows} row(s) with missing values dropped",
                        style="yellow")
        names = [*table.features, table.target]
        raw = Table(box=None, padding=(0, 1), header_style="bold", title="raw values",
                    title_justify="left")
        scaled = Table(box=None, padding=(0, 1), header_style="bold cyan",
                       title="scaled, as the network sees them", title_justify="left")
        for grid in (raw, scaled):
            grid.add_column("#", justify="right", style="dim")
            for name in names:  # column names come from a CSV header: never markup
                grid.add_column(Text(name), justify="right")
        for i in range(min(rows, len(y_raw))):
            raw.add_row(str(i), *(num(v, 6) for v in (*x_raw[i], y_raw[i])))
            scaled.add_row(str(i), *(num(v, 4) for v in (*x_s[i], y_s[i])))
        note = Text("the first training rows (# = index into the training rows)",
                    style="dim")
        self.update(Group(head, note, Text(""), raw, Text(""), scaled))
