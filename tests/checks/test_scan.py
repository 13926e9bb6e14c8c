"""One pass over a contribution's quads finds what the checks over all its quads find.

:class:`~policing_kg.checks.scan.Scan` notes, as the quads go into the store, what
:func:`~policing_kg.checks.vocabulary.check_terms` and ``mentioned`` would compute from the
quads held whole: the two are compared here on a contribution that makes every kind of
mistake (and some statements in RDF 1.2 triple terms, the scan's slow way).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pyoxigraph as ox
import pytest

from policing_kg.checks.contributions import InputError, read_contribution
from policing_kg.checks.scan import Scan
from policing_kg.checks.vocabulary import Vocabulary, check_terms, walk_terms
from policing_kg.common.iris import BASE

PKG = BASE + "ontology#"
ID = BASE + "id/"
SDG = "http://metadata.un.org/sdg/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"

RELEASE = f"""
<{PKG}Goal> <{RDF_TYPE}> <{OWL}Class> .
<{PKG}serves> <{RDF_TYPE}> <{OWL}ObjectProperty> .
<{PKG}Goal> <{SKOS}prefLabel> "Goal"@en .
<{ID}doc> <{RDF_TYPE}> <{SKOS}ConceptScheme> .
<{ID}doc/goal/1> <{RDF_TYPE}> <{PKG}Goal> .
<{ID}doc/goal/1> <{PKG}serves> <{SDG}16> .
<{SDG}16> <{RDF_TYPE}> <{SKOS}Concept> .
<https://example.org/known> <{SKOS}prefLabel> "known"@en .
"""

CONTRIBUTION = f"""
<{ID}doc/goal/1> <{PKG}servs> <{SDG}16> .
<{ID}doc/goal/2> <{RDF_TYPE}> <{PKG}Gaol> .
<{ID}doc/goal/3> <{RDF_TYPE}> <{PKG}Goal> .
<{ID}doc/goal/4> <{RDF_TYPE}> <{SKOS}Nonsense> .
<{ID}doc/goal/5> <{SKOS}prefLabel> "five"@en .
<{ID}doc/goal/1> <{PKG}serves> <{SDG}99> .
<{ID}doc/goal/1> <{SKOS}related> <{PKG}NoSuchTerm> .
<{PKG}Goal> <{SKOS}prefLabel> "Goal"@en .
<{PKG}Goal> <{SKOS}prefLabel> "Objective"@en .
<https://example.org/alone> <{SKOS}prefLabel> "alone"@en .
<https://example.org/known> <{SKOS}altLabel> "still known"@en .
<{ID}doc/goal/1> <{SKOS}related> _:b1 .
_:b1 <{SKOS}related> <https://example.org/reached> .
<https://example.org/reached> <{SKOS}prefLabel> "reached"@en .
_:b2 <{SKOS}related> <https://example.org/unreached> .
<https://example.org/unreached> <{SKOS}prefLabel> "unreached"@en .
<{ID}doc/goal/6> <{SKOS}note> "2024-01-01"^^<{XSD}date> .
<< <{ID}doc/goal/7> <{PKG}quoted> <{ID}doc/goal/8> >> <{SKOS}note> "said" .
<{ID}doc/goal/9> <{SKOS}related> << <{ID}doc/goal/10> <{RDF_TYPE}> <{PKG}Gaol> >> .
"""


def _problems(found: list) -> list[tuple[str, str, str, str, str]]:  # type: ignore[type-arg]
    return sorted((p.focus, p.term, p.path, p.message, p.rule) for p in found)


def test_one_pass_finds_what_the_checks_over_all_the_quads_find() -> None:
    vocabulary = Vocabulary(list(ox.parse(RELEASE, format=ox.RdfFormat.N_TRIPLES)))
    quads = list(ox.parse(CONTRIBUTION, format=ox.RdfFormat.TURTLE))
    scan = Scan("c0_")
    stored = list(scan.load(quads))
    expected = _problems(check_terms(quads, vocabulary))
    assert len(expected) >= 10  # every kind of mistake is there
    assert _problems(scan.problems(vocabulary)) == expected
    mentioned = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    for quad in quads:
        mentioned.update(t.value for t in walk_terms(quad.object) if isinstance(t, ox.NamedNode))
    assert scan.mentioned() == mentioned
    assert len(stored) == len(quads) == scan.count
    assert not scan.bad and not scan.shacl
    blanks = {t.value for q in stored for t in (q.subject, q.object)
              if isinstance(t, ox.BlankNode)}
    assert blanks and all(b.startswith("c0_") for b in blanks)
    dates = [q.object for q in stored if isinstance(q.object, ox.Literal)
             and q.object.value == "2024-01-01"]
    assert dates[0].datatype.value.startswith("urn:policing-kg:validation:1:")


@pytest.mark.parametrize(("statement", "bad", "shacl"), [
    (f'<{ID}a> <{SKOS}note> "soon"^^<{XSD}date> .', True, False),
    (f"<{ID}a> <{SKOS}related> <ftp://example.org/x> .", True, False),
    (f"<{ID}a> <ftp://example.org/p> <{ID}b> .", True, False),
    (f"<{ID}a> <{RDF_TYPE}> <http://www.w3.org/ns/shacl#NodeShape> .", False, True),
    (f'<< <{ID}a> <{SKOS}note> "x"^^<{XSD}integer> >> <{SKOS}note> "y" .', True, False),
])
def test_what_makes_the_file_read_again_is_noted(statement: str, bad: bool, shacl: bool) -> None:
    scan = Scan("c0_")
    deque(scan.load(ox.parse(statement, format=ox.RdfFormat.TURTLE)), maxlen=0)
    assert (scan.bad, scan.shacl) == (bad, shacl)


def test_a_large_n_triples_file_is_read_in_pieces_and_lines_are_still_exact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policing_kg.common import pieces

    monkeypatch.setattr(pieces, "PIECE", 64)  # many pieces, each cut at a line's end
    lines = [f'<{ID}n{k}> <{SKOS}prefLabel> "étiquette {k}"@fr .' for k in range(40)]
    lines.insert(30, f"<{ID}n3> <{SKOS}related> <{ID}only-an-object> .")
    path = tmp_path / "big.nt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    contribution = read_contribution(path)
    assert contribution.scan.count == 41
    assert contribution.line_of(f"{ID}n35") == 37
    assert contribution.line_of(f"{ID}only-an-object") == 31
    assert contribution.line_of_literal("étiquette 39", "fr") == 41
    assert contribution.line_of_literal("étiquette 39", "en") is None  # written @fr
    assert contribution.line_of_literal("étiquette 3", "fr") == 4  # not "étiquette 33"
    label = f"{SKOS}prefLabel"
    assert contribution.literals_of(f"{ID}n5", label, [label]) == [("étiquette 5", "fr")]
    assert contribution.literals_of(f"{ID}n3", f"{SKOS}related", [label]) == []
    path.write_bytes(path.read_bytes().replace("étiquette 33".encode(), b"\xe9tiquette 33"))
    with pytest.raises(InputError) as raised:
        read_contribution(path)
    assert f"{path}:35:" in str(raised.value) and "not UTF-8" in str(raised.value)


def test_the_parser_reads_the_file_through_the_same_cap(tmp_path: Path) -> None:
    from policing_kg.common.pieces import CappedReader
    from policing_kg.common.reading import parse_each

    path = tmp_path / "grows.nt"
    line = f'<{ID}a> <{SKOS}prefLabel> "a"@en .\n'
    path.write_text(line * 10, "utf-8")
    with CappedReader(path, path.stat().st_size) as reader:
        assert len(list(parse_each(str(path), reader, "N_TRIPLES"))) == 10
    with CappedReader(path, path.stat().st_size) as reader:
        path.write_text(line * 10_000, "utf-8")  # it grew after it was checked
        with pytest.raises(InputError) as raised:
            list(parse_each(str(path), reader, "N_TRIPLES"))
    assert "over the limit" in str(raised.value)
