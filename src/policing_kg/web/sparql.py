"""The read-only SPARQL endpoint's engine: queries run in worker processes over the release.

Each worker holds the release (its N-Quads dump, checked against ``SHA256SUMS``) in an
in-memory pyoxigraph store. A query runs in one worker under three limits: a time limit (past
it the worker process is killed, so the query's work ends, and a fresh worker takes its place),
a result-size limit (the answer is serialised into a capped buffer that stops the
serialisation when full), and a memory limit (``RLIMIT_AS``). Update, ``LOAD`` and ``SERVICE``
never reach a worker: the endpoint refuses them first.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from policing_kg.access.readonly import SERVICE, UPDATE, read_only_problem
from policing_kg.web.paths import accept_ranges

__all__ = ["QueryPool", "Retired", "Answer", "refusal", "RESULT_FORMATS", "GRAPH_FORMATS", "Limits"]

#: SELECT and ASK answers: media type -> pyoxigraph format name.
RESULT_FORMATS = {
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
#: CONSTRUCT and DESCRIBE answers: media type -> pyoxigraph format name (JSON-LD: ours).
GRAPH_FORMATS = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}
_RESULT_ALIASES = {"application/json": "application/sparql-results+json",
                   "application/xml": "application/sparql-results+xml"}
@dataclass(frozen=True)
class Limits:
    """What one query may use."""

    seconds: float = 10.0
    result_bytes: int = 16 * 1024 * 1024
    memory_bytes: int = 2 * 1024 ** 3


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to a query: status, media type, body."""

    status: int
    media_type: str
    body: bytes


def refusal(query: str) -> Answer | None:
    """Return a 403 for what a read-only endpoint does not do (update, LOAD, SERVICE), else None.

    >>> refusal("SELECT * WHERE { ?s ?p ?o }") is None
    True
    >>> refusal("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }").status
    403
    >>> refusal("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }").status
    403
    >>> refusal('SELECT ?service { ?s <http://e/p> "SERVICE" }') is None
    True
    """
    problem = read_only_problem(query)
    if problem == UPDATE:
        return Answer(403, "text/plain; charset=utf-8",
                      b"This endpoint is read-only: SPARQL Update (and LOAD) is refused.\n")
    if problem == SERVICE:
        return Answer(403, "text/plain; charset=utf-8",
                      b"Federated queries (SERVICE) are refused: this endpoint answers from "
                      b"its own release only.\n")
    return None


def _pick(accept: str, formats: dict[str, str], aliases: dict[str, str]) -> str | None:
    """Return the media type of ``formats`` that an Accept header prefers (the first by default)."""
    if not accept.strip():
        return next(iter(formats))
    best: tuple[float, int, str] | None = None
    order = list(formats)
    for media, quality in accept_ranges(accept):
        media = aliases.get(media, media)
        if media in ("*/*", "application/*", "text/*"):
            candidates = [m for m in order if media == "*/*" or m.startswith(media[:-1])]
        else:
            candidates = [media] if media in formats else []
        for candidate in candidates[:1]:
            rank = (quality, 0 if "*" in media else 1, candidate)
            if best is None or rank[:2] > best[:2]:
                best = rank
    return best[2] if best else None


class _Full(Exception):
    pass


class _Capped:
    """A write-only buffer that stops the writer when it would pass its size."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _Full
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the parts are kept in memory."""

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def execute(store: Any, query: str, accept: str, default_graphs: Sequence[str],
            named_graphs: Sequence[str], limit: int) -> Answer:
    """Run one query on a store and serialise its answer in the format ``accept`` prefers."""
    import pyoxigraph as ox

    options: dict[str, Any] = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    text = "text/plain; charset=utf-8"
    try:
        result = store.query(query, **options)
        buffer = _Capped(limit)
        if isinstance(result, ox.QueryTriples):
            media = _pick(accept, GRAPH_FORMATS, {})
            if media is None:
                return Answer(406, text, b"Not acceptable: a graph answer is available as "
                              + ", ".join(GRAPH_FORMATS).encode() + b".\n")
            if GRAPH_FORMATS[media] == "JSON_LD":
                from policing_kg.release.jsonld import compact_dump

                triples = list(result)
                data = compact_dump(sorted(triples, key=lambda t: (str(t.subject),
                                                                  str(t.predicate))))
                if len(data) > limit:
                    raise _Full
                buffer.write(data)
            else:
                result.serialize(buffer,  # type: ignore[arg-type]  # a writer is enough
                                 format=getattr(ox.RdfFormat, GRAPH_FORMATS[media]))
        else:
            media = _pick(accept, RESULT_FORMATS, _RESULT_ALIASES)
            if media is None:
                return Answer(406, text, b"Not acceptable: results are available as "
                              + ", ".join(RESULT_FORMATS).encode() + b".\n")
            result.serialize(buffer, format=getattr(ox.QueryResultsFormat,
                                                    RESULT_FORMATS[media]))
        charset = "" if media in ("application/sparql-results+json", "application/ld+json") \
            else "; charset=utf-8"
        return Answer(200, media + charset, buffer.getvalue())
    except _Full:
        return Answer(503, text, f"The answer is larger than this endpoint's limit of "
                      f"{limit:,} bytes: add a LIMIT, or run the query on the release with "
                      "`policing-kg query` or a triple store.\n".encode())
    except SyntaxError as exc:
        return Answer(400, text, f"Malformed query: {exc}\n".encode())
    except (ValueError, OSError) as exc:
        if isinstance(exc.__context__, _Full) or "_Full" in repr(exc):
            return Answer(503, text, f"The answer is larger than this endpoint's limit of "
                          f"{limit:,} bytes.\n".encode())
        return Answer(400, text, f"The query cannot be answered: {exc}\n".encode())


