"""The release commands: ``diff`` (what changed between two releases) and ``report`` (quality)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policing_kg.cli_options import dist_option, project_option
from policing_kg.crosswalk import SUGGESTION_TASKS
from policing_kg.project import locate_project

__all__ = ["diff", "report", "crosswalk_evaluate"]


@click.command(short_help="Compare two releases (folders or .tar.gz archives), item by item.")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="A summary with counts for people, or JSON.")
@project_option
def diff(old: Path, new: Path, fmt: str, project_dir: Path | None) -> None:
    """Compare release OLD with release NEW: items, translations, mappings, inferred links, SHACL.

    Each is a release folder (such as dist/) or its archive (policing-kg-VERSION.tar.gz). Where
    a release keeps no SHACL results (0.1.0), they are computed with this checkout's shapes.
    Exit 0 whatever the differences; 2 when a release cannot be read.
    """
    from policing_kg.checks.shacl import load_shapes
    from policing_kg.release.diff import compute_shacl, diff_releases, read_snapshot

    before, after = read_snapshot(old), read_snapshot(new)
    if before.shacl is None or after.shacl is None:
        project = locate_project(project_dir)
        if not project.shapes.is_dir():
            from policing_kg.errors import PolicingKGError

            raise PolicingKGError("a release keeps no SHACL results, and there are no shapes "
                                  "here to compute them with", where=str(project.shapes),
                                  hint="run from the checkout, or pass --project DIR")
        shapes = load_shapes(project.shapes)
        compute_shacl(before, shapes)
        compute_shacl(after, shapes)
    changes = diff_releases(before, after)
    if fmt == "json":
        click.echo(changes.json_bytes().decode(), nl=False)
    else:
        click.echo(changes.markdown(), nl=False)


@click.command(short_help="The quality report (qSKOS, Skosify and ROBOT checks) of a release.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="For people, or JSON.")
@dist_option
def report(fmt: str, dist_dir: Path) -> None:
    """Run the quality checks on the release in DIST (what `build` writes as quality-report.*).

    Exit 1 when a check at the level `error` finds something, else 0; 2 when there is no
    release to read.
    """
    import pyoxigraph as ox

    from policing_kg.checks.quality import quality_report
    from policing_kg.release.diff import read_snapshot

    snapshot = read_snapshot(dist_dir)
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in snapshot.quads)
    found = quality_report(store, snapshot.version)
    click.echo(found.json_bytes().decode() if fmt == "json" else found.markdown(), nl=False)
    sys.exit(1 if found.errors() else 0)


@click.command("evaluate", short_help="Measure `crosswalk suggest` on curated items held out.")
@click.option("--task", type=click.Choice(SUGGESTION_TASKS), required=True,
              help="Which suggestion task to measure against its curated mapping set.")
@project_option
@dist_option
def crosswalk_evaluate(task: str, project_dir: Path | None, dist_dir: Path) -> None:
    """Tune the suggester on half of the curated subjects, report it on the other half.

    The halves are fixed by a hash of each subject's IRI. The held-out line is the one to
    quote: its items were not seen when the settings (least cosine, candidates per subject)
    were chosen.
    """
    from policing_kg.crosswalk.evaluate import evaluate

    for line in evaluate(locate_project(project_dir), dist_dir, task).lines():
        click.echo(line)
