"""Helpers shared by the experiment tests (imported as ``experiment_testing``)."""

import json


def check_outputs(numbers, out):
    """results.json holds the returned numbers; every figure exists, is a PNG and is under 200 KB."""
    assert json.loads((out / "results.json").read_text())["summary"] == numbers["summary"]
    assert 2 <= len(numbers["summary"]) <= 6
    for name in numbers["figures"]:
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 200_000
