"""Load a triple store with the release: all of it or none of it, then check it.

1. **Probe** (each request bounded to 15 s): a one-triple ``INSERT DATA`` into a probe graph
   through the SPARQL Update URL, an ``ASK`` for it through the query URL (the same URL unless
   ``--query`` is given), in its graph and in the default graph; with ``--gsp``, a one-triple
   ``PUT`` too. A query URL given for updates, a Graph Store URL answering with a help page, a
   read-only endpoint, wrong credentials, a store whose default graph is not the union of its
   graphs: each is one line before anything of the release is written.
2. **Stage**: every graph of the release goes into a staging graph of its own
   (``…/graph/staging/TOKEN/…``), by ``INSERT DATA`` chunks or by the Graph Store Protocol.
3. **Switch**: one SPARQL Update request moves every staging graph into place
   (``MOVE <staging> TO <graph>``) and drops the project's graphs that the release does not
   have (``--keep-other-graphs`` keeps them; stale staging graphs are always dropped).
4. **Check**: the store's triple count per graph must be the release's ``void:triples``, and
   its default graph the union of the graphs.

A failure while probing or staging leaves the store's graphs as they were: the staging graphs
are dropped (best effort; the next load drops any left). The switch is one request: a store
that runs a request as one transaction (Oxigraph, Jena TDB2) applies all of it or nothing;
Virtuoso does not roll a request back when an operation in it fails (measured: see
docs/operators.md), so there a switch that fails midway can leave part of it applied.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policing_kg.access import DEFAULT_TIMEOUT
from policing_kg.access.stores import GRAPHS, UNION_SETTINGS, ask, refusal
from policing_kg.errors import PolicingKGError

__all__ = ["LoadReport", "LoadCheckFailed", "Release", "read_release", "load_release",
           "STAGING"]

STAGING = GRAPHS + "staging/"
_CHUNK = 1000  # triples per INSERT DATA request
_PROBE_TIMEOUT = 15.0
_VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"


class LoadCheckFailed(PolicingKGError):
    """The store, after loading, does not hold what the release's void.ttl says (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Release:
    """A release as a store should hold it: triples per graph, and void.ttl's counts."""

    version: str
    graphs: dict[str, list[Any]]
    counts: dict[str, int]


@dataclass
class LoadReport:
    """What was loaded, where, how; and what was dropped."""

    endpoint: str
    method: str
    version: str
    graphs: dict[str, int]
    dropped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the summary line (the graphs were told one by one as they went)."""
        return [f"loaded {sum(self.graphs.values())} triples in {len(self.graphs)} named graphs "
                f"to {self.endpoint} ({self.method}): release {self.version}, checked"]


def read_release(dist: Path) -> Release:
    """Read the release's quads and void.ttl (both checked against SHA256SUMS); they agree."""
    import pyoxigraph as ox

    from policing_kg.common.reading import read_dump

    dump, void = dist / "policing-kg.nq", dist / "void.ttl"
    if not dump.is_file() or not void.is_file():
        raise PolicingKGError("no release to load (policing-kg.nq and void.ttl)", where=str(dist),
                              hint="run `policing-kg build` (or `make`) first, or give --dist")
    counts: dict[str, int] = {}
    version = ""
    for triple in read_dump(void, "TURTLE"):
        subject = getattr(triple.subject, "value", "")
        if triple.predicate.value == _VOID_TRIPLES and subject.startswith(GRAPHS):
            counts[subject] = int(triple.object.value)
        elif triple.predicate.value == _VERSION and isinstance(triple.object, ox.Literal):
            version = triple.object.value
    graphs: dict[str, list[Any]] = {graph: [] for graph in counts}
    for quad in read_dump(dump):
        name = getattr(quad.graph_name, "value", "")
        if name not in graphs:
            raise PolicingKGError("the dump has a graph void.ttl does not list: "
                                  + (name or "the default graph"), where=str(dump),
                                  hint="rebuild the release")
        graphs[name].append(quad.triple)
    for graph, triples in graphs.items():
        if len(triples) != counts[graph]:
            raise PolicingKGError(f"void.ttl gives {counts[graph]} triples for {graph}, the dump "
                                  f"holds {len(triples)}", where=str(dump),
                                  hint="rebuild the release")
    if not counts or not version:
        raise PolicingKGError("void.ttl gives no graphs or no version", where=str(void))
    return Release(version, graphs, counts)


def _has_blank(triple: Any) -> bool:
    return any(type(term).__name__ == "BlankNode" for term in (triple.subject, triple.object))


def _ntriples(triples: list[Any]) -> str:
    import pyoxigraph as ox

    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


