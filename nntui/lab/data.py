"""Data sources (docs/design.md §3): the notebook's generator, scikit-learn's diabetes table, CSV.

pandas and scikit-learn are imported inside the functions that need them: importing them at
module level would cost the app over a second at start-up.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nntui.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

DIABETES_TARGET = "progression"
MAX_CATEGORIES = 20  # text values one column may turn into indicator columns
MAX_INPUTS = 64
DIABETES_FEATURES = ("bmi", "bp")
MAX_CSV_BYTES = 100 * 2**20  # a CSV (unpacked) larger than this is not a course table
#: The first bytes of compressed files (their names may say otherwise).
MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"),
         (b"PK\x03\x04", "zip"), (b"\x28\xb5\x2f\xfd", "zstd"),
         (b"7z\xbc\xaf\x27\x1c", "7z"))
BZ2_BLOCKS = (b"1AY&SY", b"\x17rE8P\x90")  # after "BZh9": a block, or the end of stream


@dataclass
class Table:
    """Raw (unscaled) inputs and target, in source order."""

    x: np.ndarray
    y: np.ndarray
    features: list[str]
    target: str
    dropped_rows: int = 0
    #: Under --task classify: the target's two values as written (class 0, class 1).
    classes: list[str] | None = None

    def __len__(self) -> int:
        return len(self.y)


def generated(
    rows: int,
    n1_range: tuple[int, int],
    n2_range: tuple[int, int],
    noise_range: tuple[float, float],
    seed: int,
) -> Table:
    """The notebook generator: integer n1, n2, uniform noise, n3 = n1**2 + n2 + noise."""
    rng = np.random.default_rng([seed, 1])
    n1 = rng.integers(n1_range[0], n1_range[1], size=rows).astype(float)
    n2 = rng.integers(n2_range[0], n2_range[1], size=rows).astype(float)
    noise = rng.uniform(noise_range[0], noise_range[1], size=rows)
    n3 = n1**2 + n2 + noise
    return Table(np.column_stack([n1, n2]), n3, ["n1", "n2"], "n3")


#: Blob centres of class 0 and class 1; circle radii of class 0 (inside) and class 1 (ring).
BLOB_CENTRES = ((-1.0, -1.0), (1.0, 1.0))
CIRCLE_RADII = ((0.0, 0.5), (1.0, 1.5))


def two_class(kind: str, rows: int, spread: float, seed: int) -> Table:
    """A generated two-class set: `blobs` (two Gaussian clouds of standard deviation
    `spread` around (-1,-1) and (1,1)) or `circle` (class 0 inside radius 0.5, class 1 on
    a ring of radius 1 to 1.5, plus Gaussian noise of that spread). Each row's class is
    drawn fairly, so the classes are mixed in row order (per-sample SGD sees both)."""
    rng = np.random.default_rng([seed, 5])
    label = rng.integers(0, 2, size=rows)
    if kind == "blobs":
        centres = np.array(BLOB_CENTRES)[label]
        x = centres + rng.normal(0.0, spread, size=(rows, 2))
    else:
        radii = np.array(CIRCLE_RADII)[label]
        r = rng.uniform(radii[:, 0], radii[:, 1])
        angle = rng.uniform(0.0, 2.0 * np.pi, size=rows)
        x = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
        x += rng.normal(0.0, spread, size=(rows, 2))
    return Table(x, label.astype(float), ["u", "v"], "class", classes=["0", "1"])


def binary_target(values: np.ndarray, target: str, source: str) -> tuple[np.ndarray,
                                                                          list[str]]:
    """A 2-valued target as 0/1 (its values sorted: the first is 0) and the two values;
    any other count of values is a UserError that says what classify needs."""
    distinct = sorted(set(values.tolist()))
    if len(distinct) != 2:
        shown = ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v)
                          for v in distinct[:3]) + (", ..." if len(distinct) > 3 else "")
        raise UserError(f"--task classify needs a target with exactly 2 values; {target!r} "
                        f"in {source} has {len(distinct)} ({shown}). Choose a 2-valued "
                        "target, --dataset blobs or circle, or --task regress")
    return (values == distinct[1]).astype(float), [_label(v) for v in distinct]


def _label(value: object) -> str:
    """A class value as text: 1.0 -> '1'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def diabetes_frame() -> pd.DataFrame:
    """scikit-learn's bundled diabetes table in original units (442 rows, offline)."""
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(scaled=False, as_frame=True).frame
    return frame.rename(columns={"target": DIABETES_TARGET})


def read_csv(path: str) -> pd.DataFrame:
    """Read a CSV file, turning every way it can fail into a UserError that says why.

    The file is read once, at most MAX_CSV_BYTES, so a stream (`--csv /dev/stdin`, a FIFO,
    `<(...)`) keeps its header and an endless one stops at the limit. Compression is told
    by the content, not the name: gzip, bz2, xz and a one-file zip are unpacked (within
    the same limit); plain text named `.zip` or `.xz` is read as plain text.
    """
    import pandas as pd

    from nntui.lab.storage import UnreadableFile, read_limited

    if not path:
        raise UserError("no CSV file given; pass --csv PATH")
    path = os.path.expanduser(path)  # `~/x.csv` typed in the app (a shell expands it)
    if not os.path.exists(path):
        raise UserError(f"CSV file not found: {path}")
    if os.path.isdir(path):
        raise UserError(f"{path} is a directory, not a CSV file")
    try:
        raw, _ = read_limited(path, MAX_CSV_BYTES)
        content = decompress(raw, path)
    except UnreadableFile as exc:
        raise UserError(f"{path} is too large for a CSV table ({exc.problem})") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in content[:8192]:
        raise UserError(f"{path} looks like a binary file, not a CSV text file")
    try:
        frame = pd.read_csv(io.BytesIO(content), compression=None)
    except pd.errors.EmptyDataError:
        raise UserError(f"{path} is empty: a CSV needs a header row and data rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path} is not a readable CSV file ({first})") from None
    if frame.shape[1] < 2:
        raise UserError(f"{path} has {frame.shape[1]} column(s); a CSV needs at least two")
    if len(frame) == 0:
        raise UserError(f"{path} has a header but no data rows")
    return frame


