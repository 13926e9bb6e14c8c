"""The options that several commands share, defined once (defaults read from the library)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from policing_kg.access import DEFAULT_TIMEOUT
from policing_kg.errors import PolicingKGError

__all__ = ["Seconds", "project_option", "dist_option", "timeout_option", "credential_options"]

F = TypeVar("F", bound=Callable[..., Any])


class Seconds(click.ParamType):  # type: ignore[type-arg]  # generic in click >= 8.3 only
    """A number of seconds from 0.1 to a day (not inf, not nan)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        """Read the seconds, or fail as click fails (one line, exit 2)."""
        from policing_kg.common.http import check_timeout

        try:
            return check_timeout(float(value))
        except (TypeError, ValueError, PolicingKGError):
            self.fail(f"{value!r} is not a number of seconds from 0.1 to 86400", param, ctx)


project_option = click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The policing-kg checkout (its data/, ontology/, shapes/, queries/). Default: the "
    "current directory if it is one, else the copy installed with the package.")
dist_option = click.option(
    "--dist", "dist_dir", type=click.Path(file_okay=False, path_type=Path), default="dist",
    show_default=True, help="The release directory.")
timeout_option = click.option(
    "--timeout", type=Seconds(), default=DEFAULT_TIMEOUT, show_default=True,
    help="Seconds for each request, all of it: connecting, sending, the whole answer.")


def credential_options(function: F) -> F:
    """Add --user, --password (or their environment variables) and --timeout."""
    function = timeout_option(function)
    function = click.option("--password", envvar="POLICING_KG_PASSWORD", default=None,
                            help="Password for the store [env: POLICING_KG_PASSWORD].")(function)
    return click.option("--user", envvar="POLICING_KG_USER", default=None,
                        help="User for the store (HTTP digest or basic) "
                        "[env: POLICING_KG_USER].")(function)
