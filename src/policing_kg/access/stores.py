"""Triple stores: push the release to one, and run stored queries against any endpoint.

Loading uses the SPARQL 1.1 Graph Store Protocol, or SPARQL Update where a store lacks it.

The program reaches a network only at the URL the user gives, and every request has a timeout.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.access import DEFAULT_TIMEOUT
from policing_kg.errors import PolicingKGError

__all__ = ["LoadReport", "load_release", "run_remote", "DEFAULT_TIMEOUT"]

_CHUNK = 1000  # triples per SPARQL Update request


@dataclass(frozen=True)
class LoadReport:
    """What was pushed: triples per named graph, and how."""

    endpoint: str
    method: str
    graphs: dict[str, int]

    def lines(self) -> list[str]:
        """Return a line per graph, and the total."""
        return [*(f"{count:>6} triples  {graph}" for graph, count in self.graphs.items()),
                f"loaded {sum(self.graphs.values())} triples in {len(self.graphs)} named "
                f"graphs to {self.endpoint} ({self.method})"]


def _send(method: str, url: str, body: bytes, content_type: str, *, user: str | None,
          password: str | None, timeout: float) -> None:
    from policing_kg.common.http import request
    from policing_kg.common.text import clean

    response = request(method, url, body=body, headers={"Content-Type": content_type},
                       timeout=timeout, max_bytes=1024 * 1024, user=user, password=password)
    if response.status >= 400:
        where = url.split("?")[0]
        hint = ("give --user and --password (or POLICING_KG_USER / POLICING_KG_PASSWORD)"
                if response.status in (401, 403) else "check the endpoint's URL and its logs")
        text = clean(response.body[:400].decode("utf-8", "replace"))
        detail = f": {text}" if text and response.status not in (401, 403) else ""
        raise PolicingKGError(f"HTTP {response.status} {clean(response.reason, 60)} from the "
                              f"store{detail}", where=where, hint=hint)


def _graphs(dist: Path) -> Iterator[tuple[str, list[Any]]]:
    dump = dist / "policing-kg.nq"
    if not dump.is_file():
        raise PolicingKGError("no release to load", where=str(dump),
                              hint="run `policing-kg build` (or `make`) first")
    from policing_kg.common.reading import read_dump

    graphs: dict[str, list[Any]] = {}
    for quad in read_dump(dump):
        name = getattr(quad.graph_name, "value", "")
        graphs.setdefault(name, []).append(quad.triple)
    yield from graphs.items()


def _has_blank(triple: Any) -> bool:
    return any(type(term).__name__ == "BlankNode" for term in (triple.subject, triple.object))


def load_release(dist: Path, endpoint: str, *, update: bool = False, user: str | None = None,
                 password: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> LoadReport:
    """Push every named graph of the release to a store, replacing what those graphs held.

    With ``update=False``, ``endpoint`` is a Graph Store Protocol URL and each graph is sent
    with ``PUT ?graph=IRI`` as N-Triples; with ``update=True``, it is a SPARQL Update URL and
    each graph is cleared and filled with ``INSERT DATA`` in chunks.
    """
    import pyoxigraph as ox

    from policing_kg.common.http import check_timeout, check_url

    check_url(endpoint)
    check_timeout(timeout)
    counts: dict[str, int] = {}
    for graph, triples in _graphs(dist):
        counts[graph] = len(triples)
        if not update:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            url = f"{endpoint}{'&' if '?' in endpoint else '?'}" + urllib.parse.urlencode(
                {"graph": graph})
            _send("PUT", url, body or b"", "application/n-triples; charset=utf-8", user=user,
                  password=password, timeout=timeout)
            continue
        statements = [f"DROP SILENT GRAPH <{graph}>"]
        # Blank nodes keep their identity only within one request, and some stores (Virtuoso)
        # refuse them in INSERT DATA: the triples with blank nodes go together in one
        # INSERT {...} WHERE {} template; the others in INSERT DATA chunks.
        blank = [t for t in triples if _has_blank(t)]
        rest = [t for t in triples if not _has_blank(t)]
        if blank:
            text = (ox.serialize(blank, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
            statements.append(f"INSERT {{ GRAPH <{graph}> {{\n{text}}} }} WHERE {{}}")
        for start in range(0, len(rest), _CHUNK):
            text = (ox.serialize(rest[start : start + _CHUNK], format=ox.RdfFormat.N_TRIPLES)
                    or b"").decode("utf-8")
            statements.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{text}}} }}")
        for statement in statements:
            _send("POST", endpoint, urllib.parse.urlencode({"update": statement}).encode(),
                  "application/x-www-form-urlencoded", user=user, password=password,
                  timeout=timeout)
    return LoadReport(endpoint, "SPARQL Update" if update else "Graph Store Protocol", counts)


def run_remote(text: str, endpoint: str, *, user: str | None = None, password: str | None = None,
               timeout: float = DEFAULT_TIMEOUT, max_bytes: int = 256 * 1024 * 1024) -> bytes:
    """Run a SELECT query on a SPARQL 1.1 endpoint; return its SPARQL Results JSON, checked.

    SPARQLWrapper writes the request (the protocol's parameters and headers); the bounded
    client of :mod:`policing_kg.common.http` sends it, with one total deadline and a size cap;
    pyoxigraph reads the answer, strictly.
    """
    import warnings

    import pyoxigraph as ox
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    from policing_kg.common.http import check_url, request
    from policing_kg.common.text import clean

    check_url(endpoint)
    with warnings.catch_warnings():  # SPARQLWrapper warns on stderr: one line is the rule
        warnings.simplefilter("ignore")
        client = SPARQLWrapper(endpoint)
        client.setQuery(text)
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        prepared = client._createRequest()  # the request as the protocol wants it
    headers = {k: v for k, v in prepared.header_items()}
    response = request("POST", prepared.full_url, body=prepared.data,  # type: ignore[arg-type]
                       headers=headers, timeout=timeout, max_bytes=max_bytes, user=user,
                       password=password)
    if response.status >= 400:
        detail = clean(response.body[:400].decode("utf-8", "replace"))
        raise PolicingKGError(f"the endpoint refused the query: HTTP {response.status}"
                              + (f": {detail}" if detail else ""), where=endpoint)
    try:
        solutions = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(solutions, ox.QuerySolutions):
            raise SyntaxError("a boolean answer, not solutions")
        variables = list(solutions.variables)
        for _ in solutions:  # read it all: a bad binding anywhere is refused now
            pass
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        raise PolicingKGError("the endpoint did not answer with SPARQL JSON results "
                              f"({clean(str(exc), 120)})", where=endpoint,
                              hint="is this a SPARQL endpoint's query URL?") from None
    del variables
    return response.body
