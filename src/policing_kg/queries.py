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
from typing import Any

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
    "catalogue_triples",
    "search_pattern",
    "run_query_remote",
    "FORMATS",
]

FORMATS = ("table", "csv", "json", "markdown")
_HEADER = re.compile(r"^#\s*([a-z]+):\s*(.*)$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PARAM = re.compile(r"^([a-z_][a-z0-9_]*)\s+(iri|string|integer|language|search)\s+(.+)$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_UNFOLD = dict(zip("àâäéèêëîïôöùûüÿçœ’", "aaaeeeeiioouuuyc_'", strict=True))
_REGEX_SPECIAL = set("\\.?*+{}()[]^$|-")


def search_pattern(text: str) -> str:
    r"""Return an ASCII regular expression that finds ``text`` whatever its case and accents.

    The queries fold every accented letter (and the typographic apostrophe) of a label to
    ``_`` with one ``REPLACE``, then match this pattern case-insensitively: a plain ASCII
    pattern behaves alike on every store (Virtuoso mishandles non-ASCII patterns).

    >>> search_pattern("Coopé l’a")
    "[c_][o_][o_]p[e_]\\s+l['_][a_]"
    """
    folded = " ".join("".join(_UNFOLD.get(c, c) for c in text.lower()).split())
    parts = []
    index = 0
    while index < len(folded):
        char = folded[index]
        if folded.startswith("oe", index):
            parts.append("(oe|_)")
            index += 2
            continue
        if char in "aeiouyc":
            parts.append(f"[{char}_]")
        elif char == "'":
            parts.append("['_]")
        elif char == "_":
            parts.append("_")
        elif char == " ":
            parts.append("\\s+")
        elif char in _REGEX_SPECIAL:
            parts.append("\\" + char)
        elif ord(char) > 127:
            parts.append(".")
        else:
            parts.append(char)
        index += 1
    return "".join(parts)


_SKELETON = set("aeiouycàâäéèêëîïôöùûüÿçœ’'_")


def search_needle(text: str) -> str:
    """Return the longest word of ``text`` with its vowels, c, y and apostrophes as ``_``.

    A label can match :func:`search_pattern` only if its own skeleton (the same letters
    replaced, lower case) contains this needle: the stored queries test it with ``CONTAINS``
    first, which is cheap, and run the regular expression on the few labels left.

    >>> search_needle("Coopé internationale")
    '_nt_rn_t__n_l_'
    """
    pieces = []
    folded = text.lower()
    for word in folded.split():
        for piece in word.split("oe"):  # "oe" may be the one letter œ in a label
            current = ""
            for char in piece:
                if char in _SKELETON:
                    current += "_"
                elif ord(char) > 127 and char not in _UNFOLD:  # the pattern's "."
                    pieces.append(current)
                    current = ""
                else:
                    current += char
            pieces.append(current)
    return max(pieces, key=len, default="")


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
    try:
        if not path.is_file():
            raise PolicingKGError("a stored query that is not a file (a folder, or a link to "
                                  "nothing)", where=str(path), hint="remove it or make it a .rq "
                                  "file")
        data = path.read_bytes()
        if len(data) > 1024 * 1024:
            raise PolicingKGError("a stored query over 1 MB", where=str(path))
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data.count(b"\n", 0, exc.start) + 1
        raise PolicingKGError(f"not UTF-8 (byte 0x{data[exc.start]:02x})",
                              where=f"{path}:{at}", hint="save the query as UTF-8") from None
    except OSError as exc:
        raise PolicingKGError(f"cannot read the stored query ({exc.strerror})",
                              where=str(path)) from None
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
        if not re.fullmatch(r"[+-]?\d+", value):
            raise PolicingKGError(f"parameter {parameter.name}: {value!r} is not an integer")
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if parameter.type == "search":
        if not value.strip() or len(value) > 200:
            raise PolicingKGError(f"parameter {parameter.name}: give 1 to 200 characters")
        return ox.Literal(search_pattern(value))
    if parameter.type == "language":
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", value):
            raise PolicingKGError(f"parameter {parameter.name}: {value!r} is not a language tag")
        return ox.Literal(value)
    return ox.Literal(value)


def open_store(dist: Path) -> object:
    """Load the release's N-Quads dump (checked against SHA256SUMS) into a pyoxigraph store."""
    import pyoxigraph as ox

    from policing_kg.rdf.reading import read_dump

    dump = dist / "policing-kg.nq"
    if not dump.is_file():
        raise PolicingKGError("no release to query", where=str(dump),
                              hint="run `policing-kg build` (or `make`) first")
    store = ox.Store()
    store.bulk_extend(read_dump(dump))
    return store


def bind_parameters(query: StoredQuery, params: Mapping[str, str]) -> str:
    """Return the query text with its parameters bound by a ``VALUES`` block.

    Each value is type-checked and made an RDF term by pyoxigraph, whose serialisation escapes
    it: no user text is ever pasted into the query as SPARQL. The block opens the first
    ``WHERE {`` (inline data is SPARQL 1.1 and binds before anything is joined, on every
    engine; a trailing ``VALUES`` is not read the same way by all stores).
    """
    if not params:
        return query.text
    import pyoxigraph as ox

    known = {p.name: p for p in query.parameters}
    names = sorted(params)
    terms = [str(_bind(known[name], params[name])) for name in names]
    bound = list(names)
    for name in names:  # a search also binds its needle (see search_needle)
        if known[name].type == "search":
            bound.append(f"{name}_needle")
            terms.append(str(ox.Literal(search_needle(params[name]))))
    variables = " ".join(f"?{name}" for name in bound)
    block = f"\n  VALUES ({variables}) {{ ({' '.join(terms)}) }}"
    offset = 0
    for line in query.text.splitlines(keepends=True):
        match = None if line.lstrip().startswith("#") else _WHERE.search(line)
        if match:
            at = offset + match.end()
            return query.text[:at] + block + query.text[at:]
        offset += len(line)
    raise PolicingKGError(f"query {query.name} has parameters but no 'WHERE {{'",
                          where=str(query.path))


def _check_parameters(query: StoredQuery, params: Mapping[str, str]) -> None:
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


def run_query(query: StoredQuery, params: Mapping[str, str], store: object) -> QueryResult:
    """Run a stored query on the embedded store with its parameters bound as RDF terms."""
    import pyoxigraph as ox

    _check_parameters(query, params)
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


def run_query_remote(query: StoredQuery, params: Mapping[str, str], endpoint: str, *,
                     user: str | None = None, password: str | None = None,
                     timeout: float = 60.0) -> QueryResult:
    """Run a stored query on a SPARQL 1.1 endpoint, parameters bound as on the embedded store."""
    from policing_kg.stores import run_remote

    _check_parameters(query, params)
    variables, rows = run_remote(bind_parameters(query, params), endpoint, user=user,
                                 password=password, timeout=timeout)
    return QueryResult(variables, rows)


def catalogue_triples(catalogue: Mapping[str, StoredQuery]) -> list[tuple[Any, Any, Any]]:
    """Describe the stored queries in RDF, as SHACL SPARQL executables (as SIB's examples do)."""
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib.namespace import DCTERMS, SH, SKOS

    from policing_kg.iris import PKG, QUERY

    triples: list[tuple[Any, Any, Any]] = []
    for query in catalogue.values():
        node = URIRef(QUERY + query.name)
        triples += [
            (node, RDF.type, SH.SPARQLExecutable),
            (node, RDF.type, SH.SPARQLSelectExecutable),
            (node, DCTERMS.identifier, Literal(query.name)),
            (node, RDFS.label, Literal(query.title, lang="en")),
            (node, RDFS.comment, Literal(query.description, lang="en")),
            (node, SH.select, Literal(query.text)),
        ]
        triples += [(node, SKOS.example, Literal(example)) for example in query.examples]
        for parameter in query.parameters:
            described = URIRef(f"{node}/parameter/{parameter.name}")
            triples += [
                (node, PKG.parameter, described),
                (described, RDF.type, PKG.QueryParameter),
                (described, RDFS.label, Literal(parameter.name)),
                (described, PKG.parameterType, Literal(parameter.type)),
                (described, RDFS.comment, Literal(parameter.description, lang="en")),
            ]
    return triples


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
    from policing_kg.reports import _safe  # what a terminal must not be given as is

    cells = [["" if v is None else _safe(v) for v in row] for row in result.rows]
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
