"""``policing-kg serve``: the site and the data over HTTP, read-only (Starlette on uvicorn).

- ``GET /id/…`` (and ``/mapping/…``, ``/mappings/…``, ``/query/…``, ``/graph/…``, ``/sdg/…``,
  ``/ontology``) negotiates: a 303 to the page for a browser, to its Turtle, N-Triples,
  JSON-LD or RDF/XML for an RDF client, by the same table as the site's ``.htaccess``.
- ``/sparql`` is a SPARQL 1.1 Protocol endpoint over the release (GET, POST form, direct POST;
  results by ``Accept``; a service description without a query; an HTML editor for browsers,
  with the stored queries as examples). CORS is open: the data is public and read-only.
- ``/search.html?q=…`` (and ``/search?q=…``) is the site's search, answered here with the
  results in the page (no JavaScript needed), from the site's ``search-index.json`` and the
  same function that wrote it (:mod:`.search`).
- Every other path is a file of ``dist/site/``.

A new release built into the same folder is served once its site is written: pages, files
and ``/sparql`` switch together, in one step, and until then the previous release is answered
whole (:mod:`.generations`).

The endpoint is the embedded store (pyoxigraph) in worker processes (:mod:`.sparql`), so that
a query past its time limit is stopped by ending its process.
"""

from __future__ import annotations

import hashlib
import socket
import urllib.parse
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from policing_kg.common.files import SITE
from policing_kg.errors import PolicingKGError
from policing_kg.web.generations import Follower, release_of
from policing_kg.web.html import Page, esc
from policing_kg.web.paths import FORMATS, negotiate, resource_path
from policing_kg.web.sparql import GRAPH_FORMATS, RESULT_FORMATS, Answer, Limits, Retired, refusal

__all__ = ["make_app", "serve", "MAX_QUERY_BYTES"]

#: Files kept in memory once read: each at most CACHE_FILE_BYTES, CACHE_BYTES in all.
CACHE_FILE_BYTES = 1024 * 1024
CACHE_BYTES = 256 * 1024 * 1024
#: The largest query (or form body) the endpoint reads.
MAX_QUERY_BYTES = 256 * 1024
_CORS = {"Access-Control-Allow-Origin": "*",
         "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
         "Access-Control-Allow-Headers": "Accept, Content-Type",
         "Access-Control-Max-Age": "86400"}
_MEDIA = {f".{suffix}": media for suffix, media in FORMATS.items()} | {
    ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".csv": "text/csv",
    ".rq": "application/sparql-query", ".txt": "text/plain", ".trig": "application/trig",
    ".nq": "application/n-quads", ".json": "application/json"}
_TEXT = {"text/html", "text/turtle", "text/css", "text/csv", "text/plain",
         "application/n-triples", "application/sparql-query", "application/trig",
         "application/n-quads", "application/rdf+xml", "image/svg+xml"}


def _media_of(path: Path) -> str:
    media = _MEDIA.get(path.suffix, "application/octet-stream")
    return f"{media}; charset=utf-8" if media in _TEXT else media


def _service_description(base: str, accept: str) -> Answer:
    import pyoxigraph as ox

    from policing_kg.web.sparql import execute

    sd = "http://www.w3.org/ns/sparql-service-description#"
    turtle = f"""@prefix sd: <{sd}> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
<{base}sparql> a sd:Service ;
  sd:endpoint <{base}sparql> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat fmt:SPARQL_Results_JSON , fmt:SPARQL_Results_XML , fmt:SPARQL_Results_CSV ,
    fmt:SPARQL_Results_TSV , fmt:Turtle , fmt:N-Triples , fmt:JSON-LD , fmt:RDF_XML ;
  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .
"""
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    return execute(store, "CONSTRUCT WHERE { ?s ?p ?o }", accept, (), (), 1 << 20)


