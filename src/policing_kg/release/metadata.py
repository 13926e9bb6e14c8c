"""The dataset's description (DCAT 3 and VoID), from the release record: no clock, no guesses.

The description goes twice into a release. The dumps carry it in their own named graph
(``graph/metadata``), so that a triple store loaded with them (``policing-kg load``) describes
what it holds; ``void.ttl`` carries the same and, besides, what the dumps cannot say of
themselves: each file's size and SHA-256, and the triple counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from rdflib import OWL, RDF, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from policing_kg.common.iris import BASE, DCAT, ID, PREFIXES, VOID, agent_iri
from policing_kg.curation.releases import ReleaseHistory
from policing_kg.errors import PolicingKGError

__all__ = ["DATASET", "LICENCE", "MEDIA_TYPES", "check_base_url", "release_iri",
           "citation", "metadata_triples", "ENDPOINT", "LANDING_PAGE", "EXAMPLES",
           "archive_name"]

DATASET = URIRef(ID + "dataset")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
LANDING_PAGE = URIRef(BASE)
#: The SPARQL endpoint ``policing-kg serve`` offers, at the site's address.
ENDPOINT = URIRef(BASE + "sparql")
ADMS = "http://www.w3.org/ns/adms#"
#: Items worth a first look: a goal, one of its statements, a strategic goal, an outcome.
EXAMPLES = ("gpg-2023/goal/3", "gpg-2023/goal/3/statement/1", "sf-2026/goal/1",
            "oec-2022/outcome/1")

#: File suffix -> (IANA media type, W3C format IRI or None).
MEDIA_TYPES: dict[str, tuple[str, str | None]] = {
    ".ttl": ("text/turtle", "http://www.w3.org/ns/formats/Turtle"),
    ".nt": ("application/n-triples", "http://www.w3.org/ns/formats/N-Triples"),
    ".trig": ("application/trig", "http://www.w3.org/ns/formats/TriG"),
    ".nq": ("application/n-quads", "http://www.w3.org/ns/formats/N-Quads"),
    ".jsonld": ("application/ld+json", "http://www.w3.org/ns/formats/JSON-LD"),
    ".json": ("application/json", None),
    ".md": ("text/markdown", None),
    ".tsv": ("text/tab-separated-values", None),
    ".gz": ("application/gzip", None),
}

#: Named graph (its path under graph/) -> its title, for the VoID subsets.
_LAYER_TITLES = {
    "ontology": "The policing-kg ontology",
    "translations": "The project's translations",
    "editorial": "The project's editorial labels and assignments",
    "reference": "Reference: the UN SDGs, and earlier versions of the documents",
    "mappings": "Crosswalks: the curated SSSOM mapping sets",
    "inferred": "Links inferred by the ontology's property chains",
    "queries": "The stored crosswalk queries",
    "metadata": "This description of the dataset",
}


def release_iri(version: str) -> URIRef:
    """Return the IRI of one version of the dataset: where its files are (``…/release/0.2.0/``)."""
    return URIRef(f"{BASE}release/{version}/")


def archive_name(version: str) -> str:
    """Return the release archive's file name."""
    return f"policing-kg-{version}.tar.gz"


def check_base_url(url: str | None, version: str) -> str:
    """Return where the release's files will be, ending in ``/``; one line when it cannot be.

    >>> check_base_url("https://example.org/releases/0.1.0", "0.1.0")
    'https://example.org/releases/0.1.0/'
    """
    if url is None:
        return str(release_iri(version))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PolicingKGError(f"--base-url must be an absolute http(s) URL, not {url!r}",
                              hint=f"e.g. --base-url https://example.org/releases/{version}/")
    if parts.query or parts.fragment or any(c.isspace() or ord(c) < 32 for c in url):
        raise PolicingKGError(f"--base-url must be a folder's URL, without spaces, query or "
                              f"fragment: {url!r}",
                              hint=f"e.g. --base-url https://example.org/releases/{version}/")
    return url if url.endswith("/") else url + "/"


def citation(history: ReleaseHistory) -> str:
    """How to cite this version (the same text as ``CITATION.cff`` gives)."""
    current = history.current
    return (f"policing-kg contributors ({current.date.year}). policing-kg: INTERPOL strategy "
            f"knowledge graph (version {current.version}) [Data set]. "
            f"{release_iri(current.version)}")


def _subset_title(graph: str, document_titles: dict[str, str]) -> str:
    tail = graph.removeprefix(BASE + "graph/")
    if tail.startswith("document/"):
        document = tail.removeprefix("document/")
        return f"The text of {document_titles.get(document, document)}"
    return _LAYER_TITLES.get(tail, tail)


