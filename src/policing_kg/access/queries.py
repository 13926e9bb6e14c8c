"""Running the stored queries: parameters bound as RDF terms, answers in standard formats.

Queries run on the embedded store (pyoxigraph, loaded from the release) or on any SPARQL 1.1
endpoint. Parameters are type-checked and bound as RDF terms in a ``VALUES`` block that
pyoxigraph writes, never pasted into the query text. Answers are SPARQL 1.1 Query Results:
``json``, ``csv`` and ``tsv`` are written by pyoxigraph's own serializers (language tags and
datatypes kept, as the W3C formats say); ``table`` and ``markdown`` are views for people.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from policing_kg.access.items import ItemIndex, check_items, check_language
from policing_kg.access.search import search_needle, search_pattern
from policing_kg.common.iris import ID, short_id
from policing_kg.common.store import open_store
from policing_kg.common.text import safe
from policing_kg.curation.catalogue import LABEL_LANGUAGES, QueryParameter, StoredQuery
from policing_kg.errors import PolicingKGError

__all__ = ["QueryResult", "open_store", "bind_parameters", "run_query",
           "run_query_remote", "format_result", "parse_params", "answer"]

_STANDARD = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
             "tsv": ox.QueryResultsFormat.TSV}
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SUBSELECT = re.compile(r"\bSELECT\b(?:\s+(?:DISTINCT|REDUCED)\b)?(?P<projection>[^{}#]*?)"
                        r"\bWHERE\s*\{", re.IGNORECASE)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


@dataclass(frozen=True)
class QueryResult:
    """A SELECT answer, kept as SPARQL 1.1 Query Results JSON (every term as it was)."""

    json: bytes

    def _solutions(self) -> Any:
        return ox.parse_query_results(self.json, format=ox.QueryResultsFormat.JSON)

    @property
    def variables(self) -> tuple[str, ...]:
        """The projected variables, in order."""
        return tuple(v.value for v in self._solutions().variables)

    @property
    def terms(self) -> tuple[tuple[Any, ...], ...]:
        """The rows, each an RDF term (pyoxigraph) or ``None`` where unbound."""
        solutions = self._solutions()
        names = list(solutions.variables)
        return tuple(tuple(row[v] for v in names) for row in solutions)

    @property
    def rows(self) -> tuple[tuple[str | None, ...], ...]:
        """The rows, each value's text (an IRI, a lexical form) or ``None``."""
        return tuple(tuple(None if t is None else t.value for t in row) for row in self.terms)

    def serialize(self, fmt: str) -> bytes:
        """Return the answer in a W3C format: ``json``, ``csv`` or ``tsv``."""
        data: bytes = self._solutions().serialize(format=_STANDARD[fmt])
        return data


def parse_params(given: Sequence[str]) -> dict[str, str]:
    """Read ``KEY=VALUE`` arguments (``--param``) into a mapping."""
    bound: dict[str, str] = {}
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise PolicingKGError(f"--param {item!r} is not KEY=VALUE")
        bound[key.strip()] = value
    return bound


def _bind(parameter: QueryParameter, value: str) -> Any:
    if parameter.type == "iri":
        try:
            if _IRI.match(value):
                return ox.NamedNode(value)
            if re.fullmatch(r"sdg/(1[0-7]|[1-9])(\.([1-9][0-9]?|[a-z]))?|sdg/C[0-9]{6}", value):
                return ox.NamedNode("http://metadata.un.org/" + value)  # the UN's own IRIs
            if _ID.match(value) and ".." not in value:
                return ox.NamedNode(str(ID) + value)
        except ValueError:
            pass
        raise PolicingKGError(f"parameter {parameter.name}: {value!r} is not an IRI or an id",
                              hint="give an absolute IRI, an id such as gpg-2023/goal/3, or "
                              "an SDG such as sdg/16 or sdg/16.4")
    if parameter.type == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", value):
            raise PolicingKGError(f"parameter {parameter.name}: {value!r} is not an integer")
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if parameter.type == "search":
        if not value.strip() or len(value) > 200:
            raise PolicingKGError(f"parameter {parameter.name}: give 1 to 200 characters")
        return ox.Literal(search_pattern(value))
    if parameter.type == "language":
        check_language(parameter, value)
        return ox.Literal(value)
    return ox.Literal(value)


