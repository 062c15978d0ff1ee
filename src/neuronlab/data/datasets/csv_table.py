"""CSV files as datasets: a header row of column names, numeric feature columns, one target column.

Delimiter: comma, semicolon or tab, whichever the header line (the first non-blank line) uses most.
Numbers are read as float32 and must be finite there (1e39 overflows float32 and is refused).
Every problem is reported as a :class:`DataError` naming the file, the data row (1-based, header
excluded), its line, and the column.

Two readers, one result. The fast one is NumPy's C parser (``np.loadtxt``), streaming the file straight
into a float32 matrix (a text target column goes through a converter that numbers its labels). When it
refuses the file, the reference reader (Python's ``csv`` module, row by row) reads it again: it raises
the first problem in file order with its row, line and column, or reads a valid file the fast parser
does not accept (a line of spaces, a number written ``1_000``).
"""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from neuronlab.data.datasets.bundle import DatasetBundle
from neuronlab.data.errors import DataError, check_regular_file
from neuronlab.data.task import infer_task

FLOAT32_MAX = float(np.finfo(np.float32).max)
FLOAT32_OVERFLOW = float.fromhex("0x1.ffffffp+127")
"""The smallest magnitude that rounds to infinity in float32 (halfway between the largest float32 and 2^128)."""

_CHUNK_ROWS = 8192


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _number_problem(cell: str, what: str = "value") -> str | None:
    """Why the (stripped) cell is not a finite float32 number, or None when it is one."""
    try:
        value = float(cell)
    except ValueError:
        if cell == "":
            return f"missing {what}; expected a number"
        hint = " with a decimal point and no thousands separator" if _is_number(cell.replace(",", ".", 1)) else ""
        return f"non-numeric {what} {cell!r}; expected a number{hint}"
    if not math.isfinite(value):
        return f"non-finite {what} {cell!r}; expected a finite number"
    if abs(value) >= FLOAT32_OVERFLOW:
        return f"{what} {cell!r} overflows float32 (largest {FLOAT32_MAX:.8g}); expected a finite number"
    return None


def _first(names: list[str], shown: int = 5) -> str:
    """``'a', 'b', 'c'`` or, for a long list, its first ``shown`` names and how many more."""
    text = ", ".join(map(repr, names[:shown]))
    return text if len(names) <= shown else f"{text} and {len(names) - shown} more"


