"""The one exception a command raises for a failure that is not a usage error (exit code 1, one line)."""

from __future__ import annotations

import click


class DataProblem(click.ClickException):
    """The data, a file's content or the training itself went wrong (exit code 1)."""

    exit_code = 1
