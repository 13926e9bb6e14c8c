"""The JSON-LD dump, compacted with the release's context.

A JSON consumer reads short keys (``skos:prefLabel``), and any JSON-LD processor gets every
triple. The dump is the union of the named graphs, as the Turtle and N-Triples dumps are (the named
graphs are in ``.trig`` and ``.nq``). Its ``@context`` is written inline, so that the file
stands alone (``policing-kg validate`` reads it without fetching anything), and published as
``context.jsonld`` for JSON consumers to refer to. The bytes are deterministic: nodes in the
canonical order of the triples, keys in the order of their first use, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import BASE, PREFIXES

__all__ = ["CONTEXT", "context_document", "compact_dump"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: The prefixes of the context: the dumps' and the IRIs of this graph's own nodes.
CONTEXT: dict[str, str] = {**PREFIXES, "pkgid": BASE + "id/", "pkgg": BASE + "graph/",
                           "pkgq": BASE + "query/", "sssom": "https://w3id.org/sssom/",
                           "semapv": "https://w3id.org/semapv/vocab/"}
_BY_LENGTH = sorted(CONTEXT.items(), key=lambda pn: -len(pn[1]))


def _compact(iri: str) -> str:
    """Write an IRI with the longest prefix that takes it (else in full)."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace):]
            if not local.startswith("//"):  # "p://x" would be read as an absolute IRI
                return f"{prefix}:{local}"
    return iri


def _node(term: Any) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else _compact(term.value)


def _value(term: Any) -> Any:
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return {"@id": _node(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": _compact(term.datatype.value)}


def context_document() -> bytes:
    """Return the release's JSON-LD context, as ``context.jsonld`` publishes it."""
    return (json.dumps({"@context": CONTEXT}, ensure_ascii=False, indent=1) + "\n").encode()


def compact_dump(triples: Sequence[ox.Triple]) -> bytes:
    """Write triples (in canonical order, grouped by subject) as compacted JSON-LD."""
    nodes: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    subject: Any = None
    for triple in triples:
        if triple.subject != subject:
            subject = triple.subject
            current = {"@id": _node(subject)}
            nodes.append(current)
        assert current is not None
        if triple.predicate.value == _RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            current.setdefault("@type", []).append(_compact(triple.object.value))
        else:
            current.setdefault(_compact(triple.predicate.value), []).append(_value(triple.object))
    document = {"@context": CONTEXT, "@graph": nodes}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
