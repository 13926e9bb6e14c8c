"""Property-based tests (hypothesis), bounded to run in seconds: whatever bytes a contributor
sends and whatever a user types as a query parameter, the answer is a result or one
PolicingKGError line, never another exception."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policing_kg.access.queries import bind_parameters, run_query
from policing_kg.checks.contributions import read_contribution
from policing_kg.curation.catalogue import load_catalogue
from policing_kg.errors import PolicingKGError

from ..conftest import ROOT

pytestmark = pytest.mark.slow

VALID = (ROOT / "tests" / "contributions" / "translation.ttl").read_bytes()
SUFFIXES = [".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf"]
FUZZ = settings(max_examples=500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        read_contribution(path, max_bytes=1 << 20)
    except PolicingKGError as exc:
        line = exc.line()
        assert "\n" not in line and line.strip(), line


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_in_one_line(tmp_path: Path, suffix: str,
                                                   data: bytes) -> None:
    _read(tmp_path, suffix, data)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid contribution with a few bytes cut, repeated or replaced."""
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data) - 1))
        change = draw(st.sampled_from(["cut", "insert", "replace"]))
        piece = draw(st.sampled_from([b"<", b">", b'"', b"\\", b"@", b"{", b"[", b"(", b"^^",
                                      b"_:", b"\x00", b"\xff", b"\xe2\x80\xa8", b"\n", b".",
                                      b"<<(", b")>>", b"#", b"sh:sparql"]))
        if change == "cut":
            del data[at: at + draw(st.integers(1, 20))]
        elif change == "insert":
            data[at:at] = piece
        else:
            data[at: at + len(piece)] = piece
    return bytes(data)


@FUZZ
@given(data=mutated())
def test_a_damaged_contribution_is_read_or_refused_in_one_line(tmp_path: Path,
                                                               data: bytes) -> None:
    _read(tmp_path, ".ttl", data)


CATALOGUE = load_catalogue(ROOT / "queries")
WITH_PARAMETERS = sorted(name for name, q in CATALOGUE.items() if q.parameters)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """A small store: what the queries find does not matter, only that they run."""
    store = ox.Store()
    store.extend(ox.parse(VALID, format=ox.RdfFormat.TURTLE))
    return store


#: A valid value of each type, for the parameters that are not being fuzzed.
VALID_VALUE = {"iri": "gpg-2023/goal/3", "language": "en", "search": "goal",
               "integer": "1", "string": "x"}


@FUZZ
@given(name=st.sampled_from(WITH_PARAMETERS), value=st.text(max_size=300),
       which=st.integers(min_value=0, max_value=20))
def test_any_parameter_value_is_bound_as_a_term_or_refused(store: ox.Store, name: str,
                                                          value: str, which: int) -> None:
    query = CATALOGUE[name]
    fuzzed = query.parameters[which % len(query.parameters)]  # one at a time, the others valid
    params = {p.name: value if p is fuzzed else VALID_VALUE[p.type] for p in query.parameters}
    try:
        text = bind_parameters(query, params)
        run_query(query, params, store)  # the bound query parses and runs, or is refused
    except PolicingKGError as exc:
        assert "\n" not in exc.line()
        return
    assert text.count("VALUES") >= 1
