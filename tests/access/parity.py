"""What the real-store tests share: a free port, every example of every stored query, and the
answers compared with the embedded store's **term for term**: the same IRIs, and literals with
the same lexical form, datatype and language (blank nodes aside: any blank node matches any), as
a multiset of rows (order aside).

Where a store cannot give the release's terms, the test names the store, the query and the
column in ``by_value``, and those cells alone are compared by value (docs/design.md, Literals).
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policing_kg.access.queries import QueryResult, open_store, run_query
from policing_kg.common.literals import INTEGER_TYPES, XSD
from policing_kg.curation.catalogue import StoredQuery, load_catalogue
from policing_kg.errors import PolicingKGError

from ..conftest import ROOT

#: a cell: ("iri", IRI), ("literal", lexical form, datatype, language), ("blank",) or None
Cell = tuple[str, ...] | None
#: a store's way to answer one stored query with its parameters
Runner = Callable[[StoredQuery, Mapping[str, str]], QueryResult]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def examples() -> Iterator[tuple[StoredQuery, str, dict[str, str]]]:
    """Every ``# example:`` of every stored query, with its parameters."""
    catalogue = load_catalogue(ROOT / "queries")
    assert catalogue
    for query in catalogue.values():
        for example in query.examples:
            yield query, example, query.example_params(example)


def term(value: Any) -> Cell:
    """A term as compared: exactly, blank nodes aside."""
    if value is None:
        return None
    if isinstance(value, ox.NamedNode):
        return ("iri", value.value)
    if isinstance(value, ox.BlankNode):
        return ("blank",)
    return ("literal", value.value, value.datatype.value, value.language or "")


#: Where the embedded store cannot give the release's term: Oxigraph keeps an integer of a type
#: derived from xsd:integer as an xsd:integer (``"7576"^^xsd:nonNegativeInteger`` is answered
#: ``"7576"^^xsd:integer``, a computed ``STRDT`` too), so a store that keeps the datatype (Jena,
#: Virtuoso) is compared by value in these columns.
DERIVED_INTEGERS: dict[str, frozenset[str]] = {"item-provenance": frozenset({"start", "end"})}
#: The columns that hold an xsd:double (a mapping's sssom:confidence). A store that keeps a
#: double as its value and writes it in a form of its own (TDB2 ``"0.95e0"``) is compared by
#: value here.
DOUBLES: dict[str, frozenset[str]] = {name: frozenset({"confidence"}) for name in (
    "goal-targets-through-statements", "goal-to-sdg", "objective-to-sdg",
    "objectives-serving-goal", "programme-goals", "programme-sdg-targets", "reaching",
    "theme-cross-reference", "why-linked", "work-delivering-statement")}


def cells(*tables: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """The union of tables of query → columns compared by value."""
    joined: dict[str, frozenset[str]] = {}
    for table in tables:
        for name, columns in table.items():
            joined[name] = joined.get(name, frozenset()) | columns
    return joined


def number(cell: Cell) -> Cell:
    """A numeric literal by value: its number, and xsd:integer for a type derived from it."""
    if cell is None or cell[0] != "literal":
        return cell
    datatype = XSD + "integer" if cell[2] in INTEGER_TYPES else cell[2]
    try:
        return ("value", str(Decimal(cell[1]).normalize()), datatype, cell[3])
    except InvalidOperation:
        return cell


def answers(result: QueryResult, by_value: frozenset[str] = frozenset()) -> Counter[tuple[Cell, ...]]:
    """The rows as a multiset of cells, the columns in ``by_value`` compared by value."""
    numeric = [name in by_value for name in result.variables]
    return Counter(tuple(number(term(t)) if numeric[i] else term(t) for i, t in enumerate(row))
                   for row in result.terms)


def assert_same_terms(run: Runner, dist: Path,
                      by_value: Mapping[str, frozenset[str]] | None = None) -> int:
    """Run every example of every stored query with ``run`` and embedded; return how many.

    ``by_value`` names, per query, the columns a store cannot give term for term."""
    by_value = by_value or {}
    store = open_store(dist)
    compared = 0
    differing: list[tuple[Any, ...]] = []
    for query, example, params in examples():
        embedded = run_query(query, params, store)
        try:
            theirs_result = run(query, params)
        except PolicingKGError as exc:
            raise AssertionError(f"{example}: {exc}") from None
        assert theirs_result.variables == embedded.variables, query.name
        loose = by_value.get(query.name, frozenset())
        assert loose <= set(embedded.variables), (query.name, loose)
        theirs, ours = answers(theirs_result, loose), answers(embedded, loose)
        if theirs != ours:  # every example that differs is told, not only the first
            differing.append((example, "only there:", list((theirs - ours).elements())[:2],
                              "only here:", list((ours - theirs).elements())[:2]))
        assert embedded.rows, f"{example}: no rows, a weak comparison"
        compared += 1
    assert not differing, differing
    return compared


def assert_same_answers(endpoint: str, dist: Path,
                        by_value: Mapping[str, frozenset[str]] | None = None) -> int:
    """Every example of every stored query on a SPARQL endpoint and embedded, term for term."""
    from policing_kg.access.queries import run_query_remote

    return assert_same_terms(
        lambda query, params: run_query_remote(query, params, endpoint, timeout=60),
        dist, by_value)
