"""The contributors' commands: ``validate`` and ``new-document``.

``validate`` checks contributed RDF with SHACL; ``new-document`` scaffolds a new source
document.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from policing_kg.checks import DEFAULT_MAX_BYTES, REPORT_FORMATS, SEVERITIES
from policing_kg.cli_options import dist_option, project_option
from policing_kg.errors import PolicingKGError
from policing_kg.project import locate_project

__all__ = ["new_document", "validate"]


def _annotated(exc: PolicingKGError, fmt: str) -> None:
    """Show an error that stops ``validate`` as GitHub annotations (stdout), for CI.

    The caller re-raises it: :class:`Cli` still writes its line on stderr and exits with its
    code. Several problems raised together (``Problems``) are one annotation each.
    """
    if fmt == "github":
        from policing_kg.checks.reports import github_error_annotations

        click.echo(github_error_annotations(getattr(exc, "problems", None) or [exc]), nl=False)


def _expanded(files: Sequence[Path]) -> list[Path]:
    """Expand the patterns (``*``, ``?``, ``[``) that the shell left as they were.

    A shell passes a pattern that matches nothing on unchanged (bash without ``nullglob``, as in
    the GitHub Action): that is refused as such, not as a file that does not exist.
    """
    import glob

    found: list[Path] = []
    for path in files:
        if path.exists() or not glob.has_magic(str(path)):
            found.append(path)
            continue
        matches = sorted(glob.glob(str(path), recursive=True))
        if not matches:
            raise PolicingKGError("no file matches this pattern", where=str(path),
                                  hint="check the pattern and the folder it is relative to "
                                  f"({Path.cwd()})")
        found += [Path(match) for match in matches]
    return found




@click.command("new-document", short_help="Scaffold a new document: the files to write, and "
               "what is left to do.")
@click.argument("text", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "document", required=True, help="The document's id, e.g. maritime-2026.")
@click.option("--converter", required=True, help="The layout reader (e.g. programme-strategy).")
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="The language of the text.")
@project_option
def new_document(text: Path, document: str, converter: str, language: str,
                 project_dir: Path | None) -> None:
    """Add the document in TEXT to the project, as far as its converter can read it.

    Writes the text into data/sources/, its manifest record (with the lines the converter cannot
    place, for an ignore rule or a fix), translation stubs with `from` filled in, an outcome
    grouping stub when the outcomes do not divide evenly, the expected items and counts to
    review (tests/expected/); then prints what is left to do, in order.
    """
    from policing_kg.curation.scaffold import new_document as scaffold
    from policing_kg.extraction import CONVERTERS

    if converter not in CONVERTERS:
        raise click.BadParameter(f"unknown converter {converter!r}; the converters: "
                                 f"{', '.join(CONVERTERS)}", param_hint="'--converter'")
    project = locate_project(project_dir)
    for line in scaffold(project.root, text, document, converter, language).lines():
        click.echo(line)


@click.command(short_help="Validate contributed RDF files with SHACL (exit 0, 1 or 2).")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text",
              show_default=True, help="Report for people, programs, GitHub or JUnit.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="violation",
              show_default=True, help="The least severe result that makes the run fail (exit 1).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES,
              show_default=True, help="Refuse larger files before reading them.")
@project_option
@dist_option
def validate(files: tuple[Path, ...], fmt: str, fail_on: str, max_bytes: int,
             project_dir: Path | None, dist_dir: Path) -> None:
    """Validate contributed files together with the published graph.

    FILE may be Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML. The published graph is
    there so that references resolve. Reads only; writes nothing.

    Exit codes: 0 conforms, 1 does not conform, 2 bad input or usage (one line on stderr; with
    --format github, an ::error annotation on stdout too). A pattern (*.ttl) that the shell left
    as it was is expanded; one that matches no file is refused. With no FILE, the published
    graph itself is validated.
    """
    from policing_kg.checks.reports import format_report
    from policing_kg.checks.validate import validate_files

    try:
        report = validate_files(locate_project(project_dir), _expanded(files), dist_dir, max_bytes)
    except PolicingKGError as exc:
        _annotated(exc, fmt)
        raise
    click.echo(format_report(report, fmt, fail_on.capitalize()), nl=False)
    sys.exit(1 if report.fails(fail_on.capitalize()) else 0)
