import numpy as np
import pytest

from neuronlab.data import DataError, load_csv, load_dataset, read_feature_csv


def write(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_text_target_is_label_encoded_in_sorted_order(tmp_path):
    path = write(
        tmp_path, "length,width,species\n1.5,0.2,setosa\n4.7,1.4,versicolor\n1.4,0.2,setosa\n6.0,2.5,virginica\n"
    )
    b = load_dataset(f"csv:{path}")
    assert b.task == "classification" and b.class_names == ["setosa", "versicolor", "virginica"]
    np.testing.assert_array_equal(b.y, [0, 1, 0, 2])
    assert b.feature_names == ["length", "width"]
    np.testing.assert_array_equal(b.X, np.array([[1.5, 0.2], [4.7, 1.4], [1.4, 0.2], [6.0, 2.5]], np.float32))
    assert b.X.dtype == np.float32 and b.y.dtype == np.int64


def test_target_column_by_name_and_numeric_targets(tmp_path):
    path = write(tmp_path, "y,a,b\n1,2,3\n0,5,6\n1,8,9\n")
    b = load_csv(path, target="y")
    assert b.task == "classification" and b.class_names == ["0", "1"]
    np.testing.assert_array_equal(b.y, [1, 0, 1])
    np.testing.assert_array_equal(b.X, [[2, 3], [5, 6], [8, 9]])
    reg = load_csv(write(tmp_path, "a,price\n1,2.5\n2,3.75\n3,-1\n"))
    assert reg.task == "regression" and reg.y.dtype == np.float32
    np.testing.assert_allclose(reg.y, [2.5, 3.75, -1.0])


def test_many_whole_number_values_are_a_regression_target(tmp_path):
    rows = "\n".join(f"{i},{i * 3}" for i in range(30))
    assert load_csv(write(tmp_path, "x,y\n" + rows + "\n")).task == "regression"


def test_semicolons_tabs_quotes_and_blank_lines(tmp_path):
    b = load_csv(write(tmp_path, 'a;"b";t\n1;2;x\n\n3;4;y\n'))
    np.testing.assert_array_equal(b.X, [[1, 2], [3, 4]])
    b = load_csv(write(tmp_path, "a\tb\tt\n1\t2\t0.5\n3\t4\t1.5\n", name="t.tsv"))
    np.testing.assert_allclose(b.y, [0.5, 1.5])


def error_of(path, **kwargs):
    with pytest.raises(DataError) as info:
        load_csv(path, **kwargs)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_missing_feature_value_names_row_line_and_column(tmp_path):
    path = write(tmp_path, "a,b,t\n1,2,0\n3,,1\n")
    assert "row 2 (line 3), column 'b': missing value; expected a number" in error_of(path)


def test_non_numeric_feature_names_the_first_bad_cell_in_file_order(tmp_path):
    path = write(tmp_path, "a,b,t\n1,2,0\n3,4,1\n5,6,1\nx,abc,0\n")
    assert "row 4 (line 5), column 'a': non-numeric value 'x'; expected a number" in error_of(path)


def test_non_finite_feature_is_refused(tmp_path):
    assert "column 'b': non-finite value 'nan'" in error_of(write(tmp_path, "a,b,t\n1,nan,0\n"))


def test_wrong_number_of_fields(tmp_path):
    assert "row 2 (line 3): 4 fields; the header has 3" in error_of(write(tmp_path, "a,b,t\n1,2,0\n1,2,3,4\n"))


def test_missing_target_value(tmp_path):
    assert "row 1 (line 2), column 't': missing target value" in error_of(write(tmp_path, "a,b,t\n1,2,\n"))


def test_unknown_target_column_lists_the_columns(tmp_path):
    assert "column 'label' not found; columns are ['a', 'b', 't']" in error_of(
        write(tmp_path, "a,b,t\n1,2,0\n"), target="label"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty file; expected a header row"),
        ("a,b,t\n", "no data rows after the header"),
        ("t\n1\n", "needs at least two columns"),
    ],
)
def test_empty_or_header_only_files(tmp_path, text, message):
    assert message in error_of(write(tmp_path, text))


def test_missing_or_binary_file(tmp_path):
    assert "cannot read file" in error_of(tmp_path / "absent.csv")
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00a")
    assert "not UTF-8 text" in error_of(path)
    with pytest.raises(DataError, match="needs a file path"):
        load_dataset("csv:")


