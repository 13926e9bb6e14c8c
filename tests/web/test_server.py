"""`policing-kg serve` with a plain HTTP client: content negotiation of every kind of IRI, the
SPARQL 1.1 Protocol's rules (methods, parameters, status codes, media types), the limits, and
the answers of every stored query over /sparql equal to the embedded store's."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from policing_kg.web.site import SiteResult

from ..access.parity import assert_same_answers
from ..conftest import ID, PKG
from .conftest import Server

GOAL = "/id/gpg-2023/goal/3"


def request(server: Server, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(server.base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def sparql_get(server: Server, query: str, accept: str = "") -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": accept} if accept else {}
    return request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                   headers=headers)


SELECT = f"SELECT ?goal WHERE {{ ?goal a <{PKG}StrategicGoal> }} ORDER BY ?goal"


@pytest.mark.parametrize(("accept", "suffix", "parser"), [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html", None),
    ("text/turtle", "ttl", "turtle"),
    ("application/n-triples", "nt", "nt"),
    ("application/ld+json", "jsonld", "json-ld"),
    ("application/rdf+xml", "rdf", "xml"),
    ("text/turtle;q=0.5, application/rdf+xml", "rdf", "xml"),
    ("*/*", "html", None),
])
def test_an_iri_negotiates_its_representation(server: Server, accept: str, suffix: str,
                                              parser: str | None) -> None:
    status, headers, _ = request(server, "GET", GOAL, headers={"Accept": accept})
    assert status == 303 and headers["location"] == f"{GOAL}.{suffix}"
    assert "accept" in headers["vary"].lower()
    status, headers, body = request(server, "GET", headers["location"])
    assert status == 200
    if parser:
        graph = rdflib.Graph().parse(data=body, format=parser)
        assert (rdflib.URIRef(ID + "gpg-2023/goal/3"), None, None) in graph
    else:
        assert headers["content-type"] == "text/html; charset=utf-8" and b"<h1" in body


@pytest.mark.parametrize("path", ["/id/gpg-2023", "/id/gpg-2023/goal/3/statement/2",
                                  "/id/source/004_da3c5f2f6630bbbe.txt", "/ontology",
                                  "/sdg/16.4", "/mappings/global-policing-goals-to-sdgs",
                                  "/query/document-outline", "/graph/inferred",
                                  "/id/gpg-2023/goal/3/source/label/1"])
def test_every_kind_of_iri_dereferences(server: Server, path: str) -> None:
    for accept, suffix in (("text/html", "html"), ("text/turtle", "ttl")):
        status, headers, _ = request(server, "GET", path, headers={"Accept": accept})
        assert status == 303, (path, accept)
        status, _, body = request(server, "GET", headers["location"])
        assert status == 200 and body, (path, suffix)


def test_what_cannot_be_negotiated_or_found(server: Server) -> None:
    assert request(server, "GET", GOAL, headers={"Accept": "image/png"})[0] == 406
    assert request(server, "GET", "/id/gpg-2023/goal/99")[0] == 404
    assert request(server, "GET", "/nothing-here")[0] == 404
    for sneaky in ("/..%2f..%2fetc%2fpasswd", "/../../etc/passwd", "/.htaccess",
                   "/id/%2e%2e/%2e%2e/SHA256SUMS"):
        status, _, body = request(server, "GET", sneaky)
        assert status == 404 and b"root:" not in body, sneaky
    status, headers, body = request(server, "HEAD", f"{GOAL}.ttl")
    assert status == 200 and body == b"" and headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize(("accept", "media"), [
    ("", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_select_answers_in_each_results_format(server: Server, accept: str, media: str) -> None:
    status, headers, body = sparql_get(server, SELECT, accept)
    assert status == 200 and headers["content-type"].split(";")[0] == media
    if media == "text/csv":  # lossy by design: no parser reads it back into terms
        assert body.decode().split("\r\n")[:2] == ["goal", f"{ID}sf-2026/goal/1"]
        return
    fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/csv": ox.QueryResultsFormat.CSV,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}[media]
    rows = [row["goal"].value for row in ox.parse_query_results(body, format=fmt)]
    assert rows == [f"{ID}sf-2026/goal/{n}" for n in range(1, 5)]


def test_the_three_ways_of_sending_a_query_give_the_same(server: Server) -> None:
    get = sparql_get(server, SELECT)
    form = request(server, "POST", "/sparql", urllib.parse.urlencode({"query": SELECT}).encode(),
                   {"Content-Type": "application/x-www-form-urlencoded"})
    direct = request(server, "POST", "/sparql", SELECT.encode(),
                     {"Content-Type": "application/sparql-query"})
    assert get[0] == form[0] == direct[0] == 200
    assert get[2] == form[2] == direct[2]


@pytest.mark.parametrize(("accept", "parser"), [("text/turtle", "turtle"),
                                                ("application/n-triples", "nt"),
                                                ("application/ld+json", "json-ld"),
                                                ("application/rdf+xml", "xml")])
def test_construct_answers_in_each_rdf_format(server: Server, accept: str, parser: str) -> None:
    query = f"CONSTRUCT {{ ?g a <{PKG}StrategicGoal> }} WHERE {{ ?g a <{PKG}StrategicGoal> }}"
    status, headers, body = sparql_get(server, query, accept)
    assert status == 200 and headers["content-type"].split(";")[0] == accept
    assert len(rdflib.Graph().parse(data=body, format=parser)) == 4
    status, _, body = sparql_get(server, f"DESCRIBE <{ID}sf-2026/goal/1>", accept)
    assert status == 200 and len(rdflib.Graph().parse(data=body, format=parser)) > 5


def test_ask_and_datasets(server: Server) -> None:
    status, _, body = sparql_get(server, f"ASK {{ <{ID}sf-2026/goal/1> ?p ?o }}")
    assert status == 200 and json.loads(body)["boolean"] is True
    graph = "https://w3id.org/policing-kg/graph/ontology"
    query = f"ASK {{ ?goal a <{PKG}StrategicGoal> }}"
    status, _, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode(
        {"query": query, "default-graph-uri": graph}))
    assert status == 200 and json.loads(body)["boolean"] is False  # only that graph


@pytest.mark.parametrize(("method", "body", "headers", "status"), [
    ("GET", "query=SELECT%20*%20WHERE%20%7B", {}, 400),                       # malformed
    ("GET", "query=ASK%7B%7D&query=ASK%7B%7D", {}, 400),                       # two queries
    ("GET", "update=CLEAR%20ALL", {}, 403),
    ("POST", "CLEAR ALL", {"Content-Type": "application/sparql-update"}, 403),
    ("GET", "query=" + urllib.parse.quote("INSERT DATA { <a:b> <a:c> <a:d> }"), {}, 403),
    ("GET", "query=" + urllib.parse.quote("LOAD <http://example.org/x>"), {}, 403),
    ("POST", "ASK {}", {"Content-Type": "text/plain"}, 415),
    ("POST", "", {"Content-Type": "application/x-www-form-urlencoded"}, 400),  # no query
    ("GET", "query=ASK%7B%7D", {"Accept": "image/png"}, 406),
])
def test_the_protocol_refuses_what_it_must(server: Server, method: str, body: str,
                                          headers: dict[str, str], status: int) -> None:
    if method == "GET":
        answer = request(server, "GET", "/sparql?" + body, headers=headers)
    else:
        answer = request(server, "POST", "/sparql", body.encode(), headers)
    assert answer[0] == status, answer[2]
    assert answer[1]["content-type"].startswith("text/plain") and answer[2].strip()


def test_a_federated_query_is_refused_and_never_sent(server: Server) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        status, _, body = sparql_get(server, query)
        assert status == 403 and b"SERVICE" in body
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_a_request_that_is_too_large_is_refused(server: Server) -> None:
    big = "ASK {} #" + "x" * 300_000
    status, _, _ = request(server, "POST", "/sparql", big.encode(),
                           {"Content-Type": "application/sparql-query"})
    assert status == 413


def test_without_a_query_it_describes_itself(server: Server) -> None:
    status, headers, body = request(server, "GET", "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (None, sd.feature, sd.UnionDefaultGraph) in graph
    status, headers, body = request(server, "GET", "/sparql", headers={"Accept": "text/html"})
    assert status == 200 and b"<textarea" in body and b"document-outline" in body


def test_cors_is_open_for_reading(server: Server) -> None:
    _, headers, _ = sparql_get(server, "ASK {}")
    assert headers["access-control-allow-origin"] == "*"
    status, headers, _ = request(server, "OPTIONS", "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204 and "POST" in headers["access-control-allow-methods"]
    assert request(server, "GET", f"{GOAL}.ttl")[1]["access-control-allow-origin"] == "*"


def children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return {int(word) for word in out.split()}


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_query_past_the_time_limit_is_stopped_and_the_others_still_answered(
        server: Server) -> None:
    """The heavy query's worker process is ended (its work stops), the others go on."""
    workers = children(server.process.pid)
    assert len(workers) >= 2
    heavy: list[tuple[int, bytes, float]] = []

    def run_heavy() -> None:
        status, _, body = sparql_get(server, HEAVY)
        heavy.append((status, body, time.monotonic()))

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.3)
    light_done = []
    for _ in range(5):  # the other worker answers while the heavy one runs
        status, _, _ = sparql_get(server, SELECT)
        assert status == 200
        light_done.append(time.monotonic())
    thread.join(60)
    status, body, heavy_done = heavy[0]
    assert status == 503 and b"stopped after 3 s" in body
    assert max(light_done) < heavy_done
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a fresh worker replaces the ended one
        now = children(server.process.pid)
        if len(now) == len(workers) and now != workers:
            break
        time.sleep(0.2)
    assert len(now) == len(workers) and len(workers - now) == 1
    assert sparql_get(server, SELECT)[0] == 200


def test_an_answer_past_the_size_limit_is_refused(server: Server) -> None:
    status, _, body = sparql_get(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 503 and b"larger than this endpoint's limit of 2,000,000 bytes" in body
    assert sparql_get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 10")[0] == 200


def test_every_stored_query_answers_over_sparql_as_embedded(
        server: Server, site: tuple[Path, SiteResult]) -> None:
    assert assert_same_answers(f"{server.base}/sparql", site[0])


def test_serve_on_a_port_in_use_is_one_line(site: tuple[Path, SiteResult]) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "policing_kg", "serve", "--dist", str(site[0]), "--port",
             str(taken.getsockname()[1])], capture_output=True, text=True, timeout=60)
    finally:
        taken.close()
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "cannot listen" in result.stderr


def test_serve_without_a_site_is_one_line(release: tuple[Path, object]) -> None:
    result = subprocess.run([sys.executable, "-m", "policing_kg", "serve", "--dist", str(release[0]),
                             "--port", "0"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "run `policing-kg site`" in result.stderr
    assert result.stderr.count("\n") == 1
