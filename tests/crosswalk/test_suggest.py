"""crosswalk suggest: lexical candidates as SSSOM, scored against the curated sets, never merged."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.crosswalk.suggest import Suggestion, score, suggest
from policing_kg.curation.mappings import load_mapping_set
from policing_kg.release.build import BuildResult

from ..conftest import ROOT


def test_the_most_similar_text_is_proposed() -> None:
    subjects = {"s1": "Échange d'informations de police", "s2": "Formation des enquêteurs"}
    objects = {"o1": "partage des informations et échange de données",
               "o2": "renforcement des capacités et formation"}
    found = suggest(subjects, objects, "p", threshold=0.01)
    assert [(s.subject, s.object) for s in found] == [("s1", "o1"), ("s2", "o2")]
    assert all(0 < s.confidence <= 1 for s in found)
    assert suggest(subjects, {"o3": "biodiversité marine"}, "p", threshold=0.01) == []


def test_precision_and_recall() -> None:
    curated = {("a", "x"), ("b", "y"), ("c", "z")}
    suggestions = [Suggestion("a", "p", "x", 0.5), Suggestion("b", "p", "z", 0.4),
                   Suggestion("q", "p", "x", 0.9)]  # q is outside the curated subjects
    result = score("t", suggestions, curated)
    assert (result.suggested, result.agreed, result.curated) == (2, 1, 3)
    assert result.precision == 0.5 and abs(result.recall - 1 / 3) < 1e-9


def test_the_command_writes_sssom_and_scores_it(tmp_path: Path,
                                                release: tuple[Path, BuildResult]) -> None:
    mappings_before = sorted((str(p), p.read_bytes()) for p in (ROOT / "data/mappings").rglob("*")
                             if p.is_file())
    out = tmp_path / "suggested.sssom.tsv"
    result = CliRunner().invoke(cli, ["crosswalk", "suggest", "--task", "themes", "--out", str(out),
                                      "--project", str(ROOT), "--dist", str(release[0])])
    assert result.exit_code == 0, result.stderr
    line = result.stderr.strip()
    match = re.fullmatch(r"(\d+) suggestions \(themes\); against the curated set on its (\d+) "
                         r"subjects: precision (\S+) \((\d+)/(\d+)\), recall (\S+) \((\d+)/(\d+)\)",
                         line)
    assert match, line
    suggested_set = load_mapping_set(out)
    assert len(suggested_set.mappings) == int(match.group(1)) > 0
    assert {m.justification for m in suggested_set.mappings} == {
        "https://w3id.org/semapv/vocab/LexicalMatching"}
    assert 0.0 < float(match.group(3)) <= 1.0 and 0.0 < float(match.group(6)) <= 1.0
    # proposed only: the curated sets are untouched
    assert sorted((str(p), p.read_bytes()) for p in (ROOT / "data/mappings").rglob("*")
                             if p.is_file()) == \
        mappings_before
    # the same inputs give the same suggestions
    again = tmp_path / "again.sssom.tsv"
    CliRunner().invoke(cli, ["crosswalk", "suggest", "--task", "themes", "--out", str(again),
                             "--project", str(ROOT), "--dist", str(release[0])])
    assert again.read_bytes() == out.read_bytes()


def test_sdg_target_suggestions_are_scored_on_target_level_mappings(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    out = tmp_path / "sdg.sssom.tsv"
    result = CliRunner().invoke(cli, ["crosswalk", "suggest", "--task", "sdg-targets",
                                      "--out", str(out), "--project", str(ROOT),
                                      "--dist", str(release[0])])
    assert result.exit_code == 0, result.stderr
    suggested = load_mapping_set(out)
    assert {m.subject.rsplit("/id/", 1)[-1] for m in suggested.mappings} <= {
        f"gpg-2023/goal/{n}" for n in range(1, 8)}
    assert all(m.object.startswith("http://metadata.un.org/sdg/") and "." in m.object[27:]
               for m in suggested.mappings)
    # the curated side counts only target-level links (16 editorial rows), not goal-level ones
    match = re.search(r"recall \S+ \((\d+)/(\d+)\)", result.stderr)
    assert match and match.group(2) == "16"