class _Labels:
    """Numbers the distinct (stripped) cells of a column in order of first appearance: a converter for
    ``np.loadtxt`` (returns the cell's code) and the reference reader's target column."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def __call__(self, cell: str) -> int:
        return self.codes.setdefault(cell.strip(), len(self.codes))

    @property
    def names(self) -> list[str]:
        return list(self.codes)


def _ignore(cell: str) -> float:
    return 0.0


def _take_columns(table: np.ndarray, columns: list[int]) -> np.ndarray:
    """``table[:, columns]`` as a C-contiguous matrix in ``table``'s own memory: block by block, each block
    of rows is gathered and written over the front of the buffer, which only holds rows already moved."""
    n, width = table.shape
    if columns == list(range(width)):
        return table
    out = table.reshape(-1)[: n * len(columns)].reshape(n, len(columns))
    for start in range(0, n, _CHUNK_ROWS):
        out[start : start + _CHUNK_ROWS] = table[start : start + _CHUNK_ROWS, columns]
    return out


class Columns(NamedTuple):
    """What :meth:`CsvTable.read` returns: the numeric columns as float32 (rows x columns) and the
    target column, either as numbers (``target_values``, float32) or as codes into ``target_labels``."""

    X: np.ndarray
    target_values: np.ndarray | None = None
    target_codes: np.ndarray | None = None
    target_labels: list[str] | None = None


class CsvTable:
    """A CSV file: its ``header`` (stripped column names), ``delimiter`` and the line the header ends on;
    :meth:`read` streams the data rows."""

    def __init__(self, path) -> None:
        self.path = Path(path)
        self.header_line = 0
        header_text = ""
        with self._open() as handle:
            try:
                for line in handle:
                    self.header_line += 1
                    if line.strip():
                        header_text = line
                        break
            except UnicodeDecodeError as error:
                raise self._not_utf8(error, self.header_line + 1) from None
        if not header_text:
            raise DataError(f"{self.path}: empty file; expected a header row of column names")
        self.delimiter = max(",;\t", key=header_text.count)
        self.header = [c.strip() for c in next(csv.reader([header_text], delimiter=self.delimiter))]
        if all(_is_number(c) for c in self.header):
            shown = ", ".join(self.header[:5]) + (", ..." if len(self.header) > 5 else "")
            raise DataError(
                f"{self.path}: the first row ({shown}) holds only numbers: it looks like data, not a header; "
                f"add a first line of column names"
            )

    def _open(self):
        check_regular_file(self.path, "a CSV file")
        try:
            return open(self.path, encoding="utf-8-sig", newline="")
        except OSError as error:
            raise DataError(f"{self.path}: cannot read file ({error.strerror or error})") from None

    def _not_utf8(self, error: UnicodeDecodeError, line: int) -> DataError:
        return DataError(f"{self.path}: not UTF-8 text ({error.reason}, line {line} or near it)")

    def column_index(self, name: str) -> int:
        matches = [i for i, h in enumerate(self.header) if h == name]
        if len(matches) != 1:
            problem = "not found" if not matches else "appears more than once"
            raise DataError(f"{self.path}: column {name!r} {problem}; columns are {self.header}")
        return matches[0]

    def check_unique_names(self) -> None:
        """Refuse a header that names two columns alike (a model could not tell its inputs apart)."""
        seen: dict[str, list[int]] = {}
        for i, name in enumerate(self.header):
            seen.setdefault(name, []).append(i + 1)
        repeated = [f"{name!r} (columns {', '.join(map(str, cols))})" for name, cols in seen.items() if len(cols) > 1]
        if repeated:
            raise DataError(
                f"{self.path}: duplicate column names {'; '.join(repeated)}; every column needs its own name"
            )

    def cell_error(self, row: int, line: int, col: int, problem: str) -> DataError:
        return DataError(f"{self.path}, row {row + 1} (line {line}), column {self.header[col]!r}: {problem}")

    # --- reading ----------------------------------------------------------------------------------
    def rows(self):
        """``(line number, cells)`` of every data row in file order (blank lines skipped), streamed."""
        with self._open() as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            try:
                for cells in reader:
                    if reader.line_num <= self.header_line or not cells or (len(cells) == 1 and not cells[0].strip()):
                        continue
                    yield reader.line_num, cells
            except UnicodeDecodeError as error:
                raise self._not_utf8(error, reader.line_num + 1) from None
            except csv.Error as error:
                raise DataError(f"{self.path}, line {reader.line_num}: {error}") from None

    def row(self, index: int) -> tuple[int, list[str]]:
        """The line number and cells of data row ``index`` (0-based), for error messages."""
        for i, (line, cells) in enumerate(self.rows()):
            if i == index:
                return line, cells
        raise IndexError(f"{self.path}: no data row {index + 1}")

    def read(self, columns: list[int], target: int | None = None) -> Columns:
        """``columns`` as a float32 matrix (each cell a finite float32 number) and the ``target`` column."""
        result = self._read_fast(columns, target)
        if result is None:
            result = self.read_reference(columns, target)
        if len(result.X) == 0:
            raise DataError(f"{self.path}: no data rows after the header")
        if not np.isfinite(result.X.sum(dtype=np.float64)):  # NaN or inf anywhere (float32 sums cannot overflow)
            finite = np.isfinite(result.X)
            r, j = divmod(int(np.argmin(finite)), len(columns))
            line, cells = self.row(r)
            cell = cells[columns[j]].strip()
            raise self.cell_error(
                r, line, columns[j], _number_problem(cell) or f"value {cell!r} is not finite in float32"
            )
        return result

    def _read_fast(self, columns: list[int], target: int | None) -> Columns | None:
        """NumPy's C parser over the whole file: all cells as float32 numbers, or, when that fails, with
        the target's labels numbered and the unused columns skipped; None when the file needs the
        reference reader."""
        width = len(self.header)
        options: dict[str, Any] = dict(
            delimiter=self.delimiter,
            skiprows=self.header_line,
            dtype=np.float32,
            quotechar='"',
            comments=None,
            ndmin=2,
            encoding="utf-8",
        )
        labels = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            try:
                table = np.loadtxt(self.path, **options)
            except ValueError:  # a text cell, a missing one, a short row
                converters: dict[int | str, Callable[[str], Any]] = {
                    j: _ignore for j in range(width) if j not in columns and j != target
                }
                if target is not None:
                    labels = converters[target] = _Labels()
                if not converters:
                    return None
                try:
                    table = np.loadtxt(self.path, converters=converters, **options)
                except ValueError:
                    return None
            except OSError as error:
                raise DataError(f"{self.path}: cannot read file ({error.strerror or error})") from None
        if len(table) == 0:
            return Columns(np.zeros((0, len(columns)), np.float32))
        if table.shape[1] != width or (labels is not None and len(labels.codes) > 2**24):
            return None  # rows all of one other width; codes beyond float32
        if target is None:
            return Columns(_take_columns(table, columns))
        if labels is None:
            y = table[:, target].copy()
            return Columns(_take_columns(table, columns), target_values=y)
        codes = table[:, target].astype(np.int64)
        return Columns(_take_columns(table, columns), target_codes=codes, target_labels=labels.names)

    def read_reference(self, columns: list[int], target: int | None = None) -> Columns:
        """The reference reader: Python's ``csv`` module row by row, each cell checked in file order;
        the first problem is raised with its row, line and column. The target's labels are numbered."""
        width = len(self.header)
        labels = _Labels()
        blocks, block, codes = [], [], []
        for n, (line, cells) in enumerate(self.rows()):
            if len(cells) != width:
                raise DataError(f"{self.path}, row {n + 1} (line {line}): {len(cells)} fields; the header has {width}")
            values = []
            for j in columns:
                cell = cells[j].strip()
                problem = _number_problem(cell)
                if problem is not None:
                    raise self.cell_error(n, line, j, problem)
                values.append(float(cell))
            block.append(values)
            if target is not None:
                codes.append(labels(cells[target]))
            if len(block) == _CHUNK_ROWS:
                blocks.append(np.array(block, dtype=np.float32).reshape(-1, len(columns)))
                block = []
        blocks.append(np.array(block, dtype=np.float32).reshape(-1, len(columns)))
        X = np.concatenate(blocks)
        if target is None:
            return Columns(X)
        return Columns(X, target_codes=np.array(codes, dtype=np.int64), target_labels=labels.names)


