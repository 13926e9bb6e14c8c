"""The web commands: ``site`` (the static site) and ``serve`` (the site, the data, /sparql)."""

from __future__ import annotations

from pathlib import Path

import click

from policing_kg.cli_options import Seconds, dist_option, project_option
from policing_kg.project import locate_project
from policing_kg.web.sparql import Limits

__all__ = ["site", "serve"]


@click.command(short_help="Write the release's static site into dist/site/.")
@project_option
@dist_option
def site(project_dir: Path | None, dist_dir: Path) -> None:
    """Write the release as a static site into DIST/site/.

    A page and RDF per IRI, the ontology, the queries, the crosswalks: for any static host, or
    `policing-kg serve`.
    """
    from policing_kg.web.site import write_site

    for line in write_site(locate_project(project_dir), dist_dir).lines():
        click.echo(line)


@click.command(short_help="Serve the site, the data and a read-only SPARQL endpoint over HTTP.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes (each holds the release in memory).")
@click.option("--query-timeout", type=Seconds(), default=Limits.seconds, show_default=True,
              help="Seconds a query may run before it is stopped.")
@click.option("--max-result-bytes", type=click.IntRange(1024), default=Limits.result_bytes,
              show_default=True, help="Largest answer the endpoint sends.")
@project_option
@dist_option
def serve(host: str, port: int, workers: int, query_timeout: float, max_result_bytes: int,
          project_dir: Path | None, dist_dir: Path) -> None:
    """Serve DIST/site/, with content negotiation for every IRI, and /sparql.

    /sparql is a SPARQL 1.1 Protocol endpoint, read-only, with time and size limits. Build
    the site first (`make`); from a release archive, its site is written once, beside the
    unpacked release. A new release built into DIST is served once `policing-kg site` has
    written its site: pages, files and /sparql switch together, without a restart.
    """
    from policing_kg.common.files import SITE
    from policing_kg.release.unpacked import UNPACKED
    from policing_kg.web.server import serve as run

    project = locate_project(project_dir)
    if dist_dir in UNPACKED and not (dist_dir / SITE / "SHA256SUMS").is_file():
        from policing_kg.web.site import write_site

        click.echo(f"writing the archive's site into {dist_dir / SITE} (once)", err=True)
        write_site(project, dist_dir)
    run(dist_dir, project, host=host, port=port, workers=workers,
        limits=Limits(seconds=query_timeout, result_bytes=max_result_bytes))
