"""The command line through click's CliRunner: help, build, query, and one-line errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.release.build import BuildResult

from ..conftest import ROOT


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_every_command_with_a_description() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in ("build", "query"):
        line = next(line for line in out.splitlines() if line.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1]) > 20


def test_build_writes_the_release_and_reports(tmp_path: Path,
                                              release: tuple[Path, BuildResult]) -> None:
    out = tmp_path / "dist"
    code, stdout, stderr = run("build", "--project", str(ROOT), "--dist", str(out),
                               "--skip-reasoner")
    assert code == 0, stderr
    assert "gpg-2023: 85 items" in stdout
    assert "SHACL: conforms" in stdout
    assert (out / "SHA256SUMS").read_text() == (release[0] / "SHA256SUMS").read_text()


def test_build_outside_a_project_is_one_line_and_exit_2(tmp_path: Path) -> None:
    code, stdout, stderr = run("build", "--project", str(tmp_path), "--dist", str(tmp_path / "d"))
    assert code == 2
    assert stderr.count("\n") == 1 and "not a policing-kg project" in stderr
    assert "Traceback" not in stderr + stdout
    assert not (tmp_path / "d").exists()


def test_query_prints_a_table(release: tuple[Path, BuildResult]) -> None:
    code, out, err = run("query", "document-outline", "--param", "document=sf-2026",
                         "--project", str(ROOT), "--dist", str(release[0]))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["document_title", "notation", "kind", "label_fr", "label_en",
                                "parent", "editorial_parent", "item", "document"]
    assert "Unis contre la criminalité" in lines[2] and "Together against Crime" in lines[2]
    assert lines[-1] == "(6 rows)"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "markdown"])
def test_query_formats(release: tuple[Path, BuildResult], fmt: str) -> None:
    code, out, err = run("query", "document-outline", "--param", "document=fcac-2022",
                         "--format", fmt, "--project", str(ROOT), "--dist", str(release[0]))
    assert code == 0, err
    if fmt == "json":  # SPARQL 1.1 Query Results JSON: every term with its type and language
        answer = json.loads(out)
        assert answer["head"]["vars"][:5] == ["document_title", "notation", "kind", "label_fr",
                                              "label_en"]
        rows = answer["results"]["bindings"]
        assert [r["notation"]["value"] for r in rows] == ["1", "2", "3", "4"]
        assert rows[0]["label_en"]["value"].startswith("Demonstrate global leadership")
        assert rows[0]["label_en"]["xml:lang"] == "en" and rows[0]["label_fr"]["xml:lang"] == "fr"
        assert rows[0]["item"]["type"] == "uri"
    elif fmt == "csv":
        assert out.splitlines()[0] == ("document_title,notation,kind,label_fr,label_en,parent,"
                                       "editorial_parent,item,document")
        assert len(out.splitlines()) == 5
    elif fmt == "tsv":  # SPARQL TSV writes terms as in Turtle: the language tags are there
        header, first = out.splitlines()[:2]
        assert header.startswith("?document_title\t?notation\t?kind")
        assert '"@fr' in first and first.count("\t") == header.count("\t")
    else:
        assert out.splitlines()[1].startswith("|---")


@pytest.mark.parametrize("args, message", [
    (["query", "nope"], "no stored query 'nope' — the queries: children, document-outline,"),
    (["query", "label-search"], "needs --param text="),
    (["query", "document-outline", "--param", "doc=x"], "has no parameter 'doc' — its parameters: document"),
    (["query", "document-outline", "--param", "document"], "is not KEY=VALUE"),
    (["query", "document-outline", "--param", "document=<x> } DROP ALL {"], "is not an IRI or an id"),
])
def test_query_errors_are_one_line_and_exit_2(release: tuple[Path, BuildResult],
                                              args: list[str], message: str) -> None:
    code, stdout, stderr = run(*args, "--project", str(ROOT), "--dist", str(release[0]))
    assert code == 2
    assert message in stderr and stderr.count("\n") == 1
    assert "Traceback" not in stdout + stderr


def test_query_without_a_release_says_to_build(tmp_path: Path) -> None:
    code, _, stderr = run("query", "document-outline", "--param", "document=sf-2026",
                          "--project", str(ROOT), "--dist", str(tmp_path))
    assert code == 2 and "run `policing-kg build`" in stderr


def test_query_list(release: tuple[Path, BuildResult]) -> None:
    code, out, _ = run("query", "--list", "--project", str(ROOT))
    assert code == 0 and "\ndocument-outline: Outline of a document\n" in out
    from policing_kg.curation.catalogue import load_catalogue

    catalogue = load_catalogue(ROOT / "queries")
    assert out.count("\n    --param ") == sum(len(q.parameters) for q in catalogue.values())


def test_an_unknown_document_is_an_error_not_an_empty_answer(
        release: tuple[Path, BuildResult]) -> None:
    code, out, err = run("query", "document-outline", "--param", "document=gpg-2099",
                         "--project", str(ROOT), "--dist", str(release[0]))
    assert code == 2 and out == ""
    assert "gpg-2099 is not in the release" in err and "gpg-2023" in err


def test_the_release_checksums_are_stable(release: tuple[Path, BuildResult]) -> None:
    digest = hashlib.sha256((release[0] / "policing-kg.nq").read_bytes()).hexdigest()
    assert digest in (release[0] / "SHA256SUMS").read_text()
