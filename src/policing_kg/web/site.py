"""``policing-kg site``: the release as a static site, in ``dist/site/``.

Read from the release (its N-Quads dump, checked against ``SHA256SUMS``) and the checkout's
source texts and stored queries; no network; deterministic bytes. Written in a staging folder
and swapped in for ``dist/site/`` in one step, with a ``SHA256SUMS`` of its own. The site is
part of the release it was made from: ``policing-kg build`` keeps the previous site (a
server goes on serving the release it belongs to) until this command swaps in the new one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policing_kg.common.files import (
    FILE_MODE,
    FOLDER_MODE,
    SITE,
    clean_stale,
    is_release,
    os_error,
    parse_sums,
    staging_folder,
    swap_in,
)
from policing_kg.common.iris import BASE, PREFIXES
from policing_kg.common.reading import read_dump
from policing_kg.common.store import DUMP
from policing_kg.errors import PolicingKGError
from policing_kg.project import Project
from policing_kg.release.jsonld import compact_dump
from policing_kg.web.changes import changelog_page, release_version
from policing_kg.web.crosswalk_pages import FLOW, crosswalks_page
from policing_kg.web.graphview import GraphView
from policing_kg.web.html import STYLE, Page
from policing_kg.web.pages import SourceTexts, as_json, resource_page, resource_rdf, source_page
from policing_kg.web.paths import FORMATS, page_path
from policing_kg.web.reach import reach_section, reachable
from policing_kg.web.search import search_files
from policing_kg.web.sections import (
    documents_page,
    landing_page,
    ontology_page,
    query_pages,
    sdg_page,
)

__all__ = ["SiteResult", "write_site", "htaccess", "release_folder"]

#: Where the site keeps a copy of the release files (as at ``…/release/{version}/``).
def release_folder(version: str) -> str:
    """Where the site keeps a copy of the release's files."""
    return f"release/{version}"


@dataclass(frozen=True)
class SiteResult:
    """What ``site`` wrote: where, how many pages and files."""

    directory: Path
    pages: int
    files: int

    def lines(self) -> list[str]:
        """For people."""
        return [f"wrote the site to {self.directory}: {self.pages} pages, {self.files} files"]


def _rdf_files(triples: list[ox.Triple]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for suffix, rdf_format in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                               ("rdf", ox.RdfFormat.RDF_XML)):
        prefixes = PREFIXES if suffix != "nt" else None
        data = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
        out[suffix] = data or b""
    out["jsonld"] = compact_dump(triples)
    return out


def _triple_key(triple: ox.Triple) -> tuple[object, ...]:
    from policing_kg.common.sorting import natural_key

    return (natural_key(str(triple.subject)), natural_key(triple.predicate.value),
            natural_key(str(triple.object)))


def htaccess() -> bytes:
    """Return Apache rules that answer each IRI by ``Accept`` with a 303 to its page or RDF.

    As w3id.org's own redirects do (the site hosted at ``https://w3id.org/policing-kg/``).
    """
    spaces = "|".join(["id", "mapping", "mappings", "query", "graph", "sdg"])
    lines = ["# policing-kg: content negotiation for the IRIs of https://w3id.org/policing-kg/",
             "# (written by `policing-kg site`; the same table as `policing-kg serve`)",
             "Options -MultiViews", "DirectoryIndex index.html", ""]
    lines += [f"AddType {media} .{suffix}" for suffix, media in FORMATS.items()]
    lines += ["AddCharset utf-8 .html .ttl .jsonld .nt", "", "RewriteEngine on", ""]
    pattern = f"^((?:{spaces})/.+|ontology|sdg)$"
    for suffix, media in FORMATS.items():
        if suffix == "html":
            continue
        escaped = media.replace("+", "\\+")
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} {escaped}",
                  f"RewriteCond %{{DOCUMENT_ROOT}}%{{REQUEST_URI}}.{suffix} -f [OR]",
                  f"RewriteCond %{{REQUEST_FILENAME}}.{suffix} -f",
                  f"RewriteRule {pattern} $1.{suffix} [R=303,L]", ""]
    lines += ["# anything else (a browser): the page",
              "RewriteCond %{REQUEST_FILENAME}.html -f",
              f"RewriteRule {pattern} $1.html [R=303,L]", ""]
    return "\n".join(lines).encode("utf-8")


