"""The benchmark harness: its synthetic graphs, and a quick run end to end (`make bench` smoke)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policing_kg.release.build import BuildResult

from ..conftest import ROOT

sys.path.insert(0, str(ROOT))

from bench.generate import INJECT_EVERY, generate  # noqa: E402

from bench import jena  # noqa: E402

pytestmark = pytest.mark.slow


def test_synthetic_graphs_are_deterministic_and_of_the_size_asked(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    template = release[0] / "policing-kg.nq"
    a = generate(template, tmp_path / "a.nq", 30_000)
    b = generate(template, tmp_path / "b.nq", 30_000)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert 30_000 <= a.quads < 30_000 + a.quads / a.copies  # one copy more at most
    assert a.injected_copies == -(-a.copies // INJECT_EVERY)
    clean = generate(template, tmp_path / "clean.nq", 30_000, faults=False)
    assert clean.injected_copies == 0 and clean.copies == a.copies


def test_a_quick_run_measures_every_stage_and_compares_the_answers(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    out = tmp_path / "results"
    run = subprocess.run(
        [sys.executable, "-m", "bench.bench", "--quick", "--out", str(out),
         "--template", str(release[0] / "policing-kg.nq")],
        cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((out / "bench.json").read_text("utf-8"))
    stages = results["sizes"]["10k"]["stages"]
    for stage in ("load", "parse-turtle", "validate", "infer", "serialise", "queries"):
        assert "seconds" in stages[stage]["ours"], (stage, stages[stage]["ours"])
        assert stages[stage]["ours"]["peak_mb"] > 0
    # the peers ran on the same input and gave the same answers
    assert stages["validate"]["identical"] is True
    assert stages["validate"]["ours"]["violations"] == 5  # 3 injected faults, 5 violations
    # the SHACL engines of PyPI, each in its own environment, on the same graph
    engines = stages["validate"]["engines"]
    for name in ("pyshacl-turbo", "shacl", "shacl-rust", "pyrudof"):
        assert "seconds" in engines[name], (name, engines[name])
        assert engines[name]["against"] == "pyshacl"
    for name in ("pyshacl-turbo", "shacl", "pyrudof"):  # shacl-rust disagrees (README)
        assert engines[name]["identical"] is True, (name, engines[name])
    assert stages["infer"]["identical"] is True
    assert all(f["deterministic"] for f in stages["serialise"]["ours"]["formats"].values())
    ours, peer = stages["queries"]["ours"]["queries"], stages["queries"]["peer"]["queries"]
    assert set(ours) == set(peer) and len(ours) >= 12
    assert all("rows" in q for q in ours.values()), ours
    # rdflib may run over its time limit on a query (the bench records "over"): the answers
    # are compared wherever both finished, which must be most of them
    finished = {name for name, q in peer.items() if "rows" in q}
    assert len(finished) >= 12
    assert {name: ours[name]["rows"] for name in finished} == \
        {name: peer[name]["rows"] for name in finished}
    assert results["cli"]["help_seconds"] > 0
    report = (out / "bench.md").read_text("utf-8")
    assert "| validate (5 violations) |" in report and "pyshacl" in report
    # the validators side by side: `policing-kg validate` found what the engine found
    cli = stages["validate-cli"]["ours"]
    assert "seconds" in cli and cli["exit"] == 1, cli  # the injected faults: not conforming
    assert cli["counts"] == stages["validate"]["ours"]["counts"], cli
    assert "| validator (the project's shapes) |" in report
    # both clocks: the whole process holds the work inside it (and the interpreter's start-up)
    for timed in (cli, stages["validate"]["ours"]):
        assert timed["process_seconds"] > timed["seconds"] > 0, timed
    assert "`policing-kg validate` / engine, whole processes: " in report
    assert "by the work inside the processes" in report

    # Apache Jena (Debian's jars), wherever it is installed: beside the engine and the store
    reason = jena.available()
    if reason is not None:  # nothing to measure: the report says why
        assert stages["validate"]["engines"]["jena"] == {"skipped": f"Jena not available: {reason}"}
        return
    assert results["machine"]["jena"] == jena.version()
    # Jena's SHACL: timed, its JVM's memory measured, its report read and the same as pyshacl's
    shacl = stages["validate"]["engines"]["jena"]
    assert shacl["seconds"] > 0 and shacl["peak_mb"] > 0 and shacl["load_seconds"] > 0, shacl
    assert shacl["against"] == "pyshacl" and shacl["identical"] is True, shacl
    assert shacl["violations"] == stages["validate"]["ours"]["violations"]
    # Jena ARQ: every stored query, timed, with the embedded store's answers
    arq = stages["queries"]["jena"]
    assert arq["load_seconds"] > 0 and arq["peak_mb"] > 0
    assert set(arq["queries"]) == set(ours)
    for name, q in arq["queries"].items():
        assert "seconds" in q and q["same"] is True and q["rows"] == ours[name]["rows"], (name, q)
    assert "Jena / `policing-kg validate`, whole processes: " in report
    assert "| query | embedded s | Jena ARQ s |" in report
