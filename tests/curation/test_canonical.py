"""Curated files in canonical form (`policing-kg lint`), and read by sssom-py as we read them.

sssom-py is the reference implementation of SSSOM: every mapping set of data/mappings/, and what
`crosswalk suggest` writes, must parse there, pass its validators, and give the same rows.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.curation.canonical import canonical_sssom, canonical_toml, curated_files
from policing_kg.curation.mappings import load_mapping_set
from policing_kg.project import Project
from policing_kg.release.build import BuildResult

from ..conftest import ROOT, copy_project

CURATED = curated_files(Project(ROOT))
MAPPING_SETS = sorted((ROOT / "data" / "mappings").glob("*.sssom.tsv"))


def canonical(path: Path) -> str:
    return canonical_sssom(path) if path.name.endswith(".sssom.tsv") else canonical_toml(path)


@pytest.mark.parametrize("path", CURATED, ids=[p.name for p in CURATED])
def test_each_curated_file_is_in_canonical_form(path: Path) -> None:
    assert canonical(path) == path.read_text("utf-8"), \
        f"{path.relative_to(ROOT)} is not in canonical form: run `policing-kg lint --fix`"


def test_there_are_curated_files_of_each_kind() -> None:
    names = {p.name for p in CURATED}
    assert any(n.endswith(".sssom.tsv") for n in names)
    assert "sdg-goals-targets.toml" in names and "translations.toml" in names


def test_lint_names_the_file_and_fix_restores_it(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    labels = project / "data" / "labels" / "translations.toml"
    before = labels.read_text("utf-8")
    # the same data, written carelessly: spaces around '=', trailing blanks, extra blank lines
    careless = before.replace(" = ", "=").replace("\n\n", "\n\n\n") + "   \n"
    labels.write_text(careless, "utf-8")
    result = CliRunner().invoke(cli, ["lint", "--project", str(project)])
    assert result.exit_code == 1
    assert "data/labels/translations.toml: not in canonical form" in result.stderr
    assert "run `policing-kg lint --fix`" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    result = CliRunner().invoke(cli, ["lint", "--fix", "--project", str(project)])
    assert result.exit_code == 0, result.stderr
    assert labels.read_text("utf-8") == before
    result = CliRunner().invoke(cli, ["lint", "--project", str(project)])
    assert result.exit_code == 0 and "in canonical form" in result.stdout


def test_lint_sorts_the_rows_of_a_mapping_set(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    path = project / "data" / "mappings" / MAPPING_SETS[0].name
    lines = path.read_text("utf-8").splitlines(keepends=True)
    header = [line for line in lines if line.startswith("#")]
    columns, *rows = lines[len(header):]
    path.write_text("".join(header + [columns] + rows[::-1]), "utf-8")
    assert CliRunner().invoke(cli, ["lint", "--project", str(project)]).exit_code == 1
    assert CliRunner().invoke(cli, ["lint", "--fix", "--project", str(project)]).exit_code == 0
    assert path.read_bytes() == MAPPING_SETS[0].read_bytes()


def sssom_py_rows(path: Path) -> tuple[set[tuple[Any, ...]], dict[Any, Any]]:
    """Parse and validate with sssom-py; return its rows, CURIEs expanded by its converter."""
    sssom_parsers = pytest.importorskip("sssom.parsers", reason="sssom-py is a test dependency")
    from sssom.validators import DEFAULT_VALIDATION_TYPES, validate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        msdf = sssom_parsers.parse_sssom_table(str(path))
        reports = validate(msdf, DEFAULT_VALIDATION_TYPES, fail_on_error=False)
    problems = {str(kind): report.results for kind, report in reports.items() if report.results}
    expand = msdf.converter.expand
    rows = set()
    for record in msdf.df.to_dict("records"):
        confidence = record.get("confidence")
        rows.add((expand(record["subject_id"]), expand(record["predicate_id"]),
                  expand(record["object_id"]), expand(record["mapping_justification"]),
                  None if confidence is None or (isinstance(confidence, float)
                                                 and math.isnan(confidence)) else confidence,
                  record.get("comment") or ""))
    return rows, problems


def our_rows(path: Path) -> set[tuple[Any, ...]]:
    return {(m.subject, m.predicate, m.object, m.justification, m.confidence, m.comment)
            for m in load_mapping_set(path).mappings}


@pytest.mark.parametrize("path", MAPPING_SETS, ids=[p.name for p in MAPPING_SETS])
def test_sssom_py_reads_each_mapping_set_as_we_do(path: Path) -> None:
    theirs, problems = sssom_py_rows(path)
    assert not problems, problems
    assert theirs == our_rows(path)


@pytest.mark.parametrize("task", ["themes", "sdg-targets"])
def test_sssom_py_reads_what_suggest_writes(tmp_path: Path, release: tuple[Path, BuildResult],
                                            task: str) -> None:
    out = tmp_path / "suggested.sssom.tsv"
    result = CliRunner().invoke(cli, ["crosswalk", "suggest", "--task", task, "--out", str(out),
                                      "--project", str(ROOT), "--dist", str(release[0])])
    assert result.exit_code == 0, result.stderr
    theirs, problems = sssom_py_rows(out)
    assert not problems, problems
    ours = our_rows(out)
    assert ours and len(theirs) == len(ours)
    # confidences are written with a fixed number of digits, read back as floats by both
    assert {r[:4] for r in theirs} == {r[:4] for r in ours}
    assert all(abs(a - b) < 1e-9 for a, b in zip(sorted(r[4] for r in theirs),
                                                 sorted(r[4] for r in ours), strict=True))
