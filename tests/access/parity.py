"""What the real-store tests share: a free port, and the stored queries compared with the
embedded store's answers (order aside)."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path

from policing_kg.access.queries import open_store, run_query, run_query_remote
from policing_kg.curation.catalogue import load_catalogue
from policing_kg.errors import PolicingKGError

from ..conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(rows: tuple[tuple[str | None, ...], ...],
            variables: tuple[str, ...]) -> Counter[tuple[str | None, ...]]:
    """The rows as a multiset. A confidence is an xsd:double, whose lexical form the engines
    write differently (pyoxigraph "1", Virtuoso "1.0"): it is compared by value."""
    numeric = {i for i, name in enumerate(variables) if name == "confidence"}

    def cell(i: int, value: str | None) -> str | None:
        return repr(float(value)) if i in numeric and value is not None else value

    return Counter(tuple(cell(i, v) for i, v in enumerate(row)) for row in rows)


def assert_same_answers(endpoint: str, dist: Path) -> int:
    """Run every example of every stored query on ``endpoint`` and embedded; return how many."""
    store = open_store(dist)
    catalogue = load_catalogue(ROOT / "queries")
    assert catalogue
    compared = 0
    for query in catalogue.values():
        for example in query.examples:
            params = query.example_params(example)
            embedded = run_query(query, params, store)
            try:
                remote = run_query_remote(query, params, endpoint, timeout=60)
            except PolicingKGError as exc:
                raise AssertionError(f"{example}: {exc}") from None
            assert remote.variables == embedded.variables, query.name
            theirs = answers(remote.rows, remote.variables)
            ours = answers(embedded.rows, embedded.variables)
            assert theirs == ours, (query.name, example, "only there:",
                                    list((theirs - ours).elements())[:3], "only here:",
                                    list((ours - theirs).elements())[:3])
            assert embedded.rows, f"{query.name}: the example gives no rows, a weak comparison"
            compared += 1
    return compared
