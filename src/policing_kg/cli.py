"""The command line.

Each command parses its arguments, calls one library function and formats its result. Heavy
libraries are imported inside the commands that need them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from policing_kg import __version__
from policing_kg.errors import PolicingKGError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

project_option = click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The policing-kg checkout (its data/, ontology/, shapes/, queries/). Default: the "
    "current directory if it is one, else the copy installed with the package.")
dist_option = click.option(
    "--dist", "dist_dir", type=click.Path(file_okay=False, path_type=Path), default="dist",
    show_default=True, help="The release directory.")


class Seconds(click.ParamType):  # type: ignore[type-arg]  # generic in click >= 8.3 only
    """A number of seconds from 0.1 to a day (not inf, not nan)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        from policing_kg.rdf.http import check_timeout

        try:
            return check_timeout(float(value))
        except (TypeError, ValueError, PolicingKGError):
            self.fail(f"{value!r} is not a number of seconds from 0.1 to 86400", param, ctx)


def credential_options(function: F) -> F:
    """Add --user, --password (or their environment variables) and --timeout."""
    function = click.option("--timeout", type=Seconds(), default=60.0, show_default=True,
                            help="Seconds for each request, all of it: connecting, sending, "
                            "the whole answer.")(function)
    function = click.option("--password", envvar="POLICING_KG_PASSWORD", default=None,
                            help="Password for the store [env: POLICING_KG_PASSWORD].")(function)
    function = click.option("--user", envvar="POLICING_KG_USER", default=None,
                            help="User for the store (HTTP digest or basic) "
                            "[env: POLICING_KG_USER].")(function)
    return function


def _fail(error: PolicingKGError, code: int = 2) -> None:
    click.echo(f"error: {error.line()}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policing-kg")
def cli() -> None:
    """policing-kg: INTERPOL's strategy documents as a faithful, bilingual knowledge graph."""


@cli.command(short_help="Build the graph from the sources, check it, and publish dist/.")
@project_option
@dist_option
@click.option("--skip-reasoner", is_flag=True,
              help="Do not run the OWL consistency check (HermiT).")
@click.option("--base-url", default=None,
              help="Where the release will be downloadable (for void.ttl's links).")
def build(project_dir: Path | None, dist_dir: Path, skip_reasoner: bool,
          base_url: str | None) -> None:
    """Convert the sources, validate and check the graph, and publish the dumps to dist/.

    Nothing is published when a source cannot be read, a shape is violated or the graph is
    inconsistent: the previous dist/ is left as it was.
    """
    from policing_kg.build import BuildFailed, build_release, locate_project

    try:
        result = build_release(locate_project(project_dir), dist_dir, reason=not skip_reasoner,
                               base_url=base_url)
    except BuildFailed as exc:
        _fail(exc, 1)
        return
    except PolicingKGError as exc:
        _fail(exc)
        return
    assert result.release is not None
    for document, counts in result.items.items():
        detail = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        click.echo(f"{document}: {sum(counts.values())} items ({detail})")
    click.echo(f"{result.ignored_lines} source lines set aside by the manifest's ignore rules")
    report = result.report
    if report is not None:
        click.echo(f"SHACL: {'conforms' if report.conforms else 'does not conform'} "
                   f"({len(report.results)} result(s), {len(report.violations())} violation(s))")
    if result.consistency is not None:
        click.echo(f"HermiT: consistent ({result.consistency.triples} triples reasoned over)")
    else:
        click.echo("HermiT: skipped (--skip-reasoner)")
    release = result.release
    click.echo(f"published {len(release.checksums)} files to {release.directory}: "
               f"{release.triples} triples, {release.quads} quads in "
               f"{len(release.graph_triples)} named graphs")


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "markdown"]),
              default="table", show_default=True, help="How to print the answer.")