class _Store:
    """One store: its Update URL, its query URL, perhaps its Graph Store URL, the credentials."""

    def __init__(self, endpoint: str, query: str, gsp: str | None, user: str | None,
                 password: str | None, timeout: float) -> None:
        self.endpoint, self.query, self.gsp = endpoint, query, gsp
        self.user, self.password, self.timeout = user, password, timeout

    def update(self, text: str, doing: str, timeout: float | None = None) -> None:
        from policing_kg.common.http import request

        response = request("POST", self.endpoint,
                           body=urllib.parse.urlencode({"update": text}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           timeout=timeout or self.timeout, max_bytes=1024 * 1024,
                           user=self.user, password=self.password)
        if response.status >= 400:
            raise refusal(response, doing, user=self.user, update=True)

    def put(self, graph: str, triples: str, doing: str, timeout: float | None = None) -> None:
        from policing_kg.common.http import request

        assert self.gsp is not None
        url = (f"{self.gsp}{'&' if '?' in self.gsp else '?'}"
               + urllib.parse.urlencode({"graph": graph}))
        response = request("PUT", url, body=triples.encode("utf-8"),
                           headers={"Content-Type": "application/n-triples; charset=utf-8"},
                           timeout=timeout or self.timeout, max_bytes=1024 * 1024,
                           user=self.user, password=self.password)
        if response.status >= 400:
            raise refusal(response, doing, user=self.user, update=True)

    def ask(self, text: str, timeout: float | None = None) -> tuple[bool, str]:
        return ask(text, self.query, user=self.user, password=self.password,
                   timeout=timeout or self.timeout)

    def select(self, text: str) -> list[dict[str, str]]:
        import pyoxigraph as ox

        from policing_kg.access.stores import run_remote

        body = run_remote(text, self.query, user=self.user, password=self.password,
                          timeout=self.timeout)
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]

    def drop(self, graphs: list[str]) -> bool:
        """Drop graphs, best effort (for cleaning up); whether it worked."""
        if not graphs:
            return True
        try:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs), "dropping "
                        "staging graphs", timeout=min(self.timeout, _PROBE_TIMEOUT))
        except PolicingKGError:
            return False
        return True


def _probe(store: _Store, staging: str, asked_query: bool) -> None:
    """Make sure, with a triple of our own, that updates land where queries see them."""
    graph, token = staging + "probe", os.urandom(8).hex()
    triple = f'<{graph}> <{graph}> "{token}"'
    bound = min(store.timeout, _PROBE_TIMEOUT)
    try:
        store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}",
                     "a first one-triple update", timeout=bound)
    except PolicingKGError as exc:
        if exc.what.startswith("no complete answer"):
            raise PolicingKGError(f"no answer to a one-triple update within {bound:g} s",
                                  where=store.endpoint, hint="is it the store's SPARQL Update "
                                  "URL? (Oxigraph: /update; Virtuoso: /sparql-auth)") from None
        raise
    try:
        try:
            seen, kind = store.ask(f"ASK {{ GRAPH <{graph}> {{ {triple} }} }}", timeout=bound)
        except PolicingKGError as exc:
            if asked_query:
                raise
            raise PolicingKGError(f"the URL took an update but answers no query ({exc.what})",
                                  where=store.endpoint, hint="if it is the store's SPARQL Update "
                                  "URL, give its query URL too (--query; Oxigraph: /query); a "
                                  "Graph Store Protocol URL goes with --gsp") from None
        if not seen:
            raise PolicingKGError("the store answered a one-triple update but does not hold "
                                  "the triple", where=store.endpoint, hint="give the store's "
                                  "SPARQL Update URL (Virtuoso's /sparql-graph-crud-auth answers "
                                  "updates with a help page: use /sparql-auth), and a --query "
                                  "URL of the same store")
        union, kind = store.ask(f"ASK {{ {triple} }}", timeout=bound)
        if not union:
            raise PolicingKGError("the store's default graph is not the union of its named "
                                  "graphs, so every stored query would answer with no rows",
                                  where=store.query, hint=UNION_SETTINGS.get(kind) or
                                  "; or ".join(UNION_SETTINGS[k] for k in ("oxigraph", "fuseki")))
        if store.gsp is not None:
            try:
                store.put(graph, f'<{graph}> <{graph}> "{token}-gsp" .\n',
                          "a first one-triple Graph Store Protocol PUT", timeout=bound)
            except PolicingKGError as exc:
                raise PolicingKGError(f"the Graph Store Protocol URL failed a one-triple PUT "
                                      f"({exc.what})", where=store.gsp, hint="is it the store's "
                                      "Graph Store Protocol URL? (Oxigraph: /store; Virtuoso: "
                                      "/sparql-graph-crud-auth)") from None
            if not store.ask(f'ASK {{ GRAPH <{graph}> {{ <{graph}> <{graph}> "{token}-gsp" }} }}',
                             timeout=bound)[0]:
                raise PolicingKGError("the Graph Store Protocol URL accepted a PUT that the "
                                      "store does not hold", where=store.gsp,
                                      hint="give the Graph Store Protocol URL of the same store")
    finally:
        store.drop([graph])


