"""Triple stores: push the release to one, and run stored queries against any endpoint.

Loading uses the SPARQL 1.1 Graph Store Protocol, or SPARQL Update where a store lacks it.

The program reaches a network only at the URL the user gives, and every request has a timeout.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.errors import PolicingKGError

__all__ = ["LoadReport", "load_release", "run_remote", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 60.0
_CHUNK = 1000  # triples per SPARQL Update request


@dataclass(frozen=True)
class LoadReport:
    """What was pushed: triples per named graph, and how."""

    endpoint: str
    method: str
    graphs: dict[str, int]


def _opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(manager),
                     urllib.request.HTTPBasicAuthHandler(manager)]
    return urllib.request.build_opener(*handlers)


def _send(opener: urllib.request.OpenerDirector, request: urllib.request.Request,
          timeout: float) -> None:
    try:
        # the URL's scheme was checked (http or https) before any request is built
        with opener.open(request, timeout=timeout) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        hint = ("give --user and --password (or POLICING_KG_USER / POLICING_KG_PASSWORD)"
                if exc.code in (401, 403) else "check the endpoint's URL and its logs")
        body = exc.read(400).decode("utf-8", "replace").strip().splitlines()
        detail = f": {body[0][:200]}" if body and exc.code not in (401, 403) else ""
        raise PolicingKGError(f"HTTP {exc.code} {exc.reason} from the store{detail}",
                              where=request.full_url.split("?")[0], hint=hint) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PolicingKGError(f"cannot reach the store ({reason})",
                              where=request.full_url.split("?")[0],
                              hint="is it running, and is the URL right?") from None


def _graphs(dist: Path) -> Iterator[tuple[str, list[Any]]]:
    import pyoxigraph as ox

    dump = dist / "policing-kg.nq"
    if not dump.is_file():
        raise PolicingKGError("no release to load", where=str(dump),
                              hint="run `policing-kg build` (or `make`) first")
    graphs: dict[str, list[Any]] = {}
    for quad in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
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

    if not endpoint.startswith(("http://", "https://")):
        raise PolicingKGError(f"not an http(s) URL: {endpoint!r}")
    opener = _opener(endpoint, user, password)
    counts: dict[str, int] = {}
    for graph, triples in _graphs(dist):
        counts[graph] = len(triples)
        if not update:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            url = f"{endpoint}{'&' if '?' in endpoint else '?'}" + urllib.parse.urlencode(
                {"graph": graph})
            request = urllib.request.Request(url, data=body, method="PUT", headers={  # noqa: S310
                "Content-Type": "application/n-triples; charset=utf-8"})
            _send(opener, request, timeout)
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
            request = urllib.request.Request(  # noqa: S310 (the scheme was checked above)
                endpoint, data=urllib.parse.urlencode({"update": statement}).encode(),
                method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
            _send(opener, request, timeout)
    return LoadReport(endpoint, "SPARQL Update" if update else "Graph Store Protocol", counts)


def run_remote(text: str, endpoint: str, *, user: str | None = None, password: str | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> tuple[tuple[str, ...],
                                                          tuple[tuple[str | None, ...], ...]]:
    """Run a SELECT query on a SPARQL 1.1 endpoint (SPARQLWrapper, with a timeout)."""
    from SPARQLWrapper import DIGEST, JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    if not endpoint.startswith(("http://", "https://")):
        raise PolicingKGError(f"not an http(s) URL: {endpoint!r}")
    client = SPARQLWrapper(endpoint)
    client.setQuery(text)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(int(max(1, timeout)))
    if user is not None:
        client.setHTTPAuth(DIGEST)
        client.setCredentials(user, password or "")
    try:
        data = client.queryAndConvert()
    except SPARQLWrapperException as exc:
        raise PolicingKGError(f"the endpoint refused the query: {str(exc).splitlines()[0]}",
                              where=endpoint) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PolicingKGError(f"cannot reach the endpoint ({getattr(exc, 'reason', exc)})",
                              where=endpoint, hint="is it running, and is the URL right?") from None
    if not isinstance(data, dict) or "results" not in data:
        raise PolicingKGError("the endpoint did not answer with SPARQL JSON results",
                              where=endpoint)
    variables = tuple(data["head"]["vars"])
    rows = tuple(tuple(binding.get(v, {}).get("value") for v in variables)
                 for binding in data["results"]["bindings"])
    return variables, rows
