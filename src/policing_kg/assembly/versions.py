"""The ontology's version, from the release record: what the build adds to its header.

The checkout's ``ontology/policing-kg.ttl`` carries no version: the release record does
(``releases/releases.toml``), and the build adds ``owl:versionIRI``, ``owl:versionInfo``,
``owl:priorVersion`` and the dates to the ontology graph and to the released ontology file.
"""

from __future__ import annotations

from rdflib import OWL, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from policing_kg.common.iris import BASE
from policing_kg.curation.releases import ReleaseHistory

__all__ = ["ONTOLOGY", "ontology_version_triples", "ontology_version_turtle", "version_iri"]

ONTOLOGY = URIRef(BASE + "ontology")


def version_iri(version: str) -> URIRef:
    """Return the ontology's IRI for one version (``…/ontology/0.2.0``)."""
    return URIRef(f"{ONTOLOGY}/{version}")


def ontology_version_triples(history: ReleaseHistory) -> list[tuple[URIRef, URIRef, object]]:
    """Return the version statements of the ontology's header."""
    current = history.current
    triples: list[tuple[URIRef, URIRef, object]] = [
        (ONTOLOGY, OWL.versionIRI, version_iri(current.version)),
        (ONTOLOGY, OWL.versionInfo, Literal(current.version)),
        (ONTOLOGY, DCTERMS.issued, Literal(history.first.date.isoformat(), datatype=XSD.date)),
        (ONTOLOGY, DCTERMS.modified, Literal(current.date.isoformat(), datatype=XSD.date)),
    ]
    if history.previous is not None:
        triples.append((ONTOLOGY, OWL.priorVersion, version_iri(history.previous.version)))
    return triples


def ontology_version_turtle(history: ReleaseHistory) -> bytes:
    """Return the same statements as Turtle with full IRIs, to append to the ontology's file."""
    lines = ["", "# The version, added by `policing-kg build` from releases/releases.toml."]
    for s, p, o in ontology_version_triples(history):
        lines.append(f"<{s}> <{p}> {o.n3() if hasattr(o, 'n3') else o} .")
    return ("\n".join(lines) + "\n").encode("utf-8")