def _stage(store: _Store, staged: str, triples: list[Any]) -> None:
    if store.gsp is not None:
        store.put(staged, _ntriples(triples), "staging a graph")
        return
    # Blank nodes keep their identity only within one request, and Virtuoso refuses them in
    # INSERT DATA: the triples with blank nodes go together in one INSERT {...} WHERE {}.
    blank = [t for t in triples if _has_blank(t)]
    rest = [t for t in triples if not _has_blank(t)]
    if blank:
        store.update(f"INSERT {{ GRAPH <{staged}> {{\n{_ntriples(blank)}}} }} WHERE {{}}",
                     "staging a graph")
    for start in range(0, len(rest), _CHUNK):
        store.update(f"INSERT DATA {{ GRAPH <{staged}> {{\n"
                     f"{_ntriples(rest[start : start + _CHUNK])}}} }}", "staging a graph")


def load_release(dist: Path, endpoint: str, *, query: str | None = None, gsp: str | None = None,
                 keep_other_graphs: bool = False, user: str | None = None,
                 password: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 say: Callable[[str], None] = print) -> LoadReport:
    """Replace the project's graphs in a store by the release's, all or nothing; check them.

    ``endpoint`` is the store's SPARQL Update URL; ``query`` its query URL (default: the same);
    ``gsp`` its Graph Store Protocol URL, to stage the graphs by ``PUT`` rather than by
    ``INSERT DATA``. ``say`` is told a line per step as it goes.
    """
    from policing_kg.common.http import check_timeout, check_url

    for url in (endpoint, query, gsp):
        if url is not None:
            check_url(url)
    check_timeout(timeout)
    release = read_release(dist)
    store = _Store(endpoint, query or endpoint, gsp, user, password, timeout)
    staging = f"{STAGING}{os.urandom(6).hex()}/"
    _probe(store, staging, query is not None)
    there = {row["g"] for row in store.select(
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '
        f'"{GRAPHS}")) }}')}
    held = store.select(f"SELECT ?v WHERE {{ GRAPH <{GRAPHS}metadata> {{ ?d <{_VERSION}> ?v }} }}")
    versions = ", ".join(sorted({row["v"] for row in held if "v" in row}))
    say(f"release {release.version} to {endpoint}; the store holds "
        + (f"release {versions}" if versions else f"{len(there) or 'none'} of its graphs"))
    staged: list[str] = []
    moves: dict[str, str] = {}
    for graph, triples in release.graphs.items():
        if not triples:
            continue
        target = staging + graph[len(GRAPHS):]
        staged.append(target)
        try:
            _stage(store, target, triples)
        except PolicingKGError as exc:
            cleaned = store.drop(staged)
            raise PolicingKGError(
                f"load failed while staging {graph} ({exc.what}); nothing was moved into place, "
                "the store's graphs are as they were"
                + ("" if cleaned else " (its staging graphs could not be dropped: the next load "
                   "drops them)"), where=exc.where, hint=exc.hint) from None
        moves[graph] = target
        say(f"staged {len(triples):>6} triples  {graph}")
    others = sorted(g for g in there - set(release.graphs)
                    if not keep_other_graphs or g.startswith(STAGING))
    statements = [f"MOVE <{moves[g]}> TO <{g}>" if g in moves else f"DROP SILENT GRAPH <{g}>"
                  for g in release.graphs]
    statements += [f"DROP SILENT GRAPH <{g}>" for g in others]
    try:
        store.update(" ;\n".join(statements), "moving the staged graphs into place")
    except PolicingKGError as exc:
        store.drop(staged)
        raise PolicingKGError(
            f"load failed at the switch, the one request that moves the staged graphs into place "
            f"({exc.what}); a store that runs a request as one transaction (Oxigraph, Jena TDB2) "
            "is as it was; Virtuoso may hold part of it", where=exc.where,
            hint="load again once the store answers") from None
    for graph in release.graphs:
        say(f"moved into place  {graph}" if graph in moves else f"emptied  {graph}")
    for graph in others:
        if not graph.startswith(STAGING):
            say(f"dropped  {graph} (not in release {release.version})")
    _check(store, release, keep_other_graphs)
    say("checked: each graph holds the triples void.ttl gives, the default graph is their union")
    return LoadReport(endpoint, "Graph Store Protocol, then one SPARQL Update" if gsp else
                      "SPARQL Update", release.version, dict(release.counts),
                      [g for g in others if not g.startswith(STAGING)])


def _check(store: _Store, release: Release, keep_other_graphs: bool) -> None:
    """Check each project graph's triple count against void.ttl, and the union graph."""
    rows = store.select(f'SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER('
                        f'STRSTARTS(STR(?g), "{GRAPHS}")) }} GROUP BY ?g')
    held = {row["g"]: int(row["n"]) for row in rows}
    for graph in sorted(set(held) | set(release.counts)):
        expected = release.counts.get(graph)
        if expected is None and (keep_other_graphs and not graph.startswith(STAGING)):
            continue
        if held.get(graph, 0) != (expected or 0):
            raise LoadCheckFailed(f"after loading, {graph} holds {held.get(graph, 0)} triples; "
                                  f"release {release.version}'s void.ttl says {expected or 0}",
                                  where=store.query, hint="load again; if it persists, the store "
                                  "changes triples as it stores them (report it)")
    from policing_kg.access.stores import check_union

    check_union(store.query, user=store.user, password=store.password, timeout=store.timeout)
