"""IRIs are minted from document id + notation, and a rebuild mints the same ones."""

from __future__ import annotations

from rdflib import URIRef

from policing_kg.assembly.assemble import assemble
from policing_kg.assembly.graph import union_graph
from policing_kg.common.iris import item_iri
from policing_kg.project import Project

from ..conftest import ID, ROOT
from ..corpus import iri_pattern

#: The documents' ids come from the manifest (tests/corpus.py), not from this file.
PATTERN = iri_pattern(ROOT)


def test_the_example_iri_of_the_readme() -> None:
    assert str(item_iri("gpg-2023", ("goal", "3", "statement", "2"))) == \
        ID + "gpg-2023/goal/3/statement/2"


def test_every_item_iri_matches_the_minting_pattern(items: dict[str, object]) -> None:
    for key in items:
        assert PATTERN.match(ID + key), key


def test_a_rebuild_mints_the_same_iris(project: Project, assembly: object) -> None:
    first = {str(s) for s in union_graph(assembly.dataset).all_nodes() if isinstance(s, URIRef)}  # type: ignore[attr-defined]
    second = {str(s) for s in union_graph(assemble(project).dataset).all_nodes()
              if isinstance(s, URIRef)}
    assert first == second
    assert ID + "gpg-2023/goal/3/statement/2" in first
    assert ID + "ct-2022/outcome/13" in first
