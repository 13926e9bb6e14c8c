"""Remote stores: queries, whether they answer as the release needs, what refusals mean.

Loading a store is :mod:`policing_kg.access.loading`.

The program reaches a network only at the URL the user gives, and every request has a timeout.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from policing_kg.access import DEFAULT_TIMEOUT
from policing_kg.errors import PolicingKGError

__all__ = ["run_remote", "ask", "check_union", "check_version", "refusal", "server_kind", "GRAPHS",
           "DEFAULT_TIMEOUT"]


#: The project's named graphs; a load leaves in the store exactly those of the release.
GRAPHS = "https://w3id.org/policing-kg/graph/"
ONTOLOGY = "https://w3id.org/policing-kg/ontology"
_OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"
_OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"

#: What to set, per store, so that the default graph is the union of the named graphs.
UNION_SETTINGS = {
    "oxigraph": "start the Oxigraph server with `oxigraph serve --union-default-graph`",
    "fuseki": "set `tdb2:unionDefaultGraph true` in the dataset's assembler (Fuseki/TDB2)",
    "graphdb": "GraphDB's default graph is the union of its graphs: check the repository",
    "virtuoso": "Virtuoso's default graph is the union of all graphs unless the endpoint "
                "names a default graph: ask /sparql without default-graph-uri",
}


def refusal(response: Any, doing: str, *, user: str | None, update: bool = False) -> \
        PolicingKGError:
    """Return the one line for a store's refusal: what the status means here, and what to do."""
    from policing_kg.common.http import readable
    from policing_kg.common.text import clean

    where = response.url.split("?")[0] or None
    status = response.status
    said = readable(response.body, response.media_type, 160)
    if status == 401 and user is not None:
        return PolicingKGError(f"the store refused these credentials (HTTP 401, {doing})",
                               where=where, hint="check --user and --password")
    if status == 401:
        return PolicingKGError(f"the store asks for credentials (HTTP 401, {doing})",
                               where=where, hint="give --user and --password (or "
                               "POLICING_KG_USER / POLICING_KG_PASSWORD)")
    if update and (status == 403 or "SR186" in said or "No permission" in said):
        return PolicingKGError(f"this endpoint does not accept updates (HTTP {status}, {doing}"
                               + (f": {said}" if said else "") + ")", where=where,
                               hint="give the store's SPARQL Update URL (Virtuoso: /sparql-auth "
                               "with --user; Oxigraph: /update) and a user allowed to write")
    detail = f": {said}" if said else ""
    if update and 400 <= status < 500:
        return PolicingKGError(f"HTTP {status} {clean(response.reason, 60)} from the store "
                               f"({doing}){detail}", where=where, hint="is it the store's SPARQL "
                               "Update URL? (Oxigraph: /update; Virtuoso: /sparql-auth; Fuseki: "
                               "/DATASET/update); a Graph Store Protocol URL goes with --gsp")
    return PolicingKGError(f"HTTP {status} {clean(response.reason, 60)} from the store "
                           f"({doing}){detail}", where=where,
                           hint="check the endpoint's URL and its logs")


def server_kind(headers: dict[str, str]) -> str:
    """Return the store's kind by its Server header (oxigraph, virtuoso, fuseki, graphdb, '')."""
    server = headers.get("server", "").lower()
    for kind in ("oxigraph", "virtuoso", "fuseki", "graphdb"):
        if kind in server:
            return kind
    return "fuseki" if "jetty" in server else ""


def ask(text: str, endpoint: str, *, user: str | None = None, password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT) -> tuple[bool, str]:
    """Ask ``ASK { PATTERN }`` of an endpoint; return its answer and the store's kind.

    It is sent as ``SELECT (1 AS ?found) WHERE { PATTERN } LIMIT 1``: Virtuoso answers an ASK
    in SPARQL JSON as a binding of ``__ASK_RETVAL``, not as a boolean.
    """
    import pyoxigraph as ox

    from policing_kg.common.http import request

    if not text.startswith("ASK "):
        raise ValueError(text)
    select = f"SELECT (1 AS ?found) WHERE {text[4:]} LIMIT 1"
    response = request("POST", endpoint, body=urllib.parse.urlencode({"query": select}).encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "Accept": "application/sparql-results+json"},
                       timeout=timeout, max_bytes=1024 * 1024, user=user, password=password)
    if response.status >= 400:
        raise refusal(response, "an ASK query", user=user)
    try:
        answer = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.JSON)
        found = isinstance(answer, ox.QuerySolutions) and any(True for _ in answer)
    except (SyntaxError, ValueError, UnicodeDecodeError):
        answer = None
    if not isinstance(answer, ox.QuerySolutions):
        from policing_kg.common.http import readable

        raise PolicingKGError("the endpoint did not answer with SPARQL JSON results ("
                              + readable(response.body, response.media_type, 100) + ")",
                              where=endpoint, hint="is this a SPARQL endpoint's query URL?")
    return found, server_kind(response.headers)


def check_union(endpoint: str, *, user: str | None = None, password: str | None = None,
                timeout: float = DEFAULT_TIMEOUT) -> None:
    """Refuse (exit 2) a store whose default graph is not the union of the release's graphs.

    The stored queries ask the default graph: a store that keeps the named graphs apart would
    answer every one of them with no rows. The probe is the ontology's ``owl:Ontology`` triple,
    which every release holds in its ``ontology`` graph.
    """
    triple = f"<{ONTOLOGY}> a <{_OWL_ONTOLOGY}>"
    in_default, kind = ask(f"ASK {{ {triple} }}", endpoint, user=user, password=password,
                           timeout=timeout)
    if in_default:
        return
    named, kind = ask(f"ASK {{ GRAPH ?g {{ {triple} }} }}", endpoint, user=user,
                      password=password, timeout=timeout)
    if not named:
        raise PolicingKGError("the store does not hold the release (no ontology in any graph)",
                              where=endpoint, hint="load it with `policing-kg load`")
    setting = UNION_SETTINGS.get(kind) or "; or ".join(UNION_SETTINGS[k] for k in (
        "oxigraph", "fuseki"))
    raise PolicingKGError("the store's default graph is not the union of its named graphs, so "
                          "every query would answer with no rows", where=endpoint, hint=setting)


def check_version(endpoint: str, version: str, *, user: str | None = None,
                  password: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Refuse (exit 2) a store that holds another release than the stored queries are of.

    A stored query of one release asked of another may answer with no rows, or with rows that
    are not the release's: the store's ``owl:versionInfo`` of the ontology must be ``version``.
    """
    import json

    text = f"SELECT DISTINCT ?v WHERE {{ <{ONTOLOGY}> <{_OWL_VERSION_INFO}> ?v }}"
    answer = json.loads(run_remote(text, endpoint, user=user, password=password,
                                   timeout=timeout, max_bytes=1024 * 1024))
    held = sorted({b["v"]["value"] for b in answer["results"]["bindings"] if "v" in b})
    if version in held:
        return
    holds = " and ".join(held) if held else "no version"
    raise PolicingKGError(f"the store holds release {holds}, and the stored queries are release "
                          f"{version}'s: their answers could be missing or wrong",
                          where=endpoint, hint=f"load release {version} (`policing-kg load`), "
                          "or ask your own SPARQL (`query --file`)")


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
        raise refusal(response, "a query", user=user)
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
