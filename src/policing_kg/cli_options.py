"""The options that several commands share, defined once (defaults read from the library)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from policing_kg.access import DEFAULT_TIMEOUT
from policing_kg.errors import PolicingKGError

__all__ = ["Seconds", "ReleaseFolder", "project_option", "dist_option", "timeout_option",
           "credential_options"]

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
#: The commands whose --dist is the folder they write (an archive makes no sense there).
WRITERS = ("build", "site")


class ReleaseFolder(click.ParamType):  # type: ignore[type-arg]  # generic in click >= 8.3 only
    """A release folder, or a release archive unpacked into a cache folder (its path)."""

    name = "folder|archive"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Path:
        """Return the folder; an archive is checked and unpacked (one line, exit 2, if not)."""
        path = Path(value)
        if not path.exists() and path.name.endswith((".tar.gz", ".tgz")):
            raise PolicingKGError("no such release archive", where=str(path),
                                  hint="check the path, or give the release's folder")
        if not path.is_file():
            return path  # a folder, or nothing there: the command says what to do
        command = ctx.info_name if ctx is not None else None
        if command in WRITERS:
            raise PolicingKGError(f"`{command}` writes a release folder, and this is a file",
                                  where=str(path), hint="give --dist a folder, e.g. dist/")
        from policing_kg.release.unpacked import unpack_release

        unpacked = unpack_release(path)
        if not unpacked.checked:
            click.echo(f"note: {path} has no .sha256 file beside it, nor a record in a "
                       "releases.toml beside it: the archive is checked against its own "
                       "SHA256SUMS only", err=True)
        return unpacked.folder


dist_option = click.option(
    "--dist", "dist_dir", type=ReleaseFolder(), default="dist", show_default=True,
    help="The release: its folder, or its archive (policing-kg-VERSION.tar.gz, checked against "
    "the .sha256 beside it, or its record in a checkout's releases/, unpacked once into "
    "~/.cache/policing-kg). `build` and `site` write into the folder.")
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
