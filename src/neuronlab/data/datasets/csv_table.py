"""CSV files as datasets: a header row of column names, numeric feature columns, one target column.

Delimiter: comma, semicolon or tab, whichever the header line (the first non-blank line) uses most.
Every problem is reported as a :class:`DataError` naming the file, the data row (1-based, header
excluded), its line, and the column.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from neuronlab.data.datasets.bundle import DatasetBundle
from neuronlab.data.errors import DataError

MAX_INTEGER_CLASSES = 20
"""A numeric target is read as class labels when it holds whole numbers with at most this many values."""


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


class CsvTable:
    """The cells of a CSV file as strings: ``header`` and ``rows``, with each row's line number."""

    def __init__(self, path) -> None:
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise DataError(f"{self.path}: cannot read file ({error.strerror or error})") from None
        except UnicodeDecodeError as error:
            raise DataError(f"{self.path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
        header_line = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max(",;\t", key=header_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue                                          # blank line
            if not self.header:
                self.header = [c.strip() for c in cells]
                continue
            if len(cells) != len(self.header):
                raise DataError(f"{self.path}, row {len(self.rows) + 1} (line {reader.line_num}): "
                                f"{len(cells)} fields; the header has {len(self.header)}")
            self.rows.append([c.strip() for c in cells])
            self.lines.append(reader.line_num)
        if not self.header:
            raise DataError(f"{self.path}: empty file; expected a header row of column names")
        if not self.rows:
            raise DataError(f"{self.path}: no data rows after the header")

    def column_index(self, name: str) -> int:
        matches = [i for i, h in enumerate(self.header) if h == name]
        if len(matches) != 1:
            problem = "not found" if not matches else "appears more than once"
            raise DataError(f"{self.path}: column {name!r} {problem}; columns are {self.header}")
        return matches[0]

    def cell_error(self, row: int, col: int, problem: str) -> DataError:
        return DataError(f"{self.path}, row {row + 1} (line {self.lines[row]}), column {self.header[col]!r}: {problem}")

    def numeric(self, columns: list[int]) -> np.ndarray:
        """The given columns as a float64 matrix; the first bad cell in file order is reported."""
        cells = np.array(self.rows, dtype=object)[:, columns] if columns else np.zeros((len(self.rows), 0))
        try:
            values = cells.astype(np.float64)
        except ValueError:
            r, c = next((r, c) for r, row in enumerate(self.rows) for c in columns if not _is_number(row[c]))
            cell = self.rows[r][c]
            problem = "missing value" if cell == "" else f"non-numeric value {cell!r}"
            raise self.cell_error(r, c, f"{problem}; expected a number") from None
        bad = np.argwhere(~np.isfinite(values))
        if len(bad):
            r, j = bad[0]
            raise self.cell_error(int(r), columns[j], f"non-finite value {self.rows[r][columns[j]]!r}; expected a finite number")
        return values


def _encode_target(table: CsvTable, col: int) -> tuple[np.ndarray, str, list[str] | None]:
    """Target column -> (y, task, class_names): text is label-encoded (sorted), whole numbers with
    at most ``MAX_INTEGER_CLASSES`` values are class labels, other numbers are a regression target."""
    cells = [row[col] for row in table.rows]
    for r, cell in enumerate(cells):
        if cell == "":
            raise table.cell_error(r, col, "missing target value")
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        names, labels = np.unique(np.array(cells, dtype=str), return_inverse=True)
        return labels.astype(np.int64), "classification", [str(n) for n in names]
    if not np.all(np.isfinite(values)):
        r = int(np.argmax(~np.isfinite(values)))
        raise table.cell_error(r, col, f"non-finite target value {cells[r]!r}")
    distinct, labels = np.unique(values, return_inverse=True)
    if np.all(distinct == np.round(distinct)) and len(distinct) <= MAX_INTEGER_CLASSES:
        return labels.astype(np.int64), "classification", [str(int(v)) for v in distinct]
    return values.astype(np.float32), "regression", None


def load_csv(path, target: str | None = None) -> DatasetBundle:
    """A dataset from a CSV file: ``target`` names the target column (default: the last column);
    every other column is a numeric feature."""
    table = CsvTable(path)
    if len(table.header) < 2:
        raise DataError(f"{table.path}: needs at least two columns (features and a target), found {table.header}")
    t = table.column_index(target) if target is not None else len(table.header) - 1
    features = [i for i in range(len(table.header)) if i != t]
    X = table.numeric(features)
    y, task, class_names = _encode_target(table, t)
    return DatasetBundle(
        name=f"csv:{table.path}",
        X=X.astype(np.float32),
        y=y,
        task=task,
        class_names=class_names,
        feature_names=[table.header[i] for i in features],
    )


def _first(names: list[str], shown: int = 5) -> str:
    """``'a', 'b', 'c'`` or, for a long list, its first ``shown`` names and how many more."""
    text = ", ".join(map(repr, names[:shown]))
    return text if len(names) <= shown else f"{text} and {len(names) - shown} more"


def read_feature_csv(path, feature_names: list[str] | None = None) -> np.ndarray:
    """Inputs for prediction: the ``feature_names`` columns (in that order; other columns are ignored),
    or every column when None, as a float32 matrix."""
    table = CsvTable(path)
    if feature_names is None:
        columns = list(range(len(table.header)))
    else:
        missing = [f for f in feature_names if f not in table.header]
        if missing:
            raise DataError(f"{table.path}: missing feature columns {_first(missing)} ({len(missing)} of the model's "
                            f"{len(feature_names)}); the file's columns are {_first(table.header)}")
        columns = [table.column_index(f) for f in feature_names]
    return table.numeric(columns).astype(np.float32)
