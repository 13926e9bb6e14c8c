"""The corpus checks: every fact about the documents is read from a project's data (the
manifest, the curated files) and its hand-written expectations (tests/expected/), never from test
code. Each check takes the project root, so that it runs on the real project and on a copy to
which a test has added a document (tests/extraction/test_new_document.py).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SKOS

from policing_kg.assembly.assemble import Assembly
from policing_kg.assembly.graph import union_graph
from policing_kg.common.datafiles import load_toml
from policing_kg.common.iris import ID, PKG
from policing_kg.extraction.records import Field, collapse
from policing_kg.extraction.sources import DocumentSpec, load_manifest

GRAPH = "https://w3id.org/policing-kg/graph/"
#: The layers every release has besides one graph per document (the design, not the corpus).
LAYERS = ("ontology", "translations", "editorial", "reference", "mappings", "inferred", "queries",
          "metadata")


def manifest(root: Path) -> list[DocumentSpec]:
    return load_manifest(root / "data" / "sources" / "manifest.toml")


def expected_items(root: Path) -> dict[str, Any]:
    return load_toml(root / "tests" / "expected" / "items.toml")


def kind_totals(root: Path) -> Counter[str]:
    """Items of each kind in the whole corpus, from tests/expected/items.toml's counts."""
    totals: Counter[str] = Counter()
    for counts in expected_items(root)["counts"].values():
        totals.update(counts)
    return totals


def unmapped_totals(root: Path) -> Counter[str]:
    """Items of each kind in the documents no mapping set names (a document not yet mapped)."""
    mappings = " ".join(p.read_text("utf-8") for p in (root / "data" / "mappings").glob("*.tsv"))
    totals: Counter[str] = Counter()
    for document, counts in expected_items(root)["counts"].items():
        if f"pkgid:{document}/" not in mappings and f"pkgid:{document}\t" not in mappings:
            totals.update(counts)
    return totals


def fill(line: str, root: Path) -> str:
    """An expected line of tests/expected/graph.toml: ``{Kind}`` replaced by the corpus total,
    ``{+Kind}`` by the items of that kind in documents no mapping set names yet."""
    totals, unmapped = kind_totals(root), unmapped_totals(root)
    line = re.sub(r"\{\+(\w+)\}", lambda m: str(unmapped[m.group(1)]), line)
    return re.sub(r"\{(\w+)\}", lambda m: str(totals[m.group(1)]), line)


def items_of(assembly: Assembly) -> dict[str, Any]:
    return {"/".join((i.document, *i.path)): i for c in assembly.conversions for i in c.items}


def iri_pattern(root: Path) -> re.Pattern[str]:
    ids = "|".join(re.escape(s.id) for s in manifest(root))
    return re.compile(
        rf"^{re.escape(ID)}({ids})"
        r"/(vision|mission|mandate|goal/[1-9]\d*(/statement/[1-9]\d*)?|theme/[1-9]\d*"
        r"(/statement/[1-9]\d*)?|objective/[1-9]\d*|outcome/[1-9]\d*)$")


def check_sources(root: Path) -> None:
    """Each text is the one received (its SHA-256 in tests/expected/sources.toml); each record
    has its titles, publisher, period or date, and a reason for each ignore rule."""
    sums = load_toml(root / "tests" / "expected" / "sources.toml")
    specs = manifest(root)
    assert {s.file for s in specs} == set(sums)
    for name, digest in sums.items():
        data = (root / "data" / "sources" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    assert len({s.id for s in specs}) == len(specs)
    for spec in specs:
        assert spec.title["fr"] and spec.title["en"] and spec.publisher, spec.id
        assert spec.period or spec.date, spec.id
        assert all(rule.reason for rule in spec.ignore), spec.id


def check_items(root: Path, assembly: Assembly) -> None:
    """The converters' items against tests/expected/items.toml, and what follows from them."""
    expected = expected_items(root)
    specs = {s.id: s for s in manifest(root)}
    items = items_of(assembly)
    documents = [c.document.document for c in assembly.conversions]
    assert documents == list(specs) and sorted(documents) == sorted(expected["counts"])
    for conversion in assembly.conversions:
        counts = Counter(i.kind.value for i in conversion.items)
        assert counts == expected["counts"][conversion.document.document]
        assert [i.position for i in conversion.items] == list(range(1, len(conversion.items) + 1))
    for parent, count in expected.get("statements", {}).items():
        document, *path = parent.split("/")
        children = [i for i in items.values() if i.document == document
                    and i.parent == tuple(path)]
        assert [int(c.path[-1]) for c in children] == list(range(1, count + 1)), parent
    for entry in expected["item"]:
        check_item(items[entry["key"]], entry)
    pattern = iri_pattern(root)
    for key, item in items.items():
        assert pattern.match(ID + key), key
        assert item.language == specs[item.document].language, key
    assert len(items) == sum(kind_totals(root).values())


def check_item(item: Any, expected: dict[str, str]) -> None:
    """One [[item]] of tests/expected/items.toml against the converter's record."""
    if "label" in expected:
        assert item.label == collapse(expected["label"]), expected["key"]
    if "notation" in expected:
        assert item.notation == expected["notation"], expected["key"]
    if "parent" in expected:
        assert "/".join((item.document, *item.parent)) == expected["parent"], expected["key"]
    if "description_begins" in expected:
        assert item.description.startswith(expected["description_begins"]), expected["key"]
    if "description_ends" in expected:
        assert item.description.endswith(expected["description_ends"]), expected["key"]
    if "heading" in expected:
        assert item.label is None and Field.HEADING in item.spans, expected["key"]


def check_graph(root: Path, assembly: Assembly) -> None:
    """Every item of the manifest's documents has one English and one French preferred label
    and a source span; the documents are the manifest's."""
    graph = union_graph(assembly.dataset)
    specs = manifest(root)
    nodes = {s for s in graph.subjects(SKOS.inScheme, None)
             if str(s).startswith(str(ID)) and (s, RDF.type, PKG.FormerGoal) not in graph}
    assert len(nodes) == sum(kind_totals(root).values())
    for node in nodes:
        assert any(graph.objects(node, p) for p in (PKG.labelSource, PKG.headingSource)), node
        for language in ("en", "fr"):  # English required, French where known; one of each
            labels = [o for o in graph.objects(node, SKOS.prefLabel)
                      if isinstance(o, Literal) and o.language == language]
            assert len(labels) == 1 if language == "en" else len(labels) <= 1, (node, labels)
    for spec in specs:
        assert (URIRef(ID + spec.id), None, None) in graph, spec.id


def named_graphs(root: Path) -> set[str]:
    """The named graphs a release of ``root`` holds: the layers, and one per document."""
    return {*(GRAPH + layer for layer in LAYERS),
            *(GRAPH + "document/" + s.id for s in manifest(root))}


def check_release(root: Path, dist: Path) -> None:
    """The release's TriG holds the layers and one graph per document of the manifest."""
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(dist / "policing-kg.trig", format="trig")
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert graphs == named_graphs(root)


def check_coverage(root: Path, output: str, lines: list[str]) -> None:
    """``crosswalk check``'s output holds each expected line, ``{Kind}`` read from the counts."""
    missing = [fill(line, root) for line in lines if fill(line, root) not in output]
    assert not missing, (missing, output)
