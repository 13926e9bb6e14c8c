"""The command line: each command parses, calls one library function, and prints its result.

Errors are handled once (:class:`Cli`); heavy libraries are imported inside the commands that
need them, so that ``--help`` is instant.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from policing_kg import __version__
from policing_kg.cli_options import (
    credential_options,
    dist_option,
    project_option,
    timeout_option,
)
from policing_kg.crosswalk import SUGGESTION_TASKS
from policing_kg.errors import PolicingKGError

__all__ = ["main", "cli"]

class Cli(click.Group):
    """The one error handler: a PolicingKGError is one line on stderr and its exit code.

    A command whose report goes to CI may first show the error in its own format too (``validate
    --format github``: an ``::error`` annotation on stdout, see :func:`_annotated`).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PolicingKGError as exc:
            click.echo(f"error: {exc.line()}", err=True)
            sys.exit(exc.exit_code)


def _project(project_dir: Path | None) -> Any:
    from policing_kg.project import locate_project

    return locate_project(project_dir)


def _print(lines: Sequence[str], err: bool = False) -> None:
    for line in lines:
        click.echo(line, err=err)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policing-kg")
def cli() -> None:
    """policing-kg: INTERPOL's strategy documents as a faithful, bilingual knowledge graph."""


@cli.command(short_help="Build the graph from the sources, check it, and publish dist/.")
@project_option
@dist_option
@click.option("--skip-reasoner", is_flag=True, help="Do not run the OWL consistency check.")
@click.option("--base-url", default=None,
              help="Where the release will be downloadable (for void.ttl's links).")
def build(project_dir: Path | None, dist_dir: Path, skip_reasoner: bool,
          base_url: str | None) -> None:
    """Convert the sources, validate and check the graph, and publish the dumps to dist/.

    Nothing is published when a source cannot be read, a shape is violated or the graph is
    inconsistent: the previous dist/ is left as it was.
    """
    from policing_kg.release.build import build_release

    _print(build_release(_project(project_dir), dist_dir, reason=not skip_reasoner,
                         base_url=base_url).lines())


@cli.command(short_help="Load the release into a triple store: all or nothing.")
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's SPARQL Update URL (Oxigraph: /update; Virtuoso: /sparql-auth; "
              "Fuseki: /DATASET/update).")
@click.option("--query", "query_url", default=None, metavar="URL",
              help="The store's query URL, for the checks, where the Update URL answers no "
              "queries (Oxigraph: /query).")
@click.option("--gsp", default=None, metavar="URL",
              help="Stage the graphs with this Graph Store Protocol URL (PUT) rather than "
              "INSERT DATA (Oxigraph: /store; Virtuoso: /sparql-graph-crud-auth).")
@click.option("--keep-other-graphs", is_flag=True,
              help="Keep the project's graphs that the release does not have (dropped by "
              "default, so that the store holds exactly the release).")
@click.option("--update", is_flag=True, hidden=True,
              help="Accepted for old scripts: the endpoint is always the SPARQL Update URL.")
@credential_options
@dist_option
def load(endpoint: str, query_url: str | None, gsp: str | None, keep_other_graphs: bool,
         update: bool, user: str | None, password: str | None, timeout: float,
         dist_dir: Path) -> None:
    """Replace the project's graphs in a triple store by the release's, all or nothing.

    Each graph is staged in a graph of its own, then one SPARQL Update request moves them all
    into place; the project's graphs the release lacks are dropped. A failure before that
    request leaves the store's graphs as they were. Afterwards the store's triple count per
    graph is checked against void.ttl (exit 1 if it differs), and its default graph must be
    the union of the graphs (exit 2 naming the setting, checked before anything is written).
    """
    from policing_kg.access.loading import load_release

    del update
    _print(load_release(dist_dir, endpoint, query=query_url, gsp=gsp,
                        keep_other_graphs=keep_other_graphs, user=user, password=password,
                        timeout=timeout, say=click.echo).lines())


@cli.command(short_help="Run the OWL reasoner: consistency, and the inferred links.")
@project_option
def reason(project_dir: Path | None) -> None:
    """Run HermiT (owlready2) on the ontology with all the data.

    Fails (exit 1) when the graph is inconsistent, naming the clash, or when HermiT's inferred
    links differ from those the build materialises into the `inferred` graph.
    """
    from policing_kg.checks.reasoning import reason_project

    report = reason_project(_project(project_dir))
    _print(report.lines())
    failure = report.failure()
    if failure is not None:
        raise failure


@cli.command(short_help="Write the curated data files in their canonical form (or check them).")
@click.option("--fix", is_flag=True, help="Rewrite the files that are not in canonical form.")
@project_option
def lint(fix: bool, project_dir: Path | None) -> None:
    """Check that every curated data file (TOML, SSSOM) is in canonical form; --fix writes it.

    Exit 1 when a file is not in canonical form and --fix was not given.
    """
    from policing_kg.curation.canonical import lint_project

    _print(lint_project(_project(project_dir), fix=fix))


