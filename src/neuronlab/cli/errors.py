"""How the training commands report user errors: one line, no traceback.

Exit code 2 (click's usage errors) for a bad option value or a missing file given on the command line;
exit code 1 (:class:`DataProblem`) when the inputs exist but their content is wrong: a CSV with a bad
row, a checkpoint that is foreign, corrupt or from another model, a diverging run; and when a file or
folder cannot be read or written (the message names the path and the reason).
"""

from __future__ import annotations

from contextlib import contextmanager

import click

from neuronlab.cli.problem import DataProblem
from neuronlab.io.checkpoint import CheckpointError
from neuronlab.train.callbacks import TrainingDivergedError
from neuronlab.train.settings import ConfigError

__all__ = ["DataProblem", "user_errors"]


@contextmanager
def user_errors():
    """Turn the library's errors about the user's inputs into click errors."""
    try:
        yield
    except ConfigError as error:
        raise click.BadParameter(error.message, param_hint=f"--{error.option.replace('_', '-')}") from None
    except (CheckpointError, TrainingDivergedError) as error:
        raise DataProblem(str(error)) from None
    except ValueError as error:  # DataError and the library's checks of data it was given
        raise DataProblem(str(error)) from None
    except OSError as error:  # a file or folder that cannot be read or written
        where = f"{error.filename}: " if error.filename is not None else ""
        raise DataProblem(f"{where}{error.strerror or error}") from None
