"""The W3C SHACL test suite (core and SHACL-SPARQL) through the project's engine, pyshacl and Jena.

The project's engine must give the expected report (focus, path, value, severity, source
shape, component; blank nodes as blank nodes) on every core test and on all SHACL-SPARQL tests
but one (``$shapesGraph``), and on every test that plain pyshacl passes; the compiled queries
alone, where they answer a test without delegating, must be right too. CONTRIBUTING.md's table
must state the scores measured here: the project's, and Apache Jena's where Jena is installed.
"""

from __future__ import annotations

import os
import re
from functools import cache

import pytest

from .. import w3c_shacl

SUITE = w3c_shacl.load_suite() if (w3c_shacl.SUITE / "manifest.ttl").is_file() else []
pytestmark = pytest.mark.skipif(
    not SUITE, reason=f"the W3C SHACL test suite is not at {w3c_shacl.SUITE} (see ../shared)")


@cache
def ours(index: int) -> tuple[bool, str]:
    return w3c_shacl.run(SUITE[index], w3c_shacl.project_engine)


def scores(passed: list[bool]) -> dict[str, int]:
    counts = {"core": 0, "sparql": 0}
    for test, ok in zip(SUITE, passed, strict=True):
        counts[test.part] += ok
    return counts


def test_the_suite_is_complete() -> None:
    totals = w3c_shacl.totals(SUITE)
    assert totals["core"] == 98 and totals["sparql"] >= 16
    assert w3c_shacl.table_scores()[0] == totals, "CONTRIBUTING.md's table header"


@pytest.mark.parametrize("index", range(len(SUITE)), ids=[t.id for t in SUITE])
def test_the_engine_passes_what_pyshacl_passes(index: int) -> None:
    test = SUITE[index]
    reference, why_reference = w3c_shacl.run(test, w3c_shacl.pyshacl_engine)
    passed, why = ours(index)
    if reference:
        assert passed, f"{test.id} ({test.label}): pyshacl passes, the project's engine: {why}"
    else:
        assert passed or "refused" in why or why == why_reference, why


def test_the_engine_passes_every_core_test_and_the_table_says_so() -> None:
    totals = w3c_shacl.totals(SUITE)
    results = [ours(index) for index in range(len(SUITE))]
    score = scores([passed for passed, _ in results])
    failed = [f"{t.id}: {why}" for t, (passed, why) in zip(SUITE, results, strict=True)
              if not passed]
    assert score["core"] == totals["core"], failed
    assert score["sparql"] >= totals["sparql"] - 1, failed  # $shapesGraph: not supported
    assert w3c_shacl.table_scores()[1].get("policing-kg") == score, (
        f"CONTRIBUTING.md's W3C table must say policing-kg | {score['core']} | "
        f"{score['sparql']}")


def test_the_compiled_queries_alone_are_right() -> None:
    """Every test the compiler answers without delegating a shape, it answers right."""
    answered = {"core": 0, "sparql": 0}
    wrong = []
    for test in SUITE:
        passed, why = w3c_shacl.run(test, w3c_shacl.compiled_only_engine)
        if "delegated" in why:
            continue
        answered[test.part] += 1
        if not passed:
            wrong.append(f"{test.id}: {why}")
    assert wrong == []
    assert answered["core"] >= 95 and answered["sparql"] >= 2, answered
    row = next(line for line in w3c_shacl.TABLE.read_text("utf-8").splitlines()
               if line.startswith("| policing-kg's compiled queries alone"))
    quoted = re.findall(r"(\d+) of (\d+) answered", row)
    assert quoted == [(str(answered["core"]),) * 2, (str(answered["sparql"]),) * 2], row


@pytest.mark.slow
def test_jenas_scores_are_the_tables() -> None:
    """Apache Jena's ``shacl validate`` on every test (a JVM each: minutes), as the table says."""
    reason = w3c_shacl.jena().available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Apache Jena cannot run: {reason}", pytrace=False)
        pytest.skip(f"Apache Jena cannot run here: {reason}")
    results = [w3c_shacl.run_jena(test) for test in SUITE]
    score = scores([passed for passed, _ in results])
    name = f"Apache Jena {w3c_shacl.jena_version()}"
    failed = [f"{t.id}: {why}" for t, (passed, why) in zip(SUITE, results, strict=True)
              if not passed]
    assert w3c_shacl.table_scores()[1].get(name) == score, (
        f"CONTRIBUTING.md's W3C table must say {name} | {score['core']} | {score['sparql']}; "
        f"Jena fails {failed}")
