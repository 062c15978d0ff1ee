import numpy as np
import pytest

from neuronlab.data import DataError, load_csv, load_dataset, read_feature_csv


def write(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_text_target_is_label_encoded_in_sorted_order(tmp_path):
    path = write(tmp_path, "length,width,species\n1.5,0.2,setosa\n4.7,1.4,versicolor\n1.4,0.2,setosa\n6.0,2.5,virginica\n")
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
    assert "column 'label' not found; columns are ['a', 'b', 't']" in error_of(write(tmp_path, "a,b,t\n1,2,0\n"), target="label")


@pytest.mark.parametrize("text, message", [
    ("", "empty file; expected a header row"),
    ("a,b,t\n", "no data rows after the header"),
    ("t\n1\n", "needs at least two columns"),
])
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
    with pytest.raises(DataError, match=r"missing feature columns 'c' \(1 of the model's 2\); the file's columns are "
                                         r"'b', 'extra', 'a'$"):
        read_feature_csv(path, ["a", "c"])


def test_many_missing_columns_are_summarized(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n")
    names = [f"pixel_{i}" for i in range(64)]
    with pytest.raises(DataError) as info:
        read_feature_csv(path, names)
    message = str(info.value)
    assert "missing feature columns 'pixel_0', 'pixel_1', 'pixel_2', 'pixel_3', 'pixel_4' and 59 more (64 of " in message
    assert "pixel_5'" not in message and len(message) < 300


def test_the_delimiter_is_read_from_the_first_non_blank_line(tmp_path):
    bundle = load_csv(write(tmp_path, "\n  \na;b;label\n1.5;2;x\n3;4;y\n"))
    assert bundle.feature_names == ["a", "b"] and bundle.class_names == ["x", "y"]
    np.testing.assert_array_equal(bundle.X, np.array([[1.5, 2], [3, 4]], np.float32))