def _worker(conn: Connection, dump: str, memory: int, limit: int) -> None:
    """Load the release, then answer queries until told to stop (a worker process)."""
    import resource

    import pyoxigraph as ox

    from policing_kg.common.reading import read_dump

    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ValueError, OSError):
        pass
    store = ox.Store()
    store.bulk_extend(read_dump(Path(dump)))
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        query, accept, default_graphs, named_graphs = message
        try:
            answer = execute(store, query, accept, default_graphs, named_graphs, limit)
        except MemoryError:
            answer = Answer(503, "text/plain; charset=utf-8",
                            b"The query needs more memory than this endpoint allows.\n")
        except Exception as exc:  # noqa: BLE001 - the worker answers, whatever the query did
            answer = Answer(500, "text/plain; charset=utf-8",
                            f"The query failed: {type(exc).__name__}\n".encode())
        conn.send((answer.status, answer.media_type, answer.body))


class _Process:
    def __init__(self, context: Any, dump: Path, limits: Limits) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(
            child, str(dump), limits.memory_bytes, limits.result_bytes), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> bool:
        return bool(self.conn.poll(seconds)) and self.conn.recv() == "ready"

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Retired(Exception):
    """The pool serves an earlier release: ask the current one's."""


class QueryPool:
    """Worker processes that answer queries one at a time each, within the limits.

    A pool holds one release (a server that follows new releases starts a pool for each, then
    :meth:`retire` s the previous one once its queries are answered).
    """

    def __init__(self, dump: Path, *, workers: int = 2, limits: Limits | None = None) -> None:
        self.dump = dump
        self.workers = workers
        self.limits = limits or Limits()
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Process] | None = None
        self._all: set[_Process] = set()
        self.stopped_queries = 0
        self.retired = False
        self._stopped = False
        self._busy = 0

    def _spawn(self) -> _Process:
        worker = _Process(self._context, self.dump, self.limits)
        if not worker.wait_ready(120):
            worker.kill()
            from policing_kg.errors import PolicingKGError

            raise PolicingKGError("a query worker could not load the release",
                                  where=str(self.dump), hint="rebuild it with `policing-kg build`")
        if self._stopped:  # the pool was stopped while this worker loaded
            worker.kill()
        else:
            self._all.add(worker)
        return worker

    async def start(self) -> None:
        """Start the workers (each loads the release)."""
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        started = await asyncio.gather(*(loop.run_in_executor(None, self._spawn)
                                         for _ in range(self.workers)))
        for worker in started:
            self._idle.put_nowait(worker)

    def stop(self) -> None:
        """Stop every worker."""
        self._stopped = True
        for worker in list(self._all):
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.kill()
        self._all.clear()

    async def _replace(self, worker: _Process) -> None:
        worker.kill()
        self._all.discard(worker)
        loop = asyncio.get_running_loop()
        if self._stopped:
            return
        fresh = await loop.run_in_executor(None, self._spawn)
        assert self._idle is not None
        if not self._stopped:
            self._idle.put_nowait(fresh)

    async def retire(self) -> None:
        """Take no new query; stop the workers once the queries they run are answered."""
        self.retired = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.seconds + 5
        while self._busy and loop.time() < deadline:
            await asyncio.sleep(0.05)
        self.stop()

    async def run(self, query: str, accept: str, default_graphs: Sequence[str] = (),
                  named_graphs: Sequence[str] = ()) -> Answer:
        """Answer one query within the limits (a 503 when it passes them).

        :class:`Retired` when the pool has been retired (its release is not the current one).
        """
        assert self._idle is not None, "start() the pool first"
        if self.retired:
            raise Retired
        self._busy += 1
        try:
            return await self._run(query, accept, default_graphs, named_graphs)
        finally:
            self._busy -= 1

    async def _run(self, query: str, accept: str, default_graphs: Sequence[str],
                   named_graphs: Sequence[str]) -> Answer:
        assert self._idle is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.seconds
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.limits.seconds)
        except asyncio.TimeoutError:
            return Answer(503, "text/plain; charset=utf-8",
                          b"Every query worker is busy: try again in a moment.\n")
        try:
            worker.conn.send((query, accept, list(default_graphs), list(named_graphs)))
            remaining = max(0.0, deadline - loop.time())
            ready = await loop.run_in_executor(None, worker.conn.poll, remaining)
            if not ready:
                self.stopped_queries += 1
                asyncio.ensure_future(self._replace(worker))
                worker = None  # type: ignore[assignment]
                return Answer(503, "text/plain; charset=utf-8", (
                    f"The query was stopped after {self.limits.seconds:g} s, this endpoint's "
                    "time limit: narrow it, or run it on the release with `policing-kg "
                    "query` or a triple store.\n").encode())
            status, media, body = worker.conn.recv()
            return Answer(status, media, body)
        except (EOFError, OSError):
            asyncio.ensure_future(self._replace(worker))
            worker = None  # type: ignore[assignment]
            return Answer(503, "text/plain; charset=utf-8",
                          b"The query ended its worker (it needed more memory than this "
                          b"endpoint allows).\n")
        finally:
            if worker is not None:
                self._idle.put_nowait(worker)