def write_site(project: Project, dist: Path) -> SiteResult:
    """Write the release's site into ``dist/site/`` (see the module's docstring)."""
    from policing_kg.access.queries import run_query
    from policing_kg.crosswalk.flows import flow_svg
    from policing_kg.crosswalk.links import read_crosswalk
    from policing_kg.crosswalk.matrices import build_matrices, write_matrix
    from policing_kg.curation.catalogue import load_catalogue

    dist = dist.resolve()
    if not is_release(dist):
        raise PolicingKGError("no release here to make a site of", where=str(dist),
                              hint="run `policing-kg build` (or `make`) first")
    quads = read_dump(dist / DUMP)
    view = GraphView(quads)
    store = ox.Store()
    store.bulk_extend(quads)
    catalogue = load_catalogue(project.queries)
    sources = _sources(project, view)
    target = dist / SITE
    clean_stale(target)
    staging = staging_folder(target)
    written: dict[str, bytes] = {}

    def put(path: str, data: bytes) -> None:
        written[path] = data

    try:
        examples: dict[str, tuple[str, Any]] = {}
        for name, stored in catalogue.items():
            put(f"query/{name}.rq", stored.text.encode("utf-8"))
            if stored.examples:
                example = stored.examples[0]
                examples[name] = (example, run_query(stored, stored.example_params(example),
                                                     store))
        crosswalk = read_crosswalk(store)
        matrices = build_matrices(store, crosswalk=crosswalk)
        pictures = {m.name: f"crosswalks/{m.name}.svg" for m in matrices}
        version = release_version(view)
        folder = release_folder(version)
        changes = dist / "changes.json"
        section_pages: list[Page] = [
            landing_page(view, version, _downloads(dist), folder, crosswalk),
            changelog_page(view, json.loads(changes.read_bytes()) if changes.is_file() else None),
            documents_page(view), sdg_page(view, crosswalk),
            crosswalks_page(view, matrices, pictures, crosswalk, FLOW),
            ontology_page(view, BASE + "ontology"), *query_pages(view, catalogue, examples)]
        special = {page.path for page in section_pages}
        for node in view.nodes():
            path = page_path(node.value)
            if path is None or "#" in path:
                continue
            base = path.removesuffix(".html")
            rdf = _rdf_files(resource_rdf(view, node))
            for suffix, data in rdf.items():
                put(f"{base}.{suffix}", data)
            if path in special:  # a section page stands at that path instead
                continue
            text = sources.get(node.value)
            json_ld = as_json(rdf["jsonld"])
            extra = [reach_section(Page(path, ""), view, crosswalk, node.value)] \
                if reachable(crosswalk, node.value) else []
            page = source_page(view, node, text, json_ld) if text is not None else \
                resource_page(view, node, sources, json_ld, extra)
            put(path, page.render())
        for page in section_pages:
            put(page.path, page.render())
        missing = Page("404.html", "Not found")
        missing.add("<p>Nothing has this address. Start from the "
                    '<a href="/index.html">home page</a>.</p>')
        put(missing.path, missing.render())
        ontology_graph = BASE + "graph/ontology"
        for suffix, data in _rdf_files(sorted(
                (q.triple for q in quads if getattr(q.graph_name, "value", "") == ontology_graph),
                key=_triple_key)).items():
            put(f"ontology.{suffix}", data)
        for path, data in search_files(view).items():  # the search box's page and index
            put(path, data)
        put(FLOW, flow_svg(crosswalk))
        put("style.css", STYLE.encode("utf-8"))
        put(".htaccess", htaccess())
        for name in sorted(p.name for p in dist.iterdir() if p.is_file()):
            put(f"{folder}/{name}", (dist / name).read_bytes())
        for name in sorted(sources.files):
            put(f"sources/{name}", sources.files[name].text.encode("utf-8"))
        _write(staging, written)
        (staging / "crosswalks").mkdir(mode=FOLDER_MODE, exist_ok=True)
        for matrix in matrices:
            for picture in write_matrix(matrix, staging / "crosswalks"):
                written[f"crosswalks/{picture.name}"] = picture.read_bytes()
        _finish(staging, written)
        swap_in(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise os_error(exc, staging, "cannot write the site") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteResult(target, sum(1 for path in written if path.endswith(".html")),
                      len(written) + 1)


def _sources(project: Project, view: GraphView) -> SourceTexts:
    """Return the source texts the release names, read from the checkout and checked by SHA-256."""
    files: dict[str, str] = {}
    for node in view.instances(BASE + "ontology#SourceText"):
        name = node.value.rsplit("/", 1)[-1]
        path = project.sources / name
        digest = view.value(node, BASE + "ontology#sha256")
        try:
            data = path.read_bytes()
        except OSError:
            raise PolicingKGError("a source text of the release is not in the checkout",
                                  where=str(path), hint="run from the checkout the release "
                                  "was built from, or pass --project") from None
        if digest is not None and hashlib.sha256(data).hexdigest() != digest.value:
            raise PolicingKGError("a source text differs from the one the release was built "
                                  "from", where=str(path), hint="rebuild the release "
                                  "(`policing-kg build`) before making its site")
        files[name] = data.decode("utf-8")
    return SourceTexts(files)


def _downloads(dist: Path) -> list[tuple[str, int, str]]:
    sums = parse_sums((dist / "SHA256SUMS").read_bytes())
    found = [(name, (dist / name).stat().st_size, sums[name]) for name in sorted(sums)]
    for name in ["SHA256SUMS", *sorted(p.name for p in dist.glob("policing-kg-*.tar.gz*"))]:
        data = (dist / name).read_bytes()
        found.append((name, len(data), hashlib.sha256(data).hexdigest()))
    return found


def _write(staging: Path, files: dict[str, bytes]) -> None:
    folders: set[Path] = set()
    for path, data in files.items():
        target = staging / path
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
            folders.add(target.parent)
        target.write_bytes(data)


def _finish(staging: Path, files: dict[str, bytes]) -> None:
    """Checksums of every file, then modes that do not depend on the umask."""
    lines = "".join(f"{hashlib.sha256(files[path]).hexdigest()}  {path}\n"
                    for path in sorted(files))
    (staging / "SHA256SUMS").write_text(lines, encoding="utf-8")
    for path in staging.rglob("*"):
        path.chmod(FOLDER_MODE if path.is_dir() else FILE_MODE)