def test_read_feature_csv_picks_columns_by_name(tmp_path):
    path = write(tmp_path, "b,extra,a\n1,9,2\n3,9,4\n")
    np.testing.assert_array_equal(read_feature_csv(path, ["a", "b"]), [[2, 1], [4, 3]])
    np.testing.assert_array_equal(read_feature_csv(path), [[1, 9, 2], [3, 9, 4]])
    with pytest.raises(
        DataError,
        match=r"missing feature columns 'c' \(1 of the model's 2\); the file's columns are "
        r"'b', 'extra', 'a'$",
    ):
        read_feature_csv(path, ["a", "c"])


def test_many_missing_columns_are_summarized(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n")
    names = [f"pixel_{i}" for i in range(64)]
    with pytest.raises(DataError) as info:
        read_feature_csv(path, names)
    message = str(info.value)
    assert (
        "missing feature columns 'pixel_0', 'pixel_1', 'pixel_2', 'pixel_3', 'pixel_4' and 59 more (64 of " in message
    )
    assert "pixel_5'" not in message and len(message) < 300


def test_the_delimiter_is_read_from_the_first_non_blank_line(tmp_path):
    bundle = load_csv(write(tmp_path, "\n  \na;b;label\n1.5;2;x\n3;4;y\n"))
    assert bundle.feature_names == ["a", "b"] and bundle.class_names == ["x", "y"]
    np.testing.assert_array_equal(bundle.X, np.array([[1.5, 2], [3, 4]], np.float32))


# --- target values get the same row/column errors as features (issue 17, item 4) -------------------
def test_a_missing_marker_in_a_numeric_target_is_an_error_not_a_class(tmp_path):
    rows = "".join(f"{i},{i * 1.5 + 0.25}\n" for i in range(30))
    path = write(tmp_path, "x,price\n" + rows + "31,NA\n" + rows)
    assert (
        "row 31 (line 32), column 'price': non-numeric target value 'NA' (60 of the 61 target values are "
        "numbers); expected a number"
    ) in error_of(path)


def test_a_number_among_text_labels_is_an_error(tmp_path):
    path = write(tmp_path, "x,species\n1,setosa\n2,virginica\n3,7\n4,setosa\n")
    assert "row 3 (line 4), column 'species': number '7' among text labels (3 of the 4" in error_of(path)


def test_missing_target_among_text_labels_names_its_row(tmp_path):
    assert "row 2 (line 3), column 't': missing target value" in error_of(write(tmp_path, "a,t\n1,x\n2,\n3,y\n"))


def test_the_task_and_why_come_with_the_bundle(tmp_path):
    b = load_csv(write(tmp_path, "a,t\n1,2\n2,3\n3,2\n"))
    assert b.task == "classification" and b.num_classes == 2 and "whole numbers with 2 distinct values" in b.task_reason
    b = load_csv(write(tmp_path, "a,t\n1,x\n2,y\n"))
    assert b.task_reason == "text labels 'x', 'y'"


def test_a_single_class_target_is_exposed_not_refused(tmp_path):
    b = load_csv(write(tmp_path, "a,b,t\n1,2,yes\n3,4,yes\n5,6,yes\n"))
    assert b.task == "classification" and b.num_classes == 1 and b.class_names == ["yes"]
    np.testing.assert_array_equal(b.y, [0, 0, 0])


# --- float32's range (issue 17, item 6) -----------------------------------------------------------
def test_values_beyond_float32_are_refused_naming_row_and_column(tmp_path):
    path = write(tmp_path, "a,b,t\n1,2,0.5\n3,1e39,1.5\n")
    assert "row 2 (line 3), column 'b': value '1e39' overflows float32 (largest 3.4028235e+38)" in error_of(path)
    path = write(tmp_path, "a,b,t\n1,2,0.5\n3,4,-1e39\n")
    assert "row 2 (line 3), column 't': target value '-1e39' overflows float32" in error_of(path)
    with pytest.raises(DataError, match=r"row 1 \(line 2\), column 'b': value '1e39' overflows float32"):
        read_feature_csv(write(tmp_path, "a,b\n1,1e39\n"), ["a", "b"])


def test_the_overflow_threshold_is_float32_rounding():
    from neuronlab.data.datasets.csv_table import FLOAT32_OVERFLOW, _number_problem

    below = np.nextafter(FLOAT32_OVERFLOW, 0.0)
    with np.errstate(over="ignore"):
        assert np.isinf(np.float32(FLOAT32_OVERFLOW)) and np.isfinite(np.float32(below))
    assert _number_problem(repr(float(below))) is None and "overflows" in _number_problem(repr(FLOAT32_OVERFLOW))


def test_problems_are_reported_in_file_order_whatever_their_kind(tmp_path):
    path = write(tmp_path, "a,b,t\n1,2,0\n3,1e40,1\n5,x,0\n")  # the overflow comes before the text cell
    assert "row 2 (line 3), column 'b': value '1e40' overflows" in error_of(path)
    path = write(tmp_path, "a,b,t\n1,2,0\n3,4,1,9\n5,inf,0\n")
    assert "row 2 (line 3): 4 fields; the header has 3" in error_of(path)


def test_every_row_wider_than_the_header_is_refused(tmp_path):
    assert "row 1 (line 2): 4 fields; the header has 3" in error_of(write(tmp_path, "a,b,t\n1,2,3,4\n5,6,7,8\n"))


# --- header (issue 17, items 8 and 11) -------------------------------------------------------------
def test_a_headerless_file_is_detected(tmp_path):
    path = write(tmp_path, "5.1,3.5,0\n4.9,3.0,1\n")
    assert "the first row (5.1, 3.5, 0) holds only numbers: it looks like data, not a header" in error_of(path)
    with pytest.raises(DataError, match="looks like data, not a header"):
        read_feature_csv(path)


def test_duplicate_column_names_are_refused_naming_them(tmp_path):
    path = write(tmp_path, "a,b,a,c,b,t\n1,2,3,4,5,0\n")
    assert "duplicate column names 'a' (columns 1, 3); 'b' (columns 2, 5)" in error_of(path)


# --- the fast reader and the reference reader agree -------------------------------------------------
def test_the_fast_reader_matches_the_reference_reader(tmp_path):
    from neuronlab.data.datasets.csv_table import CsvTable

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) * 10.0 ** rng.integers(-30, 30, size=(300, 4))
    labels = rng.choice(["b", "a c", "d,e"], size=300)
    cells = [[repr(float(x[0])), f"{x[1]:.9g}", f"{x[2]:.3e}", f" {x[3]:.4f}"] for x in X]  # several spellings
    text = "p,q,label,r,s\n" + "".join(f'{c[0]},{c[1]},"{y}",{c[2]},{c[3]}\n' for c, y in zip(cells, labels))
    table = CsvTable(write(tmp_path, text))
    fast, reference = table.read([0, 1, 3, 4], 2), table.read_reference([0, 1, 3, 4], 2)
    np.testing.assert_array_equal(fast.X, reference.X)
    np.testing.assert_array_equal(fast.X, np.array([[float(c) for c in row] for row in cells]).astype(np.float32))
    assert fast.target_values is None and fast.target_labels == reference.target_labels
    np.testing.assert_array_equal(fast.target_codes, reference.target_codes)
    b = load_csv(table.path, target="label")
    assert b.class_names == ["a c", "b", "d,e"] and [b.class_names[k] for k in b.y] == list(labels)


