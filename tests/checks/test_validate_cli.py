"""`policing-kg validate` on contributions: verdicts, exit codes, locations and the four formats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.release.build import BuildResult

from ..conftest import EXPECTED, ID, ROOT

CONTRIBUTIONS = ROOT / "tests" / "contributions"


def validate(release: tuple[Path, BuildResult], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args, "--project", str(ROOT),
                                      "--dist", str(release[0])])
    return result.exit_code, result.stdout, result.stderr


def test_a_marked_translation_conforms(release: tuple[Path, BuildResult]) -> None:
    code, out, err = validate(release, str(CONTRIBUTIONS / "translation.ttl"))
    assert code == 0, out + err
    assert out.splitlines()[-1].startswith("0 violation(s), 0 warning(s), 0 note(s) in 1 file: conforms")


def test_an_unmarked_translation_is_a_violation_at_its_line(release: tuple[Path, BuildResult]) -> None:
    code, out, _ = validate(release, str(CONTRIBUTIONS / "unmarked-translation.ttl"), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False
    (finding,) = report["results"]
    assert finding["focus"] == ID + "gpg-2017/goal/5"
    assert finding["line"] == 4 and finding["file"].endswith("unmarked-translation.ttl")
    assert finding["severity"] == "violation" and "no skosxl:prefLabel node" in finding["message"]
    assert finding["label"].startswith("Promote global integrity")


@pytest.mark.parametrize("fail_on, code", [("violation", 0), ("warning", 1), ("info", 1)])
def test_fail_on_decides_the_exit_code(release: tuple[Path, BuildResult], fail_on: str,
                                       code: int) -> None:
    exit_code, out, _ = validate(release, str(CONTRIBUTIONS / "new-document.ttl"),
                                 "--fail-on", fail_on)
    assert exit_code == code, out
    assert "Warning   A vision, mission, mandate, goal, objective or theme should have an English label" in out
    assert f"new-document.ttl:22  {ID}example-2024/objective/1" in out


def test_github_annotations(release: tuple[Path, BuildResult]) -> None:
    _, out, _ = validate(release, str(CONTRIBUTIONS / "new-document.ttl"), "--format", "github")
    lines = [line for line in out.splitlines() if line.startswith("::")]
    assert any(line.startswith("::warning file=") and ",line=22," in line for line in lines)
    assert any(line.startswith("::notice ") for line in lines)
    for line in lines:
        level, _, rest = line[2:].partition(" ")
        assert level in ("error", "warning", "notice")
        properties, _, message = rest.partition("::")
        assert properties.startswith("file=") and message and "\n" not in message


def test_junit_report(release: tuple[Path, BuildResult]) -> None:
    code, out, _ = validate(release, str(CONTRIBUTIONS / "unmarked-translation.ttl"),
                            "--format", "junit")
    assert code == 1
    suite = ET.fromstring(out.split("?>", 1)[1])
    assert suite.tag == "testsuite" and suite.get("failures") == "1"
    (case,) = suite.findall("testcase")
    assert case.get("name") == ID + "gpg-2017/goal/5"
    assert case.get("classname", "").endswith("unmarked-translation.ttl:4")
    assert case.find("failure") is not None


def test_junit_report_of_a_conforming_contribution(release: tuple[Path, BuildResult]) -> None:
    code, out, _ = validate(release, str(CONTRIBUTIONS / "translation.ttl"), "--format", "junit")
    suite = ET.fromstring(out.split("?>", 1)[1])
    assert code == 0 and suite.get("failures") == "0" and len(suite.findall("testcase")) == 1


def test_several_files_are_validated_together(release: tuple[Path, BuildResult]) -> None:
    code, out, _ = validate(release, str(CONTRIBUTIONS / "translation.ttl"),
                            str(CONTRIBUTIONS / "unmarked-translation.ttl"))
    assert code == 1 and "in 2 files: does not conform" in out
    assert "unmarked-translation.ttl:4" in out and "translation.ttl:" in out


def test_without_files_the_published_graph_is_validated(release: tuple[Path, BuildResult]) -> None:
    code, out, _ = validate(release, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["conforms"] and report["counts"]["violation"] == 0
    assert report["counts"]["info"] == EXPECTED["shacl"]["results_on_the_real_graph"]


def test_usage_errors_exit_2(release: tuple[Path, BuildResult]) -> None:
    code, _, err = validate(release, "--fail-on", "sometimes")
    assert code == 2 and "Invalid value for '--fail-on'" in err
    code, _, err = validate(release, str(ROOT / "nowhere.ttl"))
    assert code == 2 and err == f"error: {ROOT / 'nowhere.ttl'}: no such file\n"


@pytest.mark.parametrize("case", ["syntax", "missing", "pattern", "encoding"])
def test_exit_2_errors_are_github_annotations_too(release: tuple[Path, BuildResult],
                                                  tmp_path: Path, case: str) -> None:
    """With --format github, an error that stops validation is an ::error annotation on stdout
    (file, line and column when known) as well as its one line on stderr."""
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\n"
                      "<https://w3id.org/policing-kg/id/gpg-2023/goal/1> skos:altLabel \"x\"@fr\n")
    path, properties, says = {
        "syntax": (str(broken), f"file={broken},line=4,col=1", "syntax error: Unexpected end"),
        "missing": (str(tmp_path / "gone.ttl"), f"file={tmp_path / 'gone.ttl'}", "no such file"),
        "pattern": (str(tmp_path / "*.jsonld"), f"file={tmp_path / '*.jsonld'}",
                    "no file matches this pattern"),
        "encoding": (str(ROOT / "tests" / "hostile" / "utf7-declared.rdf"),
                     f"file={ROOT / 'tests' / 'hostile' / 'utf7-declared.rdf'},line=1,col=31",
                     'declares encoding="UTF-7" is refused'),
    }[case]
    code, out, err = validate(release, path, "--format", "github")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {path}") and says in err
    (annotation,) = out.splitlines()
    assert annotation.startswith(f"::error {properties},title=policing-kg cannot validate::")
    assert says in annotation
    code, out, _ = validate(release, path)  # the other formats: stderr only, as before
    assert code == 2 and out == ""


def test_a_pattern_the_shell_left_is_expanded(release: tuple[Path, BuildResult]) -> None:
    code, out, err = validate(release, str(CONTRIBUTIONS / "*translation.ttl"))
    assert code == 1, err  # translation.ttl and unmarked-translation.ttl, together
    assert out.splitlines()[-1].startswith("1 violation(s), 0 warning(s), 0 note(s) in 2 files")
