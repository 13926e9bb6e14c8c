"""The validation store: the data graph in pyoxigraph, every literal kept exactly as written.

pyoxigraph's store keeps a literal of a datatype it knows by its value, not its text:
``"01"^^xsd:integer`` comes back as ``"1"``, ``"2"^^xsd:positiveInteger`` as an
``xsd:integer``, ``"300"^^xsd:byte`` (which is not a byte) as the integer 300. A validator must
see the literal as written, so here every literal with a datatype (other than ``xsd:string``
and ``rdf:langString``) is stored under a *surrogate* datatype that pyoxigraph does not know:

    "01"^^<urn:policing-kg:validation:1:http://www.w3.org/2001/XMLSchema#integer>

The digit says whether the literal is well-formed for its datatype, as rdflib (and so pyshacl)
reads it: ``sh:datatype`` is then one comparison of datatypes. :func:`restore` turns a surrogate
back into the literal it stands for, and :func:`value_expression` writes the SPARQL that reads
it as a typed value (for ``sh:minInclusive``, ``sh:lessThan`` and the like).

>>> import pyoxigraph as ox
>>> xsd = "http://www.w3.org/2001/XMLSchema#"
>>> kept = surrogate(ox.Literal("01", datatype=ox.NamedNode(xsd + "integer")))
>>> kept.datatype.value
'urn:policing-kg:validation:1:http://www.w3.org/2001/XMLSchema#integer'
>>> surrogate(ox.Literal("aldi", datatype=ox.NamedNode(xsd + "integer"))).datatype.value[:29]
'urn:policing-kg:validation:0:'
>>> restore(kept)
<Literal value=01 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from policing_kg.common.terms import XSD_STRING, graph_of_quads, to_oxigraph, to_rdflib

__all__ = ["SURROGATE", "surrogate", "restore", "restore_rdflib", "validation_store",
           "store_graph", "graph_store", "constant", "value_expression", "well_formed_datatype",
           "is_well_formed"]

SURROGATE = "urn:policing-kg:validation:"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_KEPT = (XSD_STRING, _LANG_STRING)


@lru_cache(maxsize=65536)
def is_well_formed(lexical: str, datatype: str) -> bool:
    """Whether rdflib (and so pyshacl) reads the literal as well-formed for its datatype.

    An integer of thousands of digits is read here, by its lexical form and range: Python
    refuses to convert more than 4,300 digits, and rdflib would call it ill-typed.

    >>> is_well_formed("7" * 5000, _XSD + "integer"), is_well_formed("7" * 5000, _XSD + "int")
    (True, False)
    """
    if len(lexical) > 1000 and datatype in _INTEGER_RANGES:
        return _long_integer(lexical, datatype)
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # rdflib logs a traceback for each ill-typed literal
    try:
        literal = Literal(lexical, datatype=URIRef(datatype))
    finally:
        logger.setLevel(level)
    if literal.ill_typed is True:
        return False
    # pyshacl also requires the Python value to be of the datatype's type (a float for xsd:float)
    expected = _VALUE_TYPES.get(datatype)
    return expected is None or isinstance(literal.value, expected)


_XSD = "http://www.w3.org/2001/XMLSchema#"
#: The integer datatypes and their ranges (None: unbounded on that side).
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    _XSD + "integer": (None, None), _XSD + "nonNegativeInteger": (0, None),
    _XSD + "positiveInteger": (1, None), _XSD + "nonPositiveInteger": (None, 0),
    _XSD + "negativeInteger": (None, -1), _XSD + "long": (-2**63, 2**63 - 1),
    _XSD + "int": (-2**31, 2**31 - 1), _XSD + "short": (-2**15, 2**15 - 1),
    _XSD + "byte": (-2**7, 2**7 - 1), _XSD + "unsignedLong": (0, 2**64 - 1),
    _XSD + "unsignedInt": (0, 2**32 - 1), _XSD + "unsignedShort": (0, 2**16 - 1),
    _XSD + "unsignedByte": (0, 2**8 - 1),
}
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _long_integer(lexical: str, datatype: str) -> bool:
    if not _INTEGER.fullmatch(lexical):
        return False
    negative = lexical.startswith("-")
    digits = lexical.lstrip("+-").lstrip("0")
    low, high = _INTEGER_RANGES[datatype]
    if not digits:
        value = 0
    elif len(digits) > 40:  # beyond every bounded type: only the sign matters
        if (negative and low is not None) or (not negative and high is not None):
            return False
        return True
    else:
        value = -int(digits) if negative else int(digits)
    return (low is None or value >= low) and (high is None or value <= high)


#: As pyshacl's sh:datatype checks them: the Python type of a well-formed literal's value.
_VALUE_TYPES: dict[str, type | tuple[type, ...]] = {
    _XSD + "integer": int, _XSD + "float": float, _XSD + "decimal": Decimal,
    _XSD + "boolean": bool, _XSD + "date": date, _XSD + "time": time,
    _XSD + "dateTime": datetime,
}


@lru_cache(maxsize=4096)
def _surrogate_datatype(datatype: str, ok: bool) -> ox.NamedNode:
    return ox.NamedNode(f"{SURROGATE}{int(ok)}:{datatype}")


def well_formed_datatype(datatype: str) -> str:
    """Return the surrogate datatype IRI of the well-formed literals of ``datatype``."""
    return f"{SURROGATE}1:{datatype}"


def surrogate(term: Any) -> Any:
    """Return the term as the validation store keeps it (only typed literals change)."""
    if isinstance(term, ox.Literal) and not term.language:
        datatype = term.datatype.value
        if datatype not in _KEPT:
            ok = is_well_formed(term.value, datatype)
            return ox.Literal(term.value, datatype=_surrogate_datatype(datatype, ok))
    return term


def restore(term: Any) -> Any:
    """Return the literal a surrogate stands for (any other term as it is)."""
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(SURROGATE):
        datatype = term.datatype.value[len(SURROGATE) + 2:]
        return ox.Literal(term.value, datatype=ox.NamedNode(datatype))
    return term


def restore_rdflib(term: Any) -> Node:
    """Return a store term as the rdflib term it stands for."""
    return to_rdflib(restore(term))


def constant(node: Node) -> str:
    """Write an RDF term of a shape (``sh:in``, ``sh:hasValue``) as the store holds it."""
    if isinstance(node, Literal) or isinstance(node, URIRef):
        return str(surrogate(to_oxigraph(node)))
    raise ValueError(f"not a constant: {node!r}")


def value_expression(var: str) -> str:
    """SPARQL that reads a stored term as its typed value (a surrogate back to its datatype)."""
    prefix = Literal(SURROGATE).n3()
    return (f"IF(isLiteral({var}) && STRSTARTS(STR(DATATYPE({var})), {prefix}), "
            f"STRDT(STR({var}), IRI(SUBSTR(STR(DATATYPE({var})), {len(SURROGATE) + 3}))), {var})")


def _kept(quad: Any) -> ox.Quad:
    graph = getattr(quad, "graph_name", None)
    return ox.Quad(quad.subject, quad.predicate, surrogate(quad.object),
                   graph if graph is not None else ox.DefaultGraph())


def validation_store(quads: Iterable[Any]) -> ox.Store:
    """Load pyoxigraph quads (or triples) into a store that keeps every literal as written."""
    store = ox.Store()
    store.bulk_extend(_kept(quad) for quad in quads)
    return store


def graph_store(graph: Graph) -> ox.Store:
    """Load an rdflib graph into a validation store.

    rdflib has already read each literal (it writes ``"none"^^xsd:boolean`` as ``"false"`` and
    marks it ill-typed): its own verdict is kept, as pyshacl would see it.
    """
    def kept(term: Node) -> Any:
        converted = to_oxigraph(term)
        if isinstance(term, Literal) and term.datatype is not None \
                and str(term.datatype) not in _KEPT:
            expected = _VALUE_TYPES.get(str(term.datatype))
            ok = term.ill_typed is not True and (expected is None
                                                 or isinstance(term.value, expected))
            return ox.Literal(str(term), datatype=_surrogate_datatype(str(term.datatype), ok))
        return converted

    store = ox.Store()
    store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), kept(o))  # type: ignore[arg-type]
                      for s, p, o in graph)
    return store


def store_graph(store: ox.Store) -> Graph:
    """Return the store's graph (all named graphs as one) as rdflib, surrogates restored."""

    class Restored:
        def __init__(self, quad: Any) -> None:
            self.subject, self.predicate = quad.subject, quad.predicate
            self.object = restore(quad.object)

    return graph_of_quads((Restored(q) for q in store.quads_for_pattern(None, None, None, None)),
                          "")
