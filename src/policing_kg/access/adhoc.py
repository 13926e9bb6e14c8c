"""Ad-hoc SPARQL (``policing-kg query --file Q.rq``): the analyst's own query, read-only.

The project's prefixes are declared for the user (a query may declare its own, which win).
Update, ``LOAD`` and ``SERVICE`` are refused before anything runs. On the embedded store the
query runs in a child process under a time limit (the process is killed when it passes);
with ``--endpoint`` the store answers, under the same limit.
"""

from __future__ import annotations

import multiprocessing
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policing_kg.access.readonly import SERVICE, UPDATE, read_only_problem
from policing_kg.common.iris import QUERY_PREFIXES
from policing_kg.errors import PolicingKGError

__all__ = ["read_query_text", "with_prefixes", "run_adhoc", "AdhocAnswer", "MAX_QUERY_BYTES"]

MAX_QUERY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class AdhocAnswer:
    """Hold what an ad-hoc query answered: SELECT results or a boolean (JSON), or N-Triples."""

    kind: str  # "select", "ask" or "graph"
    data: bytes


def read_query_text(source: str) -> tuple[str, str]:
    """Read a query from a file or ``-`` (standard input); return it and where it came from."""
    where = "standard input" if source == "-" else source
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_QUERY_BYTES + 1)
        else:
            path = Path(source)
            if not path.is_file():
                raise PolicingKGError("no such query file", where=source,
                                      hint="give a file that holds a SPARQL query, or - to "
                                      "read it from standard input")
            with path.open("rb") as handle:
                data = handle.read(MAX_QUERY_BYTES + 1)
    except OSError as exc:
        raise PolicingKGError(f"cannot read the query ({exc.strerror})", where=where) from None
    if len(data) > MAX_QUERY_BYTES:
        raise PolicingKGError("a query over 1 MB", where=where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PolicingKGError(f"not UTF-8 (byte 0x{data[exc.start]:02x})",
                              where=f"{where}:{line}", hint="save the query as UTF-8") from None
    if not text.strip():
        raise PolicingKGError("the query is empty", where=where,
                              hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return text, where


def with_prefixes(text: str) -> str:
    """Declare the project's prefixes before the query (its own declarations come after)."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in QUERY_PREFIXES.items()) + text


def _check(text: str, where: str) -> str:
    """Refuse what a read-only query may not do; return its form (select, ask or graph)."""
    problem = read_only_problem(text)
    if problem == UPDATE:
        raise PolicingKGError("this is a SPARQL Update: `query` only reads", where=where,
                              hint="give a SELECT, ASK, CONSTRUCT or DESCRIBE query; to change "
                              "the graph, change the curated data and build")
    if problem == SERVICE:
        raise PolicingKGError("SERVICE (a federated query) is not run: the answers come from "
                              "the release only", where=where,
                              hint="ask the other endpoint yourself, or remove SERVICE")
    try:  # parse and plan on an empty store: the form, or the syntax error at its line
        answer = ox.Store().query(with_prefixes(text))
    except SyntaxError as exc:
        declared = len(QUERY_PREFIXES)
        message = str(exc)
        import re

        at = re.match(r"error at (\d+):(\d+)", message)
        if at:
            line = int(at.group(1)) - declared
            detail = message[at.end():].lstrip(": ")
            raise PolicingKGError(f"not valid SPARQL: {detail}",
                                  where=f"{where}:{line}:{at.group(2)}") from None
        raise PolicingKGError(f"not valid SPARQL: {message}", where=where) from None
    if isinstance(answer, ox.QuerySolutions):
        return "select"
    if isinstance(answer, ox.QueryBoolean):
        return "ask"
    return "graph"


def _serialise(answer: Any, kind: str) -> bytes:
    if kind == "graph":
        return ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES) or b""
    data = answer.serialize(format=ox.QueryResultsFormat.JSON)
    return bytes(data or b"")


def _child(store: Any, text: str, kind: str, pipe: Any) -> None:  # pragma: no cover (a child)
    try:
        answer = store.query(text, use_default_graph_as_union=True)
        pipe.send((True, _serialise(answer, kind)))
    except Exception as exc:  # noqa: BLE001 — reported in one line by the parent
        pipe.send((False, str(exc)))
    finally:
        pipe.close()


def run_adhoc(text: str, where: str, *, dist: Path | None = None, endpoint: str | None = None,
              user: str | None = None, password: str | None = None,
              timeout: float = 60.0) -> AdhocAnswer:
    """Run the analyst's query on the release (embedded) or an endpoint, read-only, timed."""
    kind = _check(text, where)
    full = with_prefixes(text)
    if endpoint:
        if kind == "graph":
            raise PolicingKGError("CONSTRUCT and DESCRIBE are answered by the embedded store "
                                  "only", where=where, hint="leave out --endpoint, or SELECT")
        from policing_kg.access.stores import run_remote

        return AdhocAnswer(kind, run_remote(full, endpoint, user=user, password=password,
                                            timeout=timeout))
    from policing_kg.common.store import open_store

    assert dist is not None
    store = open_store(dist)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(store, full, kind, send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise PolicingKGError(f"the query ran past its time limit ({timeout:g} s) and was "
                                  "stopped", where=where, hint="narrow the query, or give "
                                  "--timeout SECONDS")
        ok, value = receive.recv()
    except EOFError:
        raise PolicingKGError("the query's process ended without an answer (out of memory?)",
                              where=where) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if not ok:
        raise PolicingKGError(f"the query failed: {value}", where=where)
    return AdhocAnswer(kind, value)
