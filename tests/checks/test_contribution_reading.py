"""Reading contributions: the checks made once per distinct term still name the first fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from policing_kg.checks.contributions import InputError, read_contribution

ID = "https://w3id.org/policing-kg/id/"
LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_the_first_bad_term_of_the_file_is_the_one_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "two.nt", [
        f'<{ID}a> {LABEL} "a"@en .',
        f'<{ID}a> <{ID}p> "x"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        f"<{ID}a> <{ID}q> <file:///etc/passwd> .",
    ])
    with pytest.raises(InputError) as raised:
        read_contribution(path)
    assert 'ill-typed literal "x"' in str(raised.value)
    assert f"{path}:2" in str(raised.value)


def test_a_repeated_good_term_does_not_hide_a_bad_one(tmp_path: Path) -> None:
    lines = [f'<{ID}n{k}> {LABEL} "label {k}"@en .' for k in range(50)]
    lines.append(f"<{ID}n7> <{ID}p> <ftp://example.org/x> .")
    path = _write(tmp_path, "many.nt", lines)
    with pytest.raises(InputError) as raised:
        read_contribution(path)
    assert "ftp://example.org/x" in str(raised.value)
    assert f"{path}:51" in str(raised.value)


def test_a_node_that_starts_no_line_is_found_where_it_first_appears(tmp_path: Path) -> None:
    path = _write(tmp_path, "objects.ttl", [
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        f"<{ID}a> skos:prefLabel \"a\"@en ;",
        f"    skos:related <{ID}b> .",
        f"<{ID}c> skos:related <{ID}b> .",
        f"<{ID}b> skos:prefLabel \"b\"@en .",
    ])
    contribution = read_contribution(path)
    assert contribution.line_of(f"{ID}b") == 5  # where it stands as a subject
    assert contribution.line_of(f"{ID}c") == 4
    assert contribution.line_of("http://www.w3.org/2004/02/skos/core#related") == 3
    assert contribution.line_of(f"{ID}nowhere") is None
    assert contribution.line_of_literal("b", "en") == 5
    assert contribution.mentioned() == {f"{ID}a", f"{ID}b", f"{ID}c"}