def make_app(dist: Path, *, workers: int = 2, limits: Limits | None = None,
             catalogue: Mapping[str, Any] | None = None) -> Any:
    """Return the ASGI application over a release folder holding its site."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, RedirectResponse, Response
    from starlette.routing import Route

    release_of(dist)  # a complete release, or one line saying what to do
    follower = Follower(dist, workers=workers, limits=limits,
                        log=lambda line: print(line, flush=True))
    # a release does not change while it is served (a new one is a new generation): its
    # files are read once, kept in memory
    stored = dict(catalogue or {})

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        await follower.start()
        app.state.follower = follower
        try:
            yield
        finally:
            await follower.stop()

    def answer(result: Answer, extra: Mapping[str, str] | None = None) -> Response:
        headers = dict(_CORS) | {"Vary": "Accept"} | dict(extra or {})
        return Response(result.body, status_code=result.status, media_type=None,
                        headers=headers | {"Content-Type": result.media_type})

    def plain(status: int, text: str) -> Response:
        return answer(Answer(status, "text/plain; charset=utf-8", (text + "\n").encode()))

    async def read_body(request: Request) -> bytes | None:
        declared = request.headers.get("content-length")
        if declared and (not declared.isdigit() or int(declared) > MAX_QUERY_BYTES):
            return None
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_QUERY_BYTES:
                return None
        return body

    async def sparql(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=_CORS)
        accept = request.headers.get("accept", "")
        params = list(urllib.parse.parse_qsl(request.url.query, keep_blank_values=True))
        if request.method == "POST":
            body = await read_body(request)
            if body is None:
                return plain(413, f"The request is larger than {MAX_QUERY_BYTES:,} bytes.")
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media == "application/x-www-form-urlencoded":
                try:
                    params += urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
                except UnicodeDecodeError:
                    return plain(400, "The form is not UTF-8.")
            elif media == "application/sparql-query":
                try:
                    params.append(("query", body.decode("utf-8")))
                except UnicodeDecodeError:
                    return plain(400, "The query is not UTF-8.")
            elif media == "application/sparql-update":
                return plain(403, "This endpoint is read-only: SPARQL Update is refused.")
            else:
                return plain(415, "POST a query as application/x-www-form-urlencoded or "
                             "application/sparql-query.")
        names = [name for name, _ in params]
        if "update" in names:
            return plain(403, "This endpoint is read-only: SPARQL Update is refused.")
        queries = [value for name, value in params if name == "query"]
        if len(queries) > 1:
            return plain(400, "Give one query parameter, not several.")
        wants_html = negotiate(accept) == "html" and "text/html" in accept
        if not queries:
            if request.method == "POST":
                return plain(400, "No query: give the query parameter.")
            if wants_html:
                example = dict(params).get("example", "")
                return _editor(stored, example_text(stored, example), None)
            base = str(request.base_url)
            return answer(_service_description(base, accept))
        query = queries[0]
        if len(query.encode("utf-8")) > MAX_QUERY_BYTES:
            return plain(413, f"The query is larger than {MAX_QUERY_BYTES:,} bytes.")
        refused = refusal(query)
        if refused is not None:
            return _editor(stored, query, refused) if wants_html else answer(refused)
        default_graphs = [v for n, v in params if n == "default-graph-uri"]
        named_graphs = [v for n, v in params if n == "named-graph-uri"]
        if wants_html:
            result = await run(query, "application/sparql-results+json, text/turtle",
                               default_graphs, named_graphs)
            return _editor(stored, query, result)
        return answer(await run(query, accept, default_graphs, named_graphs))

    async def run(query: str, accept: str, default_graphs: list[str],
                  named_graphs: list[str]) -> Answer:
        while True:  # the release served now (its pool retired: a new one is current)
            try:
                return await follower.current.pool.run(query, accept, default_graphs,
                                                       named_graphs)
            except Retired:
                continue

    def _editor(catalogue_: Mapping[str, Any], query: str, result: Answer | None) -> Response:
        page = _editor_page(catalogue_, query, result)
        status = result.status if result is not None else 200
        return Response(page.render(), status_code=status,
                        headers=dict(_CORS) | {"Vary": "Accept"},
                        media_type="text/html; charset=utf-8")

    async def files(request: Request) -> Response:
        path = request.path_params.get("path", "")
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=_CORS)
        generation = follower.current
        site = generation.site
        if any(part in ("..", ".") or part.startswith(".") for part in path.split("/")):
            return plain(404, "Not found.")
        target = (site / path).resolve() if path else site / "index.html"
        if target.is_dir():
            target = target / "index.html"
        if not str(target).startswith(str(site) + "/"):
            return plain(404, "Not found.")
        if target.is_file():
            cached = generation.files.get(target)
            if cached is None:
                size = target.stat().st_size
                if size > CACHE_FILE_BYTES or generation.cache_size + size > CACHE_BYTES:
                    return FileResponse(target, headers=_CORS, media_type=_media_of(target))
                data = target.read_bytes()
                etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
                cached = generation.files[target] = (data, _media_of(target), etag)
                generation.cache_size += len(data)
                if request.url.path == "/" + path and not request.url.query:
                    generation.raw[request.url.path] = _raw_headers(cached)
            data, media, etag = cached
            headers = dict(_CORS) | {"ETag": etag}
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers=headers)
            return Response(data, headers=headers, media_type=media)
        iri_path = path.rstrip("/")
        if _is_resource(iri_path):
            suffix = negotiate(request.headers.get("accept"))
            if suffix is None:
                return plain(406, "Not acceptable: this resource is available as "
                             + ", ".join(FORMATS.values()) + ".")
            if (site / f"{iri_path}.{suffix}").is_file():
                location = f"/{iri_path}.{suffix}"
                return RedirectResponse(location, status_code=303,
                                        headers=dict(_CORS) | {"Vary": "Accept"})
        missing = site / "404.html"
        return Response(missing.read_bytes() if missing.is_file() else b"Not found.\n",
                        status_code=404, headers=_CORS,
                        media_type="text/html; charset=utf-8" if missing.is_file()
                        else "text/plain; charset=utf-8")

    async def search(request: Request) -> Response:
        from policing_kg.web.search import INDEX_FILE, read_index, search_page
        from policing_kg.web.search import search as find

        if request.method == "OPTIONS":
            return Response(status_code=204, headers=_CORS)
        generation = follower.current
        index = generation.index
        if not index:
            try:
                index.append(read_index((generation.site / INDEX_FILE).read_bytes()))
            except (OSError, ValueError, KeyError):
                return plain(404, "This site has no search index: write it again with "
                             "`policing-kg site`.")
        query = request.query_params.get("q", "")
        page = search_page(query, find(index[0], query))
        return Response(page.render(), headers=dict(_CORS),
                        media_type="text/html; charset=utf-8")

    routes = [Route("/sparql", sparql, methods=["GET", "POST", "OPTIONS"]),
              Route("/search", search, methods=["GET", "OPTIONS"]),
              Route("/search.html", search, methods=["GET", "OPTIONS"]),
              Route("/", files, methods=["GET", "OPTIONS"]),
              Route("/{path:path}", files, methods=["GET", "OPTIONS"])]
    routed = Starlette(routes=routes, lifespan=lifespan)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer a file already read straight from memory; everything else by the routes."""
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") \
                and not scope.get("query_string"):
            found = follower.current.raw.get(scope["path"])
            if found is not None and not any(name == b"if-none-match"
                                             for name, _ in scope["headers"]):
                body, headers = found
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body",
                            "body": body if scope["method"] == "GET" else b""})
                return
        await routed(scope, receive, send)

    return app