def test_files_the_fast_parser_refuses_are_read_by_the_reference_reader(tmp_path):
    b = load_csv(write(tmp_path, "a,b,t\n1,2,0.5\n   \n1_000,4,1.5\n"))  # a line of spaces, an underscore
    np.testing.assert_array_equal(b.X, [[1, 2], [1000, 4]])
    np.testing.assert_array_equal(b.y, np.array([0.5, 1.5], np.float32))


def test_prediction_inputs_ignore_text_columns_they_do_not_need(tmp_path):
    path = write(tmp_path, "id,a,b\nx1,1,2\nx2,3,4\n")
    np.testing.assert_array_equal(read_feature_csv(path, ["b", "a"]), [[2, 1], [4, 3]])
    with pytest.raises(DataError, match=r"row 1 \(line 2\), column 'id': non-numeric value 'x1'"):
        read_feature_csv(path)


def test_bad_utf8_after_the_header_is_reported(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"a,t\n1,x\n2,caf\xe9\n")
    assert "not UTF-8 text" in error_of(path)


def test_a_decimal_comma_gets_a_hint(tmp_path):
    path = write(tmp_path, "a;b;t\n1,5;2;0\n")
    assert "non-numeric value '1,5'; expected a number with a decimal point and no thousands separator" in error_of(
        path
    )


def test_directories_and_pipes_are_refused_without_waiting(tmp_path):
    import os

    assert "a directory; expected a CSV file" in error_of(tmp_path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # opening it would wait for a writer
    assert "not a regular file" in error_of(fifo)


def test_reading_needs_memory_near_the_size_of_the_matrix(tmp_path):
    import tracemalloc

    X = np.random.default_rng(0).normal(size=(20_000, 11))
    path = tmp_path / "wide.csv"
    np.savetxt(path, X, fmt="%.6g", delimiter=",", header=",".join(f"c{i}" for i in range(11)), comments="")
    tracemalloc.start()
    try:
        bundle = load_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * (bundle.X.nbytes + bundle.y.nbytes)  # the whole text as Python strings: 34 times