@click.option("--list", "list_queries", is_flag=True, help="List the stored queries.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Ask this SPARQL 1.1 endpoint instead of the embedded store.")
@credential_options
@project_option
@dist_option
def query(name: str | None, params: tuple[str, ...], fmt: str, list_queries: bool,
          endpoint: str | None, user: str | None, password: str | None, timeout: float,
          project_dir: Path | None, dist_dir: Path) -> None:
    """Run a stored query (queries/NAME.rq) on the published graph.

    The embedded store (pyoxigraph) is loaded from dist/; with --endpoint, any SPARQL 1.1
    endpoint answers instead (its default graph must be the union of the named graphs, as
    Virtuoso's is).
    """
    from policing_kg.build import locate_project
    from policing_kg.queries import (
        format_result,
        load_catalogue,
        open_store,
        run_query,
        run_query_remote,
    )

    try:
        catalogue = load_catalogue(locate_project(project_dir).queries)
        if list_queries or name is None:
            for stored in catalogue.values():
                click.echo(f"{stored.name}: {stored.title}")
                for parameter in stored.parameters:
                    click.echo(f"    --param {parameter.name}=<{parameter.type}>  "
                               f"{parameter.description}")
            return
        if name not in catalogue:
            raise PolicingKGError(f"no stored query {name!r}",
                                  hint=f"the queries: {', '.join(catalogue) or 'none'}")
        bound: dict[str, str] = {}
        for item in params:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise PolicingKGError(f"--param {item!r} is not KEY=VALUE")
            bound[key.strip()] = value
        if endpoint:
            result = run_query_remote(catalogue[name], bound, endpoint, user=user,
                                      password=password, timeout=timeout)
        else:
            result = run_query(catalogue[name], bound, open_store(dist_dir))
    except PolicingKGError as exc:
        _fail(exc)
        return
    click.echo(format_result(result, fmt), nl=False)


@cli.command(short_help="Validate contributed RDF files with SHACL (exit 0, 1 or 2).")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "junit"]),
              default="text", show_default=True,
              help="Report for people, programs, GitHub or JUnit.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]),
              default="violation", show_default=True,
              help="The least severe result that makes the run fail (exit 1).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=16 * 1024 * 1024,
              show_default=True, help="Refuse larger files before reading them.")
@project_option
@dist_option
def validate(files: tuple[Path, ...], fmt: str, fail_on: str, max_bytes: int,
             project_dir: Path | None, dist_dir: Path) -> None:
    """Validate contributed files together with the published graph.

    FILE may be Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML. The published graph is
    there so that references resolve. Reads only; writes nothing.

    Exit codes: 0 conforms, 1 does not conform, 2 bad input or usage. With no FILE, the
    published graph itself is validated.
    """
    from policing_kg.build import locate_project, published_quads
    from policing_kg.contributions import read_contributions
    from policing_kg.reports import format_report
    from policing_kg.validate import (
        load_shapes,
        report_of,
        validate_contributions,
        validate_store,
        validation_store,
    )

    severity = fail_on.capitalize()
    try:
        project = locate_project(project_dir)
        project.check()
        contributions = read_contributions(files, max_bytes)
        shapes = load_shapes(project.shapes)
        published = published_quads(project, dist_dir)
        if contributions:
            report = validate_contributions(contributions, published, shapes)
        else:
            report = report_of(validate_store(validation_store(published), shapes).results)
    except PolicingKGError as exc:
        _fail(exc)
        return
    click.echo(format_report(report, fmt, severity), nl=False)
    sys.exit(1 if report.fails(severity) else 0)


@cli.command(short_help="Push the release's named graphs to a triple store.")
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's Graph Store Protocol URL (Virtuoso: /sparql-graph-crud-auth), "
              "or with --update its SPARQL Update URL.")
@click.option("--update", is_flag=True,
              help="Use SPARQL Update (DROP + INSERT DATA) for a store without the protocol.")
@credential_options
@dist_option
def load(endpoint: str, update: bool, user: str | None, password: str | None, timeout: float,
         dist_dir: Path) -> None:
    """Push every named graph of dist/ to a triple store, replacing those graphs there."""
    from policing_kg.stores import load_release

    try:
        report = load_release(dist_dir, endpoint, update=update, user=user, password=password,
                              timeout=timeout)
    except PolicingKGError as exc:
        _fail(exc)
        return
    for graph, count in report.graphs.items():
        click.echo(f"{count:>6} triples  {graph}")
    click.echo(f"loaded {sum(report.graphs.values())} triples in {len(report.graphs)} named "
               f"graphs to {report.endpoint} ({report.method})")


