"""The label checks have no holes: a label added to a node outside the project's namespaces is
refused as unrelated to the graph and held to the length limit, whatever its size; the same node
linked from an item is accepted."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.release.build import BuildResult

from ..conftest import ROOT

HEAD = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"


def validate(release: tuple[Path, BuildResult], path: Path) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["validate", str(path), "--project", str(ROOT),
                                      "--dist", str(release[0]), "--format", "json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}


def test_a_huge_label_on_an_unrelated_node_is_refused(release: tuple[Path, BuildResult],
                                                      tmp_path: Path) -> None:
    path = tmp_path / "huge.ttl"
    path.write_text(HEAD + '\n<https://example.org/a>\n    skos:prefLabel "' + "a" * 10_000_000
                    + '"@en .\n', "utf-8")
    code, report = validate(release, path)
    assert code == 1
    results = report["results"]
    assert isinstance(results, list)
    found = {(r["line"], r["message"][:50]) for r in results}
    assert found == {(3, "<https://example.org/a> is outside the project's n"),
                     (4, "A label is at most 1000 characters long.")}, found


def test_a_node_an_item_links_to_is_related(release: tuple[Path, BuildResult],
                                            tmp_path: Path) -> None:
    path = tmp_path / "linked.ttl"
    path.write_text(HEAD + "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    "<https://w3id.org/policing-kg/id/gpg-2023/goal/6> rdfs:seeAlso "
                    "<https://example.org/a> .\n"
                    '<https://example.org/a> skos:prefLabel "A page about illicit markets"@en .\n',
                    "utf-8")
    code, report = validate(release, path)
    assert code == 0, report
