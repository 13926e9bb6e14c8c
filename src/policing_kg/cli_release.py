"""The release commands: ``diff``, ``report``, and ``release publish`` / ``release start``.

``diff`` says what changed between two releases, ``report`` gives the quality report, and
``release`` is the moment of publication (:mod:`policing_kg.release.freeze`).
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from policing_kg.cli_options import dist_option, project_option
from policing_kg.crosswalk import SUGGESTION_TASKS
from policing_kg.project import locate_project

__all__ = ["diff", "report", "crosswalk_evaluate", "release"]

_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group(short_help="Start the next version, or publish the newest (commit, tag).")
def release() -> None:
    """Publish a version: `start` it, write its notes, `publish` it (see docs/publishers.md)."""


@release.command("publish", short_help="Build, keep and record the archive, commit and tag.")
@click.option("--date", "day", type=_DAY, default=None,
              help="The day of publication (YYYY-MM-DD, not in the future). Default: the "
              "record's date.")
@click.option("--skip-reasoner", is_flag=True,
              help="Do not run the OWL consistency check (the bytes are the same).")
@project_option
@dist_option
def release_publish(day: datetime.datetime | None, skip_reasoner: bool,
                    project_dir: Path | None, dist_dir: Path) -> None:
    """Publish the newest record of releases/releases.toml.

    From a clean git checkout whose version strings agree: build into DIST, copy the archive
    into releases/, write its archive and sha256 into the record, move the action's and the
    hook's pins to the new tag, commit those files and tag the commit vVERSION (annotated).
    Nothing is pushed. Exit 2 (one line) when the tree is not clean, the versions disagree, the
    tag exists or the version is published already; 1 when the build finds the graph wrong.
    """
    from policing_kg.release.freeze import publish_release

    for line in publish_release(locate_project(project_dir), dist_dir,
                                date=day.date() if day else None, reason=not skip_reasoner):
        click.echo(line)


@release.command("start", short_help="Add the next version's record; write its number around.")
@click.argument("version")
@click.option("--date", "day", type=_DAY, required=True,
              help="Its date (YYYY-MM-DD, not in the future; publish can move it).")
@click.option("--notes", default=None, help="Its notes so far (else a placeholder that "
              "publish refuses).")
@project_option
def release_start(version: str, day: datetime.datetime, notes: str | None,
                  project_dir: Path | None) -> None:
    """Start VERSION: a record above the newest (published) one.

    The same number goes into pyproject.toml, src/policing_kg/__init__.py and CITATION.cff
    (with the date). Nothing is committed.
    """
    from policing_kg.release.freeze import start_release

    for line in start_release(locate_project(project_dir), version, day.date(), notes=notes):
        click.echo(line)


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