@cli.command(short_help="Run the OWL reasoner: consistency, and the inferred links.")
@project_option
def reason(project_dir: Path | None) -> None:
    """Run HermiT (owlready2) on the ontology with all the data.

    Fails (exit 1) when the graph is inconsistent, naming the clash, or when HermiT's inferred
    links differ from those the build materialises into the `inferred` graph.
    """
    from policing_kg.build import locate_project, reason_project

    try:
        report = reason_project(locate_project(project_dir))
    except PolicingKGError as exc:
        _fail(exc)
        return
    if not report.consistency.consistent:
        click.echo(f"error: inconsistent: {report.consistency.explanation}", err=True)
        sys.exit(1)
    click.echo(f"HermiT: consistent ({report.consistency.triples} triples)")
    click.echo(f"inferred links: {len(report.hermit)} by HermiT, {len(report.materialised)} "
               "materialised by the build")
    if not report.agree:
        only_hermit = sorted(report.hermit - report.materialised)
        only_build = sorted(report.materialised - report.hermit)
        click.echo(f"error: they differ: {len(only_hermit)} only in HermiT's "
                   f"(first: {only_hermit[:1]}), {len(only_build)} only in the build's "
                   f"(first: {only_build[:1]})", err=True)
        sys.exit(1)
    click.echo("they are the same links")


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
    from policing_kg.build import locate_project
    from policing_kg.crosswalk import check_crosswalks
    from policing_kg.errors import DataError

    try:
        report = check_crosswalks(locate_project(project_dir))
    except DataError as exc:
        _fail(exc, 1)
        return
    except PolicingKGError as exc:
        _fail(exc)
        return
    if report.problems:
        for problem in report.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    covered = report.coverage
    click.echo(f"{len(report.sets)} mapping sets, {covered.mappings} mappings: all justified, "
               "all pointing at items of the graph of the kinds the shapes require")
    for mapping_set in report.sets:
        click.echo(f"  {mapping_set.path}: {len(mapping_set.mappings)}")
    click.echo("with no mapping:")
    for kind, total in sorted(report.totals.items()):
        missing = covered.unmapped.get(kind, [])
        names = ", ".join(iri.rsplit("/id/", 1)[-1] for iri in missing)
        click.echo(f"  {kind}: {len(missing)} of {total}" + (f" — {names}" if names else ""))
    if covered.unmappable:
        names = ", ".join(iri.rsplit("/id/", 1)[-1] for iri in covered.unmappable)
        click.echo(f"ruled not mappable (sssom:NoTermFound): {names}")
    for kind, total in report.sdg_totals.items():
        missing = report.sdg_unmapped.get(kind, [])
        shown = ", ".join(missing) if len(missing) <= 20 else (
            f"{', '.join(missing[:20])}, … (+{len(missing) - 20})")
        click.echo(f"  {kind}: {len(missing)} of {total}" + (f" — {shown}" if shown else ""))


@crosswalk.command("suggest", short_help="Propose mappings from the texts; score them.")
@click.option("--task", type=click.Choice(["themes", "strategic-goals", "sdg-targets"]),
              default="themes", show_default=True,
              help="Objectives and outcomes to themes, objectives to 2026-2030 strategic goals, "
              "or Global Policing Goals to SDG targets.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=0.05, show_default=True,
              help="The least cosine similarity that a suggestion needs.")
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
    import math

    from policing_kg.build import locate_project
    from policing_kg.mappings import load_mapping_sets

    if math.isnan(threshold):
        raise click.BadParameter("not a number", param_hint="--threshold")
    from policing_kg.queries import open_store
    from policing_kg.rdf.files import write_atomically
    from policing_kg.suggest import TASKS, read_texts, score, suggest, to_sssom

    try:
        project = locate_project(project_dir)
        store = open_store(dist_dir)
        curated_sets = load_mapping_sets(project.data / "mappings", project.root)
    except PolicingKGError as exc:
        _fail(exc)
        return
    predicate, subjects_query, objects_query = TASKS[task]
    objects = read_texts(store, objects_query)
    suggestions = suggest(read_texts(store, subjects_query), objects, predicate, threshold)
    # scored against the curated mappings that the task could have proposed
    curated = {(m.subject, m.object) for s in curated_sets for m in s.mappings
               if m.predicate == predicate and m.object in objects}
    result = score(task, suggestions, curated)
    text = to_sssom(suggestions, task)
    if out_file:
        def write(path: Path) -> None:
            path.write_text(text, "utf-8")

        write_atomically(out_file, write)
    else:
        click.echo(text, nl=False)
    click.echo(f"{len(suggestions)} suggestions ({task}); against the curated set on its "
               f"{len({s for s, _ in curated})} subjects: precision {result.precision:.2f} "
               f"({result.agreed}/{result.suggested}), recall {result.recall:.2f} "
               f"({result.agreed}/{result.curated})", err=True)


