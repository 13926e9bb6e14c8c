"""Namespaces and the minting of IRIs from stable identifiers (document id + notation).

IRIs never come from text or from positions that can shift:

>>> item_iri("gpg-2023", ("goal", "3", "statement", "2"))
rdflib.term.URIRef('https://w3id.org/policing-kg/id/gpg-2023/goal/3/statement/2')
>>> graph_iri("document", "ct-2022")
rdflib.term.URIRef('https://w3id.org/policing-kg/graph/document/ct-2022')
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rdflib import Namespace, URIRef

__all__ = [
    "BASE",
    "ID",
    "PKG",
    "OA",
    "SKOSXL",
    "VANN",
    "SDGO",
    "DCAT",
    "VOID",
    "SPDX",
    "PREFIXES",
    "ISO639",
    "document_iri",
    "item_iri",
    "graph_iri",
    "source_file_iri",
    "agent_iri",
    "LAYERS",
    "QUERY",
    "graph_order",
    "short_id",
    "SDG",
    "sparql_prefixes",
    "QUERY_PREFIXES",
]

BASE = "https://w3id.org/policing-kg/"
ID = Namespace(BASE + "id/")
PKG = Namespace(BASE + "ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
VANN = Namespace("http://purl.org/vocab/vann/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
#: The UN's IRIs of the SDG goals, targets and indicators.
SDG = "http://metadata.un.org/sdg/"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ISO639 = Namespace("http://id.loc.gov/vocabulary/iso639-1/")

#: Prefixes bound in every dump, in this order.
PREFIXES: dict[str, str] = {
    "pkg": str(PKG),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "skosxl": str(SKOSXL),
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": str(OA),
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": str(VANN),
    "sdgo": str(SDGO),
    "sdg": "http://metadata.un.org/sdg/",
    "dcat": str(DCAT),
    "void": str(VOID),
    "spdx": str(SPDX),
    "sh": "http://www.w3.org/ns/shacl#",
}

def sparql_prefixes(*names: str) -> str:
    r"""Return SPARQL ``PREFIX`` lines for the release's prefixes (all, or those named).

    >>> sparql_prefixes("skos")
    'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n'
    """
    return "".join(f"PREFIX {name}: <{QUERY_PREFIXES[name]}>\n"
                   for name in (names or QUERY_PREFIXES))


#: The prefixes queries may use: the release's, and SSSOM's (the dumps bind only PREFIXES).
QUERY_PREFIXES: dict[str, str] = {**PREFIXES, "sssom": "https://w3id.org/sssom/",
                                  "semapv": "https://w3id.org/semapv/vocab/",
                                  "pkgid": BASE + "id/"}


#: The named-graph layers of the dataset in their canonical order; the documents' graphs
#: come after the first (the ontology).
LAYERS = (
    "ontology", "translations", "editorial", "reference", "mappings", "inferred", "queries",
    "metadata",
)


def graph_order(document_ids: Sequence[str]) -> list[URIRef]:
    """Return the canonical order of named graphs: ontology, documents, the other layers.

    >>> [str(g).rsplit("/graph/", 1)[1] for g in graph_order(["sf-2026"])][:3]
    ['ontology', 'document/sf-2026', 'translations']
    """
    return [graph_iri(LAYERS[0]), *(graph_iri("document", d) for d in document_ids),
            *(graph_iri(layer) for layer in LAYERS[1:])]

#: Stored queries, published as SHACL SPARQL executables.
QUERY = Namespace(BASE + "query/")

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _check(segment: str) -> str:
    if not _SEGMENT.match(segment):
        raise ValueError(f"not a stable IRI segment: {segment!r}")
    return segment


def short_id(iri: str) -> str:
    """Write an IRI of this graph as its path (``gpg-2023/goal/3``), an SDG as ``sdg/16.4``.

    >>> short_id("https://w3id.org/policing-kg/id/gpg-2023/goal/3"), short_id(SDG + "16.4")
    ('gpg-2023/goal/3', 'sdg/16.4')
    """
    if iri.startswith(str(ID)):
        return iri[len(str(ID)):]
    if iri.startswith(SDG):
        return "sdg/" + iri[len(SDG):]
    return iri


def document_iri(document_id: str) -> URIRef:
    """Return the IRI of a document (a ``skos:ConceptScheme``)."""
    return URIRef(ID + _check(document_id))


def item_iri(document_id: str, path: Sequence[str]) -> URIRef:
    """Return the IRI of an item: the document's IRI followed by its path of kind/notation."""
    return URIRef("/".join([str(document_iri(document_id)), *(_check(p) for p in path)]))


def graph_iri(layer: str, name: str | None = None) -> URIRef:
    """Return the IRI of a named graph: a layer, or ``document`` and a document id."""
    tail = f"{_check(layer)}/{_check(name)}" if name else _check(layer)
    return URIRef(f"{BASE}graph/{tail}")


def source_file_iri(file_name: str) -> URIRef:
    """Return the IRI of a source text file."""
    return URIRef(ID + "source/" + _check(file_name))


def agent_iri(name: str) -> URIRef:
    """Return the IRI of an agent (INTERPOL, the project)."""
    return URIRef(ID + "agent/" + _check(name))
