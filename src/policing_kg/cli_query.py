"""The analysts' command: ``query`` (a stored query, or your own SPARQL with ``--file``)."""

from __future__ import annotations

from pathlib import Path

import click

from policing_kg.access import QUERY_FORMATS
from policing_kg.cli_options import credential_options, dist_option, project_option
from policing_kg.project import locate_project

__all__ = ["query"]


@click.command(short_help="Ask a stored query, or your own SPARQL (--file), of the release.")
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table",
              show_default=True, help="SPARQL 1.1 Results JSON, CSV or TSV; or a table or "
              "Markdown for people.")
@click.option("--list", "list_queries", is_flag=True, help="List the stored queries.")
@click.option("--file", "query_file", default=None, metavar="Q.rq",
              help="Run your own SPARQL query (- reads standard input), read-only, with the "
              "project's prefixes declared.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Ask this SPARQL 1.1 endpoint instead of the embedded store.")
@credential_options
@project_option
@dist_option
def query(name: str | None, params: tuple[str, ...], fmt: str, list_queries: bool,
          query_file: str | None, endpoint: str | None, user: str | None, password: str | None,
          timeout: float, project_dir: Path | None, dist_dir: Path) -> None:
    """Run a stored query (queries/NAME.rq) on the published graph, or your own (--file).

    The embedded store (pyoxigraph) is loaded from dist/; with --endpoint, any SPARQL 1.1
    endpoint answers instead: its default graph must be the union of the release's graphs (as
    Virtuoso's is), or the query is refused (exit 2) naming the store's setting. A parameter
    naming an item that is not in the release, or not of a kind the query takes, and a lang
    other than en or fr, are refused (exit 2).
    """
    from policing_kg.access.queries import answer, format_result, parse_params
    from policing_kg.curation.catalogue import catalogue_lines, load_catalogue

    if query_file is not None:
        if name is not None or params:
            raise click.UsageError("give a stored query's NAME with --param, or --file, not both")
        if endpoint is not None:
            _check_endpoint(endpoint, user, password, timeout, stored=False)
        from policing_kg.access.adhoc import read_query_text, run_adhoc
        from policing_kg.access.queries import format_adhoc

        text, where = read_query_text(query_file)
        click.echo(format_adhoc(run_adhoc(text, where, dist=dist_dir, endpoint=endpoint,
                                          user=user, password=password, timeout=timeout), fmt),
                   nl=False)
        return
    project = locate_project(project_dir)
    if list_queries or name is None:
        for line in catalogue_lines(load_catalogue(project.queries)):
            click.echo(line)
        return
    if endpoint is not None:
        _check_endpoint(endpoint, user, password, timeout)
    result = answer(project, name, parse_params(params), dist_dir, endpoint=endpoint,
                    user=user, password=password, timeout=timeout)
    click.echo(format_result(result, fmt), nl=False)


def _check_endpoint(endpoint: str, user: str | None, password: str | None,
                    timeout: float, *, stored: bool = True) -> None:
    """Probe the store first: one that would answer wrongly is named (exit 2).

    Its default graph must be the union of the release's graphs, and its release the stored
    queries' (own SPARQL, ``--file``, is asked of whatever release the store holds).
    """
    from policing_kg import __version__
    from policing_kg.access.stores import check_union, check_version
    from policing_kg.common.http import check_url

    check_url(endpoint)
    check_union(endpoint, user=user, password=password, timeout=timeout)
    if stored:
        check_version(endpoint, __version__, user=user, password=password, timeout=timeout)