@crosswalk.command("matrix", short_help="Write crosswalk matrices as CSV, SVG and PNG heatmaps.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("matrices"), show_default=True,
              help="Where to write them (not in dist/, whose files the checksums cover).")
@dist_option
def crosswalk_matrix(out_dir: Path, dist_dir: Path) -> None:
    """Write each crosswalk matrix of the published graph as NAME.csv, NAME.svg and NAME.png."""
    from policing_kg.matrices import build_matrices, write_matrix
    from policing_kg.queries import open_store

    try:
        matrices = build_matrices(open_store(dist_dir))
    except PolicingKGError as exc:
        _fail(exc)
        return
    for matrix in matrices:
        paths = write_matrix(matrix, out_dir)
        filled = sum(1 for row in matrix.values for v in row if v)
        click.echo(f"{matrix.name}: {len(matrix.rows)} × {len(matrix.columns)}, {filled} "
                   f"linked cells -> {', '.join(str(p) for p in paths)}")


@cli.group(short_help="The UN Sustainable Development Goals: import the UN's vocabulary.")
def sdg() -> None:
    """Work with the UN's SDG goals, targets and indicators.

    The graph always holds the project's table of the 17 goals and 169 targets
    (data/sdg/sdg-goals-targets.toml). `sdg import` adds the UN's own vocabulary.
    """


@sdg.command("import", short_help="Load the UN's SDG vocabulary (file or URL) for the next build.")
@click.argument("source")
@click.option("--timeout", type=Seconds(), default=60.0, show_default=True,
              help="Seconds for the whole download when SOURCE is a URL.")
@project_option
def sdg_import(source: str, timeout: float, project_dir: Path | None) -> None:
    """Import the UN's SDG Knowledge Organization System for the next build.

    SOURCE is a file or an http(s) URL, Turtle or RDF/XML (e.g. http://metadata.un.org/sdg).
    Its indicators and links are kept in imported/sdg/, which the next build adds to the
    reference layer with a record of the source.

    The table's titles stay those of data/sdg/; every title that the vocabulary gives otherwise
    is listed. Exit 1 when a difference is not documented in the table.
    """
    from policing_kg.build import locate_project
    from policing_kg.sdg import import_vocabulary, load_sdg_table

    try:
        project = locate_project(project_dir)
        project.check()
        table = load_sdg_table(project.sdg_table,
                               str(project.sdg_table.relative_to(project.root)))
        report = import_vocabulary(source, project.root, table, timeout=timeout)
    except PolicingKGError as exc:
        _fail(exc)
        return
    click.echo(f"read {report.source} (sha256 {report.sha256[:16]}…): {report.goals} goals, "
               f"{report.targets} targets, {report.indicators} indicators")
    click.echo(f"kept {report.triples} triples in {report.written}; the next build adds them "
               "to the reference layer")
    if report.unknown:
        click.echo(f"not in the project's table, left out: {', '.join(report.unknown)}")
    if report.refused:
        shown = "; ".join(report.refused[:5]) + ("; …" if len(report.refused) > 5 else "")
        click.echo(f"left out, not safe to publish ({len(report.refused)}): {shown}")
    if report.doubled:
        click.echo("two labels in one language in the vocabulary itself (kept as given): "
                   + ", ".join(report.doubled))
    undocumented = [d for d in report.differences if not d.documented]
    click.echo(f"titles that differ from the table: {len(report.differences)} "
               f"({len(undocumented)} undocumented)")
    for difference in report.differences:
        click.echo(f"  {difference.line()}")
    if undocumented:
        sys.exit(1)


def main() -> None:
    """Run the command line."""
    import signal

    if hasattr(signal, "SIGXFSZ"):  # over `ulimit -f`, a write fails (one line), not the process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    cli(prog_name="policing-kg")