def bind_parameters(query: StoredQuery, params: Mapping[str, str]) -> str:
    """Return the query text with its parameters bound by a ``VALUES`` block.

    Each value is type-checked and made an RDF term by pyoxigraph, whose serialisation escapes
    it: no user text is ever pasted into the query as SPARQL. The block opens the first
    ``WHERE {`` (inline data is SPARQL 1.1 and binds before anything is joined, on every
    engine; a trailing ``VALUES`` is not read the same way by all stores).

    A sub-select that projects a parameter's variable gets the same block, of those variables
    only (:func:`_bind_subselects`): its answers are joined with the query's on that variable,
    which the query binds to the value, so its other rows could join nothing. The answers are
    the same; the sub-select no longer counts every item to keep one (``reaching`` at 1 M).
    """
    params = with_defaults(query, params)
    if not params:
        return query.text
    known = {p.name: p for p in query.parameters}
    names = sorted(params)
    terms = [str(_bind(known[name], params[name])) for name in names]
    bound = list(names)
    for name in names:  # a search also binds its needle (see search_needle)
        if known[name].type == "search":
            bound.append(f"{name}_needle")
            terms.append(str(ox.Literal(search_needle(params[name]))))
    values = dict(zip(bound, terms, strict=True))
    offset = 0
    for line in query.text.splitlines(keepends=True):
        match = None if line.lstrip().startswith("#") else _WHERE.search(line)
        if match:
            at = offset + match.end()
            return (query.text[:at] + _values(values)
                    + _bind_subselects(query.text[at:], values))
        offset += len(line)
    raise PolicingKGError(f"query {query.name} has parameters but no 'WHERE {{'",
                          where=str(query.path))


def _values(values: Mapping[str, str]) -> str:
    variables = " ".join(f"?{name}" for name in values)
    return f"\n  VALUES ({variables}) {{ ({' '.join(values.values())}) }}"


def _bind_subselects(text: str, values: Mapping[str, str]) -> str:
    """Open each sub-select that returns some of the variables of ``values`` with their block.

    Only variables outside parentheses count (``(COUNT(?x) AS ?n)`` returns ``?n``), and a
    projection written ``*`` is left alone; a sub-select in a comment line is not one.
    """
    pieces, start = [], 0
    for match in _SUBSELECT.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if text[line_start:match.start()].lstrip().startswith("#"):
            continue
        projection = match.group("projection")
        while True:  # the variables outside parentheses: (COUNT(?x) AS ?n) projects ?n only
            bare = re.sub(r"\([^()]*\)", " ", projection)
            if bare == projection:
                break
            projection = bare
        projected = set(re.findall(r"[?$](\w+)", projection))
        kept = {name: term for name, term in values.items() if name in projected}
        if kept:
            pieces += [text[start:match.end()], _values(kept)]
            start = match.end()
    return "".join(pieces) + text[start:]


def _check_parameters(query: StoredQuery, params: Mapping[str, str]) -> None:
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        valid = ", ".join(known) or "none"
        raise PolicingKGError(f"query {query.name} has no parameter {unknown[0]!r}",
                              hint=f"its parameters: {valid}")
    missing = [name for name in known if name not in params and not known[name].optional]
    if missing:
        raise PolicingKGError(f"query {query.name} needs --param {missing[0]}=…",
                              hint=known[missing[0]].description)
    for name, value in params.items():  # each value's type, before any store is read
        _bind(known[name], value)


def with_defaults(query: StoredQuery, params: Mapping[str, str]) -> dict[str, str]:
    """Return the parameters given, and ``lang=en`` where a query shows labels but none is."""
    given = dict(params)
    for parameter in query.parameters:
        if parameter.type == "language" and parameter.name not in given:
            given[parameter.name] = LABEL_LANGUAGES[0]
    return given


def _item_parameters(query: StoredQuery, params: Mapping[str, str]) -> dict[str, str]:
    known = {p.name: p for p in query.parameters}
    return {name: _bind(known[name], value).value for name, value in params.items()
            if known[name].type == "iri"}


def _check_items(query: StoredQuery, params: Mapping[str, str],
                 select: Callable[[str], list[dict[str, str]]]) -> None:
    """Refuse items that are not in the store, or not of the kinds the parameter takes."""
    iris = _item_parameters(query, params)
    if iris:
        check_items(query, iris, ItemIndex.read(select))


def _select_local(store: Any) -> Callable[[str], list[dict[str, str]]]:
    def select(text: str) -> list[dict[str, str]]:
        solutions = store.query(text, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]
    return select