def _target(table: CsvTable, col: int, read: Columns):
    """The target column as ``(values, inference)``: float numbers (n,) or text labels as
    ``(codes, sorted label names)``; a missing cell, a number among labels or a label among numbers, and a
    number that is not finite in float32 are reported at their first row."""
    if read.target_values is not None:
        values = read.target_values
        finite = np.isfinite(values)
        if not finite.all():
            r = int(np.argmin(finite))
            line, cells = table.row(r)
            cell = cells[col].strip()
            raise table.cell_error(
                r, line, col, _number_problem(cell, "target value") or f"target value {cell!r} is not finite in float32"
            )
        return values, infer_task(values)
    codes, labels = read.target_codes, read.target_labels
    assert codes is not None and labels is not None  # a read with a target has values or codes and labels
    numeric = np.array([_is_number(label) for label in labels], dtype=np.bool_)
    rows_per_label = np.bincount(codes, minlength=len(labels))
    numeric_rows = int(rows_per_label[numeric].sum())
    if 0 < numeric_rows < len(codes):  # numbers and text: the minority kind is the problem
        bad = ~numeric if 2 * numeric_rows >= len(codes) else numeric
    else:
        bad = np.zeros(len(labels), dtype=np.bool_)
    bad |= np.array([label == "" for label in labels], dtype=np.bool_)
    if numeric_rows == len(codes):
        number = np.array([float(label) for label in labels])
        bad |= ~np.isfinite(number) | (np.abs(number) >= FLOAT32_OVERFLOW)
    if bad.any():
        r = int(np.argmax(bad[codes]))
        line, _ = table.row(r)
        label = labels[codes[r]]
        problem: str | None
        if label == "" or numeric_rows == len(codes):
            problem = _number_problem(label, "target value") if label else "missing target value"
        elif numeric[codes[r]]:
            problem = (
                f"number {label!r} among text labels ({len(codes) - numeric_rows} of the {len(codes)} "
                "target values are text); expected a class label"
            )
        else:
            problem = (
                f"non-numeric target value {label!r} ({numeric_rows} of the {len(codes)} target values are "
                "numbers); expected a number"
            )
        assert problem is not None  # a bad numeric label is missing, not finite or overflows float32
        raise table.cell_error(r, line, col, problem)
    if numeric_rows == len(codes):
        values = np.array([float(label) for label in labels], dtype=np.float32)[codes]
        return values, infer_task(values)
    order = np.argsort(np.array(labels, dtype=object))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    names = [labels[i] for i in order]
    return (rank[codes], names), infer_task(names)


def load_csv(path, target: str | None = None) -> DatasetBundle:
    """A dataset from a CSV file: ``target`` names the target column (default: the last column);
    every other column is a numeric feature. The task is inferred by :func:`~neuronlab.data.infer_task`
    (``bundle.task_reason`` says why); a single class is kept (``bundle.num_classes == 1``)."""
    table = CsvTable(path)
    if len(table.header) < 2:
        raise DataError(f"{table.path}: needs at least two columns (features and a target), found {table.header}")
    table.check_unique_names()
    t = table.column_index(target) if target is not None else len(table.header) - 1
    features = [i for i in range(len(table.header)) if i != t]
    read = table.read(features, target=t)
    y, inference = _target(table, t, read)
    if isinstance(y, tuple):
        y, class_names = y
    elif inference.task == "classification":
        distinct, y = np.unique(y, return_inverse=True)
        class_names = [str(int(v)) for v in distinct]
    else:
        class_names = None
    return DatasetBundle(
        name=f"csv:{table.path}",
        X=read.X,
        y=y.astype(np.int64) if inference.task == "classification" else y.astype(np.float32),
        task=inference.task,
        class_names=class_names,
        feature_names=[table.header[i] for i in features],
        task_reason=inference.reason,
    )


def read_feature_csv(path, feature_names: list[str] | None = None) -> np.ndarray:
    """Inputs for prediction: the ``feature_names`` columns (in that order; other columns are ignored),
    or every column when None, as a float32 matrix of finite numbers."""
    table = CsvTable(path)
    if feature_names is None:
        columns = list(range(len(table.header)))
    else:
        missing = [f for f in feature_names if f not in table.header]
        if missing:
            raise DataError(
                f"{table.path}: missing feature columns {_first(missing)} ({len(missing)} of the model's "
                f"{len(feature_names)}); the file's columns are {_first(table.header)}"
            )
        columns = [table.column_index(f) for f in feature_names]
    return table.read(columns).X
