"""`crosswalk evaluate`: settings chosen on one half of the curated subjects, measured on the other."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.crosswalk.evaluate import CANDIDATES, THRESHOLDS, _measure, evaluate, held_out
from policing_kg.project import Project
from policing_kg.release.build import BuildResult

from ..conftest import ROOT


def test_the_split_is_a_stable_hash_of_the_iri() -> None:
    iris = [f"https://w3id.org/policing-kg/id/gpg-2023/goal/{g}/statement/{s}"
            for g in range(1, 8) for s in range(1, 7)]
    halves = [held_out(iri) for iri in iris]
    assert halves == [held_out(iri) for iri in iris]  # the same every run
    assert 0.3 < sum(halves) / len(halves) < 0.7  # roughly half, not by position


def test_a_measure_counts_only_its_own_subjects() -> None:
    ranked = {"a": [(0.9, "x"), (0.2, "y")], "b": [(0.5, "z"), (0.4, "x")]}
    curated = {("a", "x"), ("b", "x"), ("c", "q")}
    one = _measure(ranked, ["a"], curated, 0.3, 2)
    assert (one.suggested, one.curated, one.agreed) == (1, 1, 1)
    both = _measure(ranked, ["a", "b"], curated, 0.3, 2)
    assert (both.suggested, both.curated, both.agreed) == (3, 2, 2)
    assert abs(both.precision - 2 / 3) < 1e-9 and both.recall == 1.0


def test_the_held_out_half_is_never_used_to_choose(release: tuple[Path, BuildResult]) -> None:
    found = evaluate(Project(ROOT), release[0], "statement-targets")
    assert found.threshold in THRESHOLDS and found.candidates in CANDIDATES
    # both halves together are the 73 statements the curated set considered
    assert found.tuning.subjects + found.held_out.subjects == 73
    assert found.held_out.curated > 0 and found.tuning.curated > 0
    # the settings are the best on the tuning half: no other setting does better there
    from policing_kg.common.store import open_store
    from policing_kg.crosswalk.suggest import TASKS, ranked, read_texts

    store = open_store(release[0])
    _, subjects_query, objects_query = TASKS["statement-targets"]
    subjects, objects = read_texts(store, subjects_query), read_texts(store, objects_query)
    scores = ranked(subjects, objects)
    from policing_kg.curation.mappings import load_mapping_sets

    curated = {(m.subject, m.object) for s in load_mapping_sets(ROOT / "data" / "mappings")
               for m in s.mappings if m.predicate.endswith("#contributesToSDG")
               and m.subject in subjects and m.object in objects}
    tuning = [s for s in subjects if not held_out(s)]
    assert all(_measure(scores, tuning, curated, t, k).f1 <= found.tuning.f1 + 1e-12
               for t in THRESHOLDS for k in CANDIDATES)


def test_the_command_prints_both_halves(release: tuple[Path, BuildResult]) -> None:
    result = CliRunner().invoke(cli, ["crosswalk", "evaluate", "--task", "programme-statements",
                                      "--project", str(ROOT), "--dist", str(release[0])])
    assert result.exit_code == 0, result.stderr
    tuning, held = result.stdout.strip().splitlines()
    assert re.match(r"programme-statements: settings chosen on \d+ tuning subjects: cosine >= "
                    r"0\.\d\d, up to [123] candidate", tuning)
    assert re.match(r"programme-statements: held out, \d+ subjects never seen when tuning: "
                    r"precision \d\.\d\d \(\d+/\d+\), recall \d\.\d\d \(\d+/\d+\)", held)
