"""Settings from a TOML file (``--config run.toml``) merged under the command-line flags.

Precedence: a flag given on the command line > the file > the option's default. The file is flat
(``hidden = [128, 64]``, ``optimizer = "sgd"``, ``batch-size`` or ``batch_size``); every value goes
through the same click type and check as the flag, so it is validated the same way, after a check of its
TOML type (an integer option takes neither 2.7 nor true, a number option takes 1 or 0.5, a switch only
true or false). Relative paths in the file (``data-dir``, ``dataset = "csv:PATH"``) are relative to the
file's folder. Errors are click usage errors (exit code 2) naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from neuronlab.train.settings import SettingsFileError, read_settings_file


def read_toml(path) -> dict:
    """The key/value pairs of a flat TOML file (a usage error naming --config otherwise)."""
    try:
        return read_settings_file(path)
    except SettingsFileError as error:
        raise click.BadParameter(str(error), param_hint="--config") from None


def merge_config_file(ctx: click.Context, params: dict, path, skip: tuple[str, ...] = ("config",)) -> tuple[dict, set]:
    """``params`` with every setting of the TOML file at ``path`` that was not given on the command line,
    and the names of the settings the file provided."""
    options = {p.name: p for p in ctx.command.params if p.name not in skip}
    merged, from_file = dict(params), set()
    folder = Path(path).absolute().parent
    for key, value in read_toml(path).items():
        name = key.replace("-", "_")
        param = options.get(name)
        if param is None:
            known = ", ".join(sorted(options))
            raise click.BadParameter(
                f"{path}: unknown setting {key!r}; expected some of: {known}", param_hint="--config"
            )
        if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            continue
        expected = _expected_type(param, value)
        if expected is not None:
            raise click.BadParameter(
                f"{path}: {key} = {value!r}: expected {expected}, not a {type(value).__name__}", param_hint="--config"
            )
        value = _anchored(param, value, folder)
        try:
            value = param.type_cast_value(ctx, value)
            merged[name] = param.callback(ctx, param, value) if param.callback is not None else value
        except click.BadParameter as error:
            raise click.BadParameter(f"{path}: {key} = {value!r}: {error.message}", param_hint="--config") from None
        from_file.add(name)
    return merged, from_file


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# click type -> what its TOML value must be (a custom type such as --hidden's checks itself)
_TOML_TYPES: list[tuple[type | tuple[type, ...], str, Callable[[Any], bool]]] = [
    (click.types.BoolParamType, "true or false", lambda v: isinstance(v, bool)),
    (click.types.IntParamType, "an integer", _is_int),
    (click.types.FloatParamType, "a number", lambda v: _is_int(v) or isinstance(v, float)),
    ((click.types.StringParamType, click.Choice, click.Path), "a string", lambda v: isinstance(v, str)),
]


def _expected_type(param: click.Parameter, value) -> str | None:
    """What ``param`` needs when the TOML ``value`` is of the wrong type (click would convert 2.7 to 2 and
    true to 1), else None."""
    for click_type, expected, ok in _TOML_TYPES:
        if isinstance(param.type, click_type):
            return None if ok(value) else expected
    return None


def _anchored(param: click.Parameter, value, folder: Path):
    """A relative path in the file, the value of a path option or the PATH of ``csv:PATH``, made relative to
    the file's ``folder`` (not to the working directory), so the file means the same from anywhere."""
    if not isinstance(value, str):
        return value
    if isinstance(param.type, click.Path):
        return str(folder / value)  # an absolute value stays as it is
    if param.name == "dataset" and value.startswith("csv:") and value[4:]:
        return f"csv:{folder / value[4:]}"
    return value


def from_command_line(ctx: click.Context, name: str) -> bool:
    """True when option ``name`` was given explicitly (command line or environment), not by default or file."""
    return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
