"""Stored SPARQL queries (``queries/*.rq``): metadata, typed parameters, and running them.

They run on the embedded store (pyoxigraph, loaded from the release dumps).

Parameters are bound as RDF terms (SPARQL substitutions), never pasted into the query text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from policing_kg.errors import PolicingKGError
from policing_kg.iris import ID

__all__ = [
    "QueryParameter",
    "StoredQuery",
    "QueryResult",
    "load_catalogue",
    "open_store",
    "run_query",
    "format_result",
    "bind_parameters",
    "FORMATS",
]

FORMATS = ("table", "csv", "json", "markdown")
_HEADER = re.compile(r"^#\s*([a-z]+):\s*(.*)$")
_PARAM = re.compile(r"^([a-z_][a-z0-9_]*)\s+(iri|string|integer|language)\s+(.+)$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


@dataclass(frozen=True)
class QueryParameter:
    """A typed query parameter: the variable it binds, its type and what it means."""

    name: str
    type: str
    description: str


@dataclass(frozen=True)
class StoredQuery:
    """A query of the catalogue with its metadata header."""

    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[QueryParameter, ...]
    examples: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class QueryResult:
    """A SELECT result: variable names and rows of values (``None`` where unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def _parse(path: Path) -> StoredQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            meta.setdefault(match.group(1), []).append(match.group(2).strip())
    if "title" not in meta or "description" not in meta:
        raise PolicingKGError("a stored query needs '# title:' and '# description:' lines",
                              where=str(path))
    parameters = []
    for spec in meta.get("param", []):
        match = _PARAM.match(spec)
        if not match:
            raise PolicingKGError(f"malformed parameter {spec!r}", where=str(path),
                                  hint="write '# param: NAME TYPE description' "
                                  "(TYPE: iri, string, integer, language)")
        parameters.append(QueryParameter(*match.groups()))
    return StoredQuery(path.stem, path, meta["title"][0], meta["description"][0],
                       tuple(parameters), tuple(meta.get("example", [])), text)


def load_catalogue(directory: Path) -> dict[str, StoredQuery]:
    """Read every ``*.rq`` of ``queries/``, by name (the file's stem)."""
    return {path.stem: _parse(path) for path in sorted(directory.glob("*.rq"))}


def _bind(parameter: QueryParameter, value: str) -> object:
    import pyoxigraph as ox

    if parameter.type == "iri":
        try:
            if _IRI.match(value):
                return ox.NamedNode(value)
            if _ID.match(value) and ".." not in value:
                return ox.NamedNode(str(ID) + value)
        except ValueError:
            pass
        raise PolicingKGError(f"parameter {parameter.name}: {value!r} is not an IRI or an id",
                              hint="give an absolute IRI or an id such as gpg-2023")
    if parameter.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise PolicingKGError(f"parameter {parameter.name}: {value!r} is not an integer")
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if parameter.type == "language":
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", value):
            raise PolicingKGError(f"parameter {parameter.name}: {value!r} is not a language tag")
        return ox.Literal(value)
    return ox.Literal(value)


def open_store(dist: Path) -> object:
    """Load the release's N-Quads dump into an in-memory pyoxigraph store."""
    import pyoxigraph as ox

    dump = dist / "policing-kg.nq"
    if not dump.is_file():
        raise PolicingKGError("no release to query", where=str(dump),
                              hint="run `policing-kg build` (or `make`) first")
    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    return store


def bind_parameters(query: StoredQuery, params: Mapping[str, str]) -> str:
    """Return the query text with its parameters bound by a trailing ``VALUES`` block.

    Each value is type-checked and made an RDF term by pyoxigraph, whose serialisation escapes
    it: no user text is ever pasted into the query as SPARQL. A trailing ``VALUES`` is SPARQL 1.1
    and so works on any endpoint, unlike engine-specific substitution APIs.
    """
    if not params:
        return query.text
    known = {p.name: p for p in query.parameters}
    names = sorted(params)
    terms = [str(_bind(known[name], params[name])) for name in names]
    variables = " ".join(f"?{name}" for name in names)
    return f"{query.text.rstrip()}\nVALUES ({variables}) {{ ({' '.join(terms)}) }}\n"


def run_query(query: StoredQuery, params: Mapping[str, str], store: object) -> QueryResult:
    """Run a stored query on the store with its parameters bound as RDF terms."""
    import pyoxigraph as ox

    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        valid = ", ".join(known) or "none"
        raise PolicingKGError(f"query {query.name} has no parameter {unknown[0]!r}",
                              hint=f"its parameters: {valid}")
    missing = [name for name in known if name not in params]
    if missing:
        raise PolicingKGError(f"query {query.name} needs --param {missing[0]}=…",
                              hint=known[missing[0]].description)
    assert isinstance(store, ox.Store)
    solutions = store.query(bind_parameters(query, params), use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    variables = tuple(v.value for v in solutions.variables)
    rows = []
    for solution in solutions:
        row = []
        for variable in solutions.variables:
            term = solution[variable]
            row.append(None if term is None else term.value)
        rows.append(tuple(row))
    return QueryResult(variables, tuple(rows))


def format_result(result: QueryResult, fmt: str) -> str:
    """Render a result as a text table, CSV, JSON (SPARQL-like bindings) or Markdown."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        return buffer.getvalue()
    if fmt == "json":
        rows = [{k: v for k, v in zip(result.variables, row, strict=True) if v is not None}
                for row in result.rows]
        return json.dumps({"variables": list(result.variables), "rows": rows},
                          ensure_ascii=False, indent=2) + "\n"
    cells = [["" if v is None else v for v in row] for row in result.rows]
    if fmt == "markdown":
        def escape(value: str) -> str:
            return value.replace("|", "\\|")
        lines = ["| " + " | ".join(result.variables) + " |",
                 "|" + "|".join("---" for _ in result.variables) + "|"]
        lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    return _table(result.variables, cells)


def _table(variables: Sequence[str], cells: Sequence[Sequence[str]], width: int = 60) -> str:
    def clip(value: str) -> str:
        return value if len(value) <= width else value[: width - 1] + "…"

    clipped = [[clip(c) for c in row] for row in cells]
    widths = [max([len(v), *(len(row[i]) for row in clipped)]) for i, v in enumerate(variables)]
    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()
    out = [line(variables), line(["-" * w for w in widths])]
    out += [line(row) for row in clipped]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"