def _raw_headers(cached: tuple[bytes, str, str]) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    data, media, etag = cached
    headers = [(b"content-type", media.encode()), (b"content-length", str(len(data)).encode()),
               (b"etag", etag.encode())]
    headers += [(name.lower().encode(), value.encode()) for name, value in _CORS.items()]
    return data, headers


def _is_resource(path: str) -> bool:
    if path in ("ontology", "sdg"):
        return True
    for prefix in ("id/", "mapping/", "mappings/", "query/", "graph/"):
        if path.startswith(prefix):
            return resource_path("https://w3id.org/policing-kg/" + path) is not None
    if path.startswith("sdg/"):
        return resource_path("http://metadata.un.org/" + path) is not None
    return False


def example_text(catalogue: Mapping[str, Any], name: str) -> str:
    """Return the text of a stored query with its first example's parameters bound (or '')."""
    from policing_kg.access.queries import bind_parameters

    stored = catalogue.get(name)
    if stored is None:
        return "SELECT ?document ?title WHERE {\n  ?document a skos:ConceptScheme ; " \
            "dcterms:title ?title .\n}" if not name else ""
    params = stored.example_params(stored.examples[0]) if stored.examples else {}
    return str(bind_parameters(stored, params))


def _editor_page(catalogue: Mapping[str, Any], query: str, result: Answer | None) -> Page:
    from policing_kg.common.iris import QUERY_PREFIXES

    if query.startswith("SELECT ?document ?title"):
        query = "".join(f"PREFIX {p}: <{n}>\n" for p, n in QUERY_PREFIXES.items()
                        if p in ("skos", "dcterms")) + query
    page = Page("sparql", "SPARQL editor",
                description="Run SPARQL 1.1 queries over the policing-kg release.")
    examples = "".join(
        f'<li><a href="sparql?example={esc(urllib.parse.quote(name))}">{esc(q.title)}</a></li>'
        for name, q in catalogue.items())
    page.add('<form method="get" action="sparql">',
             '<label for="query">Query (SPARQL 1.1, read-only; the default graph is the union '
             "of the release's graphs)</label>",
             f'<textarea id="query" name="query" rows="16" spellcheck="false">{esc(query)}'
             "</textarea>",
             '<p><button type="submit">Run</button></p></form>')
    if result is not None:
        page.add('<section aria-live="polite" id="results"><h2>Answer</h2>',
                 _result_html(page, result), "</section>")
    page.add("<h2>Examples: the stored queries</h2>", f'<ul class="plain">{examples}</ul>',
             "<p>Programs: send the query to this URL with <code>GET ?query=</code> or "
             "<code>POST</code> (SPARQL 1.1 Protocol); the answer's format follows "
             "<code>Accept</code>: " + ", ".join(
                 f"<code>{esc(m)}</code>" for m in (*RESULT_FORMATS, *GRAPH_FORMATS)) + ".</p>")
    return page


