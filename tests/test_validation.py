"""The shared argument checks: TypeError for the wrong type, ValueError out of range, the argument named."""

import numpy as np
import pytest

from neuronlab import _validation as check


@pytest.mark.parametrize(
    "call, value, expected",
    [
        (check.positive, 2, 2.0),
        (check.nonnegative, 0, 0.0),
        (check.probability, 1, 1.0),
        (check.probability, np.float32(0.25), 0.25),
        (check.positive_int, np.int64(3), 3),
        (check.nonnegative_int, 0, 0),
        (check.boolean, np.bool_(True), True),
    ],
)
def test_accepted_values_come_back_converted(call, value, expected):
    result = call("x", value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    "call, value, error, message",
    [
        (check.positive, 0, ValueError, r"x must be > 0, got 0"),
        (check.nonnegative, -1e-9, ValueError, r"x must be >= 0"),
        (check.probability, 1.5, ValueError, r"x must be a probability in \[0, 1\], got 1.5"),
        (check.probability, float("nan"), ValueError, r"x must be a probability in \[0, 1\], got nan"),
        (
            lambda name, value: check.number(name, value, low=0, finite=True),
            float("inf"),
            ValueError,
            "x must be finite",
        ),
        (check.probability, "0.5", TypeError, r"x must be a real number, got str '0.5'"),
        (check.positive, True, TypeError, r"x must be a real number, got bool"),
        (check.positive_int, 0, ValueError, r"x must be an integer >= 1, got 0"),
        (check.nonnegative_int, 2.0, TypeError, r"x must be an integer, got float"),
        (check.nonnegative_int, False, TypeError, r"x must be an integer"),
        (check.boolean, 1, TypeError, r"x must be True or False, got int 1"),
        (check.boolean, "yes", TypeError, r"x must be True or False, got str 'yes'"),
    ],
)
def test_refused_values_name_the_argument(call, value, error, message):
    with pytest.raises(error, match=message):
        call("x", value)


def test_choices_and_dtypes():
    assert check.one_of("mode", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match="mode must be one of 'a', 'b', got 'c'"):
        check.one_of("mode", "c", ("a", "b"))
    assert check.floating_dtype("dtype", "float32") == np.float32
    with pytest.raises(TypeError, match="dtype must be a floating type, got int64"):
        check.floating_dtype("dtype", np.int64)