@cli.group()
def crosswalk() -> None:
    """Check the curated mapping sets and what they cover."""


@crosswalk.command("check", short_help="Check the mapping sets; report what nothing maps.")
@project_option
def crosswalk_check(project_dir: Path | None) -> None:
    """Check every mapping set of data/mappings/ and report coverage.

    Fails (exit 1) on a mapping without a justification, with an unknown subject or object,
    stated twice, or breaking the shapes (a pkg:buildsOnTheme that points at a goal): the same
    SHACL rules as the build and `policing-kg validate`. Coverage gaps are reported, not
    failures.
    """
    from policing_kg.crosswalk.coverage import check_crosswalks

    report = check_crosswalks(_project(project_dir))
    if report.problems:
        _print([f"error: {problem}" for problem in report.problems], err=True)
        sys.exit(1)
    _print(report.lines())


@crosswalk.command("suggest", short_help="Propose mappings from the texts; score them.")
@click.option("--task", type=click.Choice(SUGGESTION_TASKS), default="themes",
              show_default=True, help="Objectives and outcomes to themes, objectives to "
              "2026-2030 strategic goals, Global Policing Goals or their statements to SDG "
              "targets, objectives and outcomes to the statements they deliver.")
@click.option("--threshold", type=float, default=0.05, show_default=True,
              help="The least cosine similarity that a suggestion needs (0 to 1).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the SSSOM TSV there (default: standard output).")
@project_option
@dist_option
def crosswalk_suggest(task: str, threshold: float, out_file: Path | None,
                      project_dir: Path | None, dist_dir: Path) -> None:
    """Propose candidate mappings by lexical similarity, as SSSOM (semapv:LexicalMatching).

    Nothing is merged into data/mappings/. Precision and recall against the curated set are
    printed on standard error.
    """
    from policing_kg.crosswalk.suggest import propose

    proposal = propose(_project(project_dir), dist_dir, task, threshold, out_file)
    if out_file is None:
        click.echo(proposal.sssom(), nl=False)
    click.echo(proposal.summary(), err=True)


@crosswalk.command("matrix", short_help="Write crosswalk matrices as CSV, SVG and PNG heatmaps.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("matrices"), show_default=True,
              help="Where to write them (not in dist/, whose files the checksums cover).")
@dist_option
def crosswalk_matrix(out_dir: Path, dist_dir: Path) -> None:
    """Write each crosswalk matrix of the published graph as NAME.csv, NAME.svg and NAME.png."""
    from policing_kg.crosswalk.matrices import write_matrices

    _print(write_matrices(dist_dir, out_dir))


@cli.group(short_help="The UN Sustainable Development Goals: import the UN's vocabulary.")
def sdg() -> None:
    """Work with the UN's SDG goals, targets and indicators.

    The graph always holds the project's table of the 17 goals and 169 targets
    (data/sdg/sdg-goals-targets.toml). `sdg import` adds the UN's own vocabulary.
    """


@sdg.command("import", short_help="Load the UN's SDG vocabulary (file or URL) for the next build.")
@click.argument("source")
@timeout_option
@project_option
def sdg_import(source: str, timeout: float, project_dir: Path | None) -> None:
    """Import the UN's SDG Knowledge Organization System for the next build.

    SOURCE is a file or an http(s) URL, Turtle or RDF/XML (e.g. http://metadata.un.org/sdg).
    Its indicators and links are kept in imported/sdg/, which the next build adds to the
    reference layer with a record of the source.

    The table's titles stay those of data/sdg/; every title that the vocabulary gives otherwise
    is listed. Exit 1 when a difference is not documented in the table.
    """
    from policing_kg.curation.sdg_import import import_into

    report = import_into(_project(project_dir), source, timeout=timeout)
    _print(report.lines())
    if report.undocumented:
        sys.exit(1)


from policing_kg.cli_contrib import new_document, validate  # noqa: E402 - contributors
from policing_kg.cli_query import query  # noqa: E402 - the analysts' command
from policing_kg.cli_release import (  # noqa: E402 - the release commands
    crosswalk_evaluate,
    diff,
    release,
    report,
)
from policing_kg.cli_web import serve, site  # noqa: E402 - the web commands, beside the others

cli.add_command(query)
cli.add_command(site)
cli.add_command(serve)
cli.add_command(diff)
cli.add_command(report)
cli.add_command(release)
cli.add_command(new_document)
cli.add_command(validate)
crosswalk.add_command(crosswalk_evaluate)


def main() -> None:
    """Run the command line."""
    import signal

    if hasattr(signal, "SIGXFSZ"):  # over `ulimit -f`, a write fails (one line), not the process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    cli(prog_name="policing-kg")