def metadata_triples(history: ReleaseHistory, base_url: str, files: Iterable[str],
                     graphs: Sequence[str], document_titles: dict[str, str],
                     sources: Sequence[str]) -> list[tuple[URIRef, URIRef, object]]:
    """Describe the dataset and its release: what ``graph/metadata`` holds.

    ``files`` are the release's file names (the distributions), ``graphs`` its named graphs.
    """
    current = history.current
    d = DATASET

    def lit(value: str, lang: str | None = None, datatype: URIRef | None = None) -> Literal:
        return Literal(value, lang=lang, datatype=datatype)

    t: list[tuple[URIRef, URIRef, object]] = [
        (d, RDF.type, VOID.Dataset), (d, RDF.type, DCAT.Dataset),
        (d, DCTERMS.title, lit("policing-kg: INTERPOL strategy knowledge graph", "en")),
        (d, DCTERMS.description, lit(
            "INTERPOL's Strategic Framework 2026-2030, Global Policing Goals (2023) and "
            "2022-2025 programme strategies as linked data: every item with its source passage, "
            "the project's translations and editorial decisions in layers of their own.", "en")),
        (d, DCAT.version, lit(current.version)),
        (d, OWL.versionInfo, lit(current.version)),
        (d, DCTERMS.issued, lit(history.first.date.isoformat(), datatype=XSD.date)),
        (d, DCTERMS.modified, lit(current.date.isoformat(), datatype=XSD.date)),
        (d, DCTERMS.license, LICENCE),
        (d, DCTERMS.rights, lit(
            "The project's own additions (structure, translations, editorial work) are licensed "
            "CC BY 4.0; the quoted source texts are INTERPOL's.", "en")),
        (d, DCTERMS.publisher, agent_iri("policing-kg")),
        (d, DCTERMS.bibliographicCitation, lit(citation(history))),
        (d, DCAT.landingPage, LANDING_PAGE),
        (d, DCAT.hasCurrentVersion, release_iri(current.version)),
        (d, VOID.sparqlEndpoint, ENDPOINT),
        (d, VOID.uriSpace, lit(str(ID))),
        (d, VOID.vocabulary, URIRef(BASE + "ontology")),
        (d, DCAT.keyword, lit("INTERPOL", "en")),
        (d, DCAT.keyword, lit("Sustainable Development Goals", "en")),
        (d, DCAT.keyword, lit("crosswalk", "en")),
        (agent_iri("policing-kg"), FOAF.homepage, LANDING_PAGE),
    ]
    for prefix in ("skos", "skosxl", "dcterms", "prov", "oa", "sdgo"):
        t.append((d, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    for example in EXAMPLES:
        t.append((d, VOID.exampleResource, URIRef(ID + example)))
    for source in sources:
        t.append((d, DCTERMS.source, URIRef(f"{ID}source/{source}")))
    for newer, record in zip((None, *history.releases), history.releases, strict=False):
        version = release_iri(record.version)
        t += [(d, DCAT.hasVersion, version), (version, RDF.type, DCAT.Dataset),
              (version, DCAT.version, lit(record.version)),
              (version, DCTERMS.issued, lit(record.date.isoformat(), datatype=XSD.date)),
              (version, DCTERMS.isVersionOf, d),
              (version, URIRef(ADMS + "versionNotes"), lit(record.notes, "en"))]
        if newer is not None:
            t.append((release_iri(newer.version), DCAT.previousVersion, version))
    for graph in graphs:
        subset = URIRef(graph)
        t += [(d, VOID.subset, subset), (subset, RDF.type, VOID.Dataset),
              (subset, DCTERMS.title, lit(_subset_title(graph, document_titles), "en"))]
    for name in sorted(files):
        url = URIRef(base_url + name)
        media_type, fmt = MEDIA_TYPES.get(PurePosixPath(name).suffix, ("text/plain", None))
        if name.startswith("policing-kg.") or name == archive_name(current.version):
            t.append((d, VOID.dataDump, url))
        t += [(d, DCAT.distribution, url), (url, RDF.type, DCAT.Distribution),
              (url, DCTERMS.title, lit(name)),
              (url, DCAT.downloadURL, url), (url, DCAT.accessURL, URIRef(base_url)),
              (url, DCTERMS.license, LICENCE),
              (url, DCAT.mediaType,
               URIRef("https://www.iana.org/assignments/media-types/" + media_type))]
        if fmt:
            t.append((url, DCTERMS["format"], URIRef(fmt)))
    return t