def _result_html(page: Page, result: Answer) -> str:
    from policing_kg.access.queries import QueryResult
    from policing_kg.web.sections import results_table

    if result.status != 200:
        message = esc(result.body.decode("utf-8", "replace"))
        return f'<p role="alert">Error {result.status}: {message}</p>'
    if result.media_type.startswith("application/sparql-results+json"):
        import json

        data = json.loads(result.body)
        if "boolean" in data:
            return f"<p>{'true' if data['boolean'] else 'false'}</p>"
        return results_table(page, None, QueryResult(result.body), limit=1000)
    return f"<pre>{esc(result.body.decode('utf-8', 'replace'))}</pre>"


def serve(dist: Path, project: Any, *, host: str = "127.0.0.1", port: int = 8000,
          workers: int = 2, limits: Limits | None = None) -> None:
    """Serve a release's site and data until interrupted (see the module's docstring)."""
    import uvicorn

    from policing_kg.curation.catalogue import load_catalogue

    app = make_app(dist.resolve(), workers=workers, limits=limits,
                   catalogue=load_catalogue(project.queries))
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named, so that asyncio sets TCP_NODELAY on each connection (with proto 0
        # it does not, and Nagle's algorithm with delayed ACKs adds 40 ms to every answer)
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        raise PolicingKGError(f"cannot listen on {host}:{port} "
                              f"({getattr(exc, 'strerror', None) or exc})",
                              hint="choose another --port or --host") from None
    print(f"serving {dist / SITE} on http://{host}:{sock.getsockname()[1]}/ "
          "(SPARQL at /sparql); Ctrl-C stops", flush=True)  # then the release (.generations)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
