"""Settings from a TOML file (``--config run.toml``) merged under the command-line flags.

Precedence: a flag given on the command line > the file > the option's default. The file is flat
(``hidden = [128, 64]``, ``optimizer = "sgd"``, ``batch-size`` or ``batch_size``); every value goes
through the same click type and check as the flag, so it is validated the same way. Errors are click usage errors
(exit code 2) naming the file and the key.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

if sys.version_info >= (3, 11):
    import tomllib
else:                                         # Python 3.10: the same parser, packaged as tomli
    import tomli as tomllib


def read_toml(path) -> dict:
    """The key/value pairs of a flat TOML file."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    except OSError as error:
        raise click.BadParameter(f"cannot read {path}: {error.strerror or error}", param_hint="--config") from None
    except tomllib.TOMLDecodeError as error:
        raise click.BadParameter(f"{path} is not valid TOML: {error}", param_hint="--config") from None
    tables = [key for key, value in values.items() if isinstance(value, dict)]
    if tables:
        raise click.BadParameter(f"{path}: expected flat 'key = value' settings, found the table(s) {tables}",
                                 param_hint="--config")
    return values


def merge_config_file(ctx: click.Context, params: dict, path, skip: tuple[str, ...] = ("config",)) -> tuple[dict, set]:
    """``params`` with every setting of the TOML file at ``path`` that was not given on the command line,
    and the names of the settings the file provided."""
    options = {p.name: p for p in ctx.command.params if p.name not in skip}
    merged, from_file = dict(params), set()
    for key, value in read_toml(path).items():
        name = key.replace("-", "_")
        param = options.get(name)
        if param is None:
            known = ", ".join(sorted(options))
            raise click.BadParameter(f"{path}: unknown setting {key!r}; expected some of: {known}",
                                     param_hint="--config")
        if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            continue
        try:
            value = param.type_cast_value(ctx, value)
            merged[name] = param.callback(ctx, param, value) if param.callback is not None else value
        except click.BadParameter as error:
            raise click.BadParameter(f"{path}: {key} = {value!r}: {error.message}", param_hint="--config") from None
        from_file.add(name)
    return merged, from_file


def from_command_line(ctx: click.Context, name: str) -> bool:
    """True when option ``name`` was given explicitly (command line or environment), not by default or file."""
    return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
