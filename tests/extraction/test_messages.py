"""Messages that show the text: each made by breaking a copy of the project as a contributor
would, and run through the command line (what a contributor reads)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policing_kg.cli import cli

from ..conftest import copy_project

LEAFLET = "000_9be6c647ac29f33b.txt"
GOALS = "004_da3c5f2f6630bbbe.txt"


def _build(project: Path, tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", "--skip-reasoner", "--project", str(project),
                                      "--dist", str(tmp_path / "dist")])
    assert not (tmp_path / "dist").exists()
    return result.exit_code, result.stderr


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), "utf-8")


def test_a_stray_line_is_quoted_with_the_rule_to_paste(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    _edit(project / "data" / "sources" / GOALS, "- Traquer", "Traquer")
    code, err = _build(project, tmp_path)
    assert code == 2, err
    assert err.startswith(f"error: {GOALS}:192 (document gpg-2023): cannot place this line: "
                          "«Traquer"), err
    assert "expected a goal heading in capitals" in err
    assert '{ text = "Traquer' in err and 'reason = "WHY' in err
    manifest = (project / "data" / "sources" / "manifest.toml").read_text("utf-8").splitlines()
    record = next(n for n, line in enumerate(manifest, 1) if line == 'id = "gpg-2023"') - 1
    assert f"data/sources/manifest.toml:{record}): " in err  # the record's line


def test_every_stray_line_is_listed_at_once(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    source = project / "data" / "sources" / GOALS
    _edit(source, "- Traquer", "Traquer")
    _edit(source, "ONU Objectifs de développement durable\n",
          "ONU Objectifs de développement durable\nUne phrase égarée sans tiret.\n")
    code, err = _build(project, tmp_path)
    assert code == 2, err
    assert err.startswith("error: 2 problem(s) reading the sources:"), err
    assert "«Une phrase égarée sans tiret.»" in err and "«Traquer" in err
    assert len(err.strip().splitlines()) == 3


def test_an_objective_without_its_number_says_so(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    _edit(project / "data" / "sources" / LEAFLET, "OBJECTIF 2:", "OBJECTIF :")
    code, err = _build(project, tmp_path)
    assert code == 2, err
    assert f"{LEAFLET}:20 (document oec-2022): an objective heading without its number: " \
        "«OBJECTIF :" in err, err
    assert "write its number, e.g. 'OBJECTIF 2:'" in err


def test_a_repeated_objective_number_says_so(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    _edit(project / "data" / "sources" / LEAFLET, "OBJECTIF 2:", "OBJECTIF 1:")
    code, err = _build(project, tmp_path)
    assert code == 2, err
    assert "objective 1 appears twice (first at line" in err, err


def test_a_missing_objective_number_names_it(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    _edit(project / "data" / "sources" / LEAFLET, "OBJECTIF 2:", "OBJECTIF 9:")
    code, err = _build(project, tmp_path)
    assert code == 2, err
    assert f"{LEAFLET}:20 (document oec-2022): objective 9 where objective 2 is missing" in err
    assert "fix this number (OBJECTIF 2:)" in err


def test_an_unknown_converter_names_the_manifest_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    manifest = project / "data" / "sources" / "manifest.toml"
    _edit(manifest, 'converter = "global-policing-goals"', 'converter = "global-policing-goal"')
    line = next(n for n, text in enumerate(manifest.read_text("utf-8").splitlines(), 1)
                if "global-policing-goal\"" in text)
    code, err = _build(project, tmp_path)
    assert code == 2, err
    assert f"manifest.toml:{line}: document gpg-2023: unknown converter " \
        "'global-policing-goal'" in err, err
    assert "did you mean 'global-policing-goals'?" in err


def test_a_translation_of_another_text_shows_both_marked_at_its_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    translations = project / "data" / "labels" / "translations.toml"
    text = translations.read_text("utf-8")
    lines = text.splitlines()
    # the first record's `from`, one word changed, as a contributor mistypes it
    index = next(n for n, line in enumerate(lines) if line.startswith("from = "))
    header = max(n for n in range(index) if lines[n].startswith("[[translation]]")) + 1
    words = lines[index].split(" ")
    changed = next(n for n in range(3, len(words)) if words[n].strip('"').isalpha())
    original_word = words[changed]
    words[changed] = "XYZZY"
    lines[index] = " ".join(words)
    translations.write_text("\n".join(lines) + "\n", "utf-8")
    code, err = _build(project, tmp_path)
    assert code == 1, err
    assert f"translations.toml:{header}: the " in err, err
    assert "does not match the item's text" in err and "stale" not in err
    assert "[-XYZZY-]{+" + original_word.strip('"') + "+}" in err
    assert "`from` = '" in err and "the item's text = '" in err


def test_bad_mapping_rows_are_all_listed_with_one_exit_code(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    mappings = project / "data" / "mappings"
    path = sorted(mappings.glob("*.sssom.tsv"))[0]
    lines = path.read_text("utf-8").splitlines()
    body = next(n for n, line in enumerate(lines) if not line.startswith("#")) + 1
    rows = lines[body:body + 2]
    lines[body] = rows[0].replace("semapv:", "semapx:", 1)
    cells = rows[1].split("\t")
    cells[0] = cells[0].rsplit("/", 1)[0] + "/99"
    lines[body + 1] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    shown = str(path.relative_to(project))
    outputs = {}
    for args in (["crosswalk", "check"], ["build", "--skip-reasoner", "--dist",
                                          str(tmp_path / "dist")], ["lint"]):
        result = CliRunner().invoke(cli, [*args, "--project", str(project)])
        outputs[args[0]] = (result.exit_code, result.stderr)
    for command, (code, err) in outputs.items():
        assert code == 1, (command, err)
        assert f"{shown}:{body + 1}: " in err, (command, err)
    code, err = outputs["build"]
    assert "uses a prefix that curie_map does not declare" in err


def test_problems_render_one_a_line_with_a_limit() -> None:
    from policing_kg.errors import DataError, NonConformingData, PolicingKGError, Problems

    problems: list[PolicingKGError] = [NonConformingData(f"problem {n}", where=f"f.tsv:{n}", hint="fix it")
                for n in range(1, 26)]
    text = Problems(problems, what="bad rows").line().splitlines()
    assert text[0] == "25 bad rows:" and text[1] == "  f.tsv:1: problem 1 — fix it"
    assert text[-1].startswith("… and 5 more") and len(text) == 22
    assert Problems(problems).exit_code == 1
    assert Problems([*problems, DataError("x", where="g.toml")]).exit_code == 2