def decompress(raw: bytes, path: str) -> bytes:
    """The text of a CSV, unpacked if its first bytes say it is compressed."""
    import bz2
    import gzip
    import lzma
    import zipfile
    import zlib

    from nntui.lab.storage import UnreadableFile

    kind = next((name for magic, name in MAGIC if raw.startswith(magic)), None)
    if kind == "bz2" and not (raw[3:4].isdigit() and raw[4:10] in BZ2_BLOCKS):
        kind = None  # a text that happens to start with "BZh"
    if kind in ("zstd", "7z"):
        raise UserError(f"{path} is {kind}-compressed, which nntui cannot read; "
                        "unpack it first")
    if kind is None:
        return raw
    try:
        if kind == "zip":
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) != 1:
                    raise UserError(f"{path} is a zip archive of {len(members)} files; "
                                    "a CSV zip must hold exactly one file")
                with archive.open(members[0]) as fh:
                    text = fh.read(MAX_CSV_BYTES + 1)
        else:
            stream = io.BytesIO(raw)
            unpacker = gzip.GzipFile(fileobj=stream) if kind == "gzip" else \
                bz2.BZ2File(stream) if kind == "bz2" else lzma.LZMAFile(stream)
            with unpacker as fh:
                text = fh.read(MAX_CSV_BYTES + 1)
    except (OSError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile,
            lzma.LZMAError, zlib.error) as exc:
        raise UserError(f"{path} looks {kind}-compressed but cannot be unpacked "
                        f"({str(exc) or type(exc).__name__})") from None
    if len(text) > MAX_CSV_BYTES:
        raise UnreadableFile(f"unpacked, it is larger than {MAX_CSV_BYTES // 2**20} MB")
    if text[257:262] == b"ustar":
        raise UserError(f"{path} is a tar archive; extract the CSV file from it first")
    return text


def from_frame(
    frame: pd.DataFrame,
    features: list[str] | None,
    target: str | None,
    rows: int | None,
    source: str,
    classify: bool = False,
) -> Table:
    """Choose columns, drop incomplete rows, encode text columns, keep the first `rows`.

    Defaults: the last column is the target and every other column a feature. `classify`:
    the target must have exactly two values (text or numbers), mapped to 0/1 in sorted order.
    """
    import pandas as pd

    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    target = target or columns[-1]
    if features is None:
        features = [c for c in columns if c != target]
    for name in [*features, target]:
        if name not in columns:
            raise UserError(
                f"unknown column {name!r} in {source}; columns are: {', '.join(columns)}"
            )
    if target in features:
        raise UserError(f"column {target!r} is both a feature and the target")
    if len(set(features)) != len(features):
        raise UserError("a feature column is named twice in --features")
    chosen = frame[[*features, target]]
    complete = chosen.dropna()
    dropped = len(chosen) - len(complete)
    if len(complete) == 0:
        raise UserError(
            f"no usable rows in {source}: every row has a missing value in "
            f"{', '.join([*features, target])}"
        )
    if not classify and not pd.api.types.is_numeric_dtype(complete[target]):
        raise UserError(
            f"target column {target!r} is text; choose a numeric target column"
        )
    parts: list[np.ndarray] = []
    names: list[str] = []
    for name in features:
        col = complete[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            parts.append(col.to_numpy(dtype=float))
            names.append(name)
            continue
        values = sorted(col.astype(str).unique())
        if len(values) > MAX_CATEGORIES:
            raise UserError(f"column {name!r} has {len(values)} different text values; "
                            f"at most {MAX_CATEGORIES} can become indicator columns")
        text = col.astype(str).to_numpy()
        if len(values) <= 2:
            parts.append((text == values[-1]).astype(float) if len(values) == 2
                         else np.zeros(len(text)))
            names.append(name)
        else:
            for value in values:
                parts.append((text == value).astype(float))
                names.append(f"{name}={value}")
    if len(names) > MAX_INPUTS:
        raise UserError(f"{len(names)} input columns after encoding; at most {MAX_INPUTS}")
    x = np.column_stack(parts)
    classes = None
    if classify:
        column = complete[target]
        values = column.to_numpy(dtype=float) if pd.api.types.is_numeric_dtype(
            column) else column.astype(str).to_numpy()
        y, classes = binary_target(values, target, source)
    else:
        y = complete[target].to_numpy(dtype=float)
    for name, column in [*zip(names, x.T), (target, y)]:
        if not np.all(np.isfinite(column)):
            raise UserError(f"column {name!r} in {source} has infinite values; "
                            "remove them or choose other columns")
    if rows is not None:
        x, y = x[:rows], y[:rows]
    return Table(np.ascontiguousarray(x), y, names, target, dropped, classes)