def run_query(query: StoredQuery, params: Mapping[str, str], store: Any) -> QueryResult:
    """Run a stored query on the embedded store, its parameters bound as RDF terms."""
    _check_parameters(query, params)
    _check_items(query, params, _select_local(store))
    try:
        solutions = store.query(bind_parameters(query, params), use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise PolicingKGError(f"query {query.name} is not valid SPARQL: {exc}",
                              where=str(query.path), hint="correct the stored query") from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise PolicingKGError(f"query {query.name} is not a SELECT query", where=str(query.path))
    data = solutions.serialize(format=ox.QueryResultsFormat.JSON)
    assert data is not None
    return QueryResult(data)


def run_query_remote(query: StoredQuery, params: Mapping[str, str], endpoint: str, *,
                     user: str | None = None, password: str | None = None,
                     timeout: float = 60.0) -> QueryResult:
    """Run a stored query on a SPARQL 1.1 endpoint, parameters bound as on the embedded store."""
    from policing_kg.access.stores import run_remote

    _check_parameters(query, params)

    def select(text: str) -> list[dict[str, str]]:
        answer = QueryResult(run_remote(text, endpoint, user=user, password=password,
                                        timeout=timeout))
        return [{v: value for v, value in zip(answer.variables, row, strict=True)
                 if value is not None} for row in answer.rows]

    _check_items(query, params, select)
    return QueryResult(run_remote(bind_parameters(query, params), endpoint, user=user,
                                  password=password, timeout=timeout))


def answer(project: Any, name: str, params: Mapping[str, str], dist: Any, *,
           endpoint: str | None = None, user: str | None = None, password: str | None = None,
           timeout: float = 60.0) -> QueryResult:
    """Do what ``policing-kg query NAME`` does: the stored query, on the release or an endpoint."""
    from policing_kg.curation.catalogue import load_catalogue

    catalogue = load_catalogue(project.queries)
    if name not in catalogue:
        raise PolicingKGError(f"no stored query {name!r}",
                              hint=f"the queries: {', '.join(catalogue) or 'none'}")
    if endpoint:
        return run_query_remote(catalogue[name], params, endpoint, user=user,
                                password=password, timeout=timeout)
    return run_query(catalogue[name], params, open_store(dist))


def format_result(result: QueryResult, fmt: str) -> str:
    """Render an answer: SPARQL Results JSON, CSV or TSV (W3C), or a table or Markdown view."""
    if fmt in _STANDARD:
        return result.serialize(fmt).decode("utf-8")
    cells = [["" if t is None else safe(_for_people(t)) for t in row] for row in result.terms]
    variables = result.variables
    if fmt == "markdown":
        def escape(value: str) -> str:
            return value.replace("|", "\\|")
        lines = ["| " + " | ".join(variables) + " |",
                 "|" + "|".join("---" for _ in variables) + "|"]
        lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    return _table(variables, cells)


def format_adhoc(answer: Any, fmt: str) -> str:
    """Render an ad-hoc query's answer.

    Render an ad-hoc query's answer: SELECT as any stored query's; ASK as ``true`` or ``false``
    (JSON: the W3C boolean result); a graph as Turtle (N-Triples for csv, tsv).
    """
    from policing_kg.common.iris import PREFIXES

    data: bytes = answer.data
    if answer.kind == "select":
        return format_result(QueryResult(data), fmt)
    if answer.kind == "ask":
        value = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        if fmt == "json":
            return data.decode("utf-8") + "\n"
        return ("true" if bool(value) else "false") + "\n"
    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    if fmt in ("csv", "tsv"):
        return data.decode("utf-8")
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return (turtle or b"").decode("utf-8")


def _for_people(term: Any) -> str:
    """Write a term as people read it.

    A term as people read it: the graph's IRIs by their path (``gpg-2023/goal/3``,
    ``sdg/16.4``), other IRIs as CURIEs where a prefix fits; literals as written.
    """
    if isinstance(term, ox.NamedNode):
        from policing_kg.crosswalk.links import curie

        short = short_id(term.value)
        return short if short != term.value else curie(term.value)
    return str(term.value)


def _table(variables: Sequence[str], cells: Sequence[Sequence[str]], width: int = 44) -> str:
    """Lay out a table for people, every value whole.

    A table for people: every value whole, long ones wrapped over lines within a column of about
    ``width`` characters (never inside a word, so an IRI stays on one line; passages keep their
    line breaks); rows that take more than one line are set apart by a blank line.
    """
    import textwrap

    def lines_of(value: str) -> list[str]:
        out: list[str] = []
        for part in value.splitlines() or [""]:  # a word (an IRI) is never cut
            out += textwrap.wrap(part, width, break_on_hyphens=False, drop_whitespace=True,
                                 break_long_words=False) or [""]
        return out

    wrapped = [[lines_of(c) for c in row] for row in cells]
    widths = [max([len(v), *(len(line) for row in wrapped for line in row[i])])
              for i, v in enumerate(variables)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    tall = any(len(cell) > 1 for row in wrapped for cell in row)
    out = [line(variables), line(["-" * w for w in widths])]
    for number, row in enumerate(wrapped):
        if tall and number:
            out.append("")
        for depth in range(max((len(cell) for cell in row), default=1)):
            out.append(line([cell[depth] if depth < len(cell) else "" for cell in row]))
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"
