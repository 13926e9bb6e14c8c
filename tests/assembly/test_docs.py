"""The Turtle examples of docs/model.md are copied from the real output and must stay in it."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph

from policing_kg.assembly.assemble import Assembly
from policing_kg.assembly.graph import union_graph

from ..conftest import ROOT

BLOCKS = re.findall(r"```turtle\n(.*?)```", (ROOT / "docs" / "model.md").read_text("utf-8"),
                    re.DOTALL)


def test_the_model_shows_examples() -> None:
    assert len(BLOCKS) >= 14


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example-{n}" for n in range(1, len(BLOCKS) + 1)])
def test_each_example_is_in_the_built_graph(assembly: Assembly, block: str) -> None:
    example = Graph().parse(data=block, format="turtle")
    graph = union_graph(assembly.dataset)
    missing = [t for t in example if t not in graph]
    assert not missing, missing[:3]
